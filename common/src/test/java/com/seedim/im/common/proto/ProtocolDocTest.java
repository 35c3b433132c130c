package com.seedim.im.common.proto;

import com.seedim.im.common.security.Signatures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/protocol.md is the reference a client author reads instead of the code, so it must not fall behind the code:
 * every msgType (its row in the at-a-glance table and a section heading), every error code (name, number and HTTP
 * status), every close code and notice code is in it, and every worked signature example is what {@link Signatures}
 * computes, with the canonical string shown next to it.
 */
class ProtocolDocTest {
  private static final Path DOC = Path.of("..", "docs", "protocol.md");
  /** The fenced blocks the signature examples are written in. */
  private static final String EXAMPLE = "signature-example";
  private static final String CANONICAL = "canonical";
  /** The heading of the table of every msgType. */
  private static final String GLANCE = "### 1.7 Every msgType at a glance";
  private static final Set<String> SCHEMES = Set.of("login", "legacy-login", "chat", "legacy-chat", "api");

  private static List<String> lines;
  private static List<Block> blocks;

  /** A fenced code block: its info string and its lines (without the fences). */
  private record Block(String info, List<String> lines, int startLine) {
  }

  @BeforeAll
  static void read() throws Exception {
    lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
    blocks = fencedBlocks(lines);
  }

  private static List<Block> fencedBlocks(List<String> all) {
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      String l = all.get(i);
      if (!l.startsWith("```")) {
        continue;
      }
      String info = l.substring(3).trim();
      List<String> body = new ArrayList<>();
      int j = i + 1;
      while (j < all.size() && !all.get(j).startsWith("```")) {
        body.add(all.get(j));
        j++;
      }
      assertThat(j).as("fenced block opened on line %d is closed", i + 1).isLessThan(all.size());
      out.add(new Block(info, body, i + 1));
      i = j;
    }
    return out;
  }

  @Test
  @DisplayName("every msgType has its row in the at-a-glance table and a section heading")
  void everyMsgType() {
    for (MsgType t : MsgType.values()) {
      String row = "| " + t.code() + " | `" + t.name() + "` |";
      assertThat(lines).as("table row for %s", t).anyMatch(l -> l.startsWith(row));
      Pattern heading = Pattern.compile("^#{2,5} .*\\b" + t.code() + " " + t.name() + "\\b.*");
      assertThat(lines).as("section heading naming %d %s", t.code(), t.name()).anyMatch(l -> heading.matcher(l).matches());
    }
    int start = lines.indexOf(lines.stream().filter(l -> l.startsWith(GLANCE)).findFirst().orElseThrow());
    long rows = lines.stream().skip(start + 1).takeWhile(l -> !l.startsWith("#"))
      .filter(l -> l.matches("\\| [0-9]+ \\| `[A-Z_]+` \\|.*")).count();
    assertThat(rows).as("one row per msgType in the at-a-glance table, no stale ones").isEqualTo(MsgType.values().length);
  }

  @Test
  @DisplayName("every error code is listed with its number and HTTP status")
  void everyErrorCode() {
    for (ErrorCode c : ErrorCode.values()) {
      String row = "| `" + c.name() + "` | " + c.busCode() + " | " + c.httpStatus() + " |";
      assertThat(lines).as("error code row for %s", c).anyMatch(l -> l.startsWith(row));
    }
  }

  @Test
  @DisplayName("every close code and notice code is listed")
  void everyCloseAndNoticeCode() throws Exception {
    for (Field f : CloseCodes.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == short.class) {
        String row = "| " + f.getShort(null) + " | `" + f.getName() + "` |";
        assertThat(lines).as("close code row for %s", f.getName()).anyMatch(l -> l.startsWith(row));
      }
    }
    for (NoticeCode n : NoticeCode.values()) {
      assertThat(lines).as("notice code row for %s", n).anyMatch(l -> l.startsWith("| `" + n.name() + "` |"));
    }
  }

  @Test
  @DisplayName("the worked signature examples are what Signatures computes, over the canonical strings shown")
  void signatureExamples() {
    Set<String> seen = new TreeSet<>();
    for (int i = 0; i < blocks.size(); i++) {
      Block b = blocks.get(i);
      if (!b.info().equals(EXAMPLE)) {
        continue;
      }
      Map<String, String> in = fields(b);
      String scheme = in.get("scheme");
      assertThat(SCHEMES).as("scheme of the example on line %d", b.startLine()).contains(scheme);
      seen.add(scheme);
      String shown = result(scheme, in);
      String secret = in.get("secret");
      assertThat(computed(scheme, in)).as("%s example on line %d", scheme, b.startLine()).isEqualTo(shown);

      assertThat(i + 1).as("a canonical block follows the example on line %d", b.startLine()).isLessThan(blocks.size());
      Block canon = blocks.get(i + 1);
      assertThat(canon.info()).as("block after the example on line %d", b.startLine()).isEqualTo(CANONICAL);
      String canonical = String.join("\n", canon.lines());
      String overCanonical = scheme.startsWith("legacy-") ? Signatures.md5Hex(canonical) : Signatures.hmacHex(secret, canonical);
      assertThat(overCanonical).as("the canonical string on line %d signs to the example's result", canon.startLine())
        .isEqualTo(shown);
    }
    assertThat(seen).as("every signature scheme has a worked example").isEqualTo(new TreeSet<>(SCHEMES));
  }

  /** {@code key: value} lines (the value may be empty); the first ": " or a trailing ':' separates. */
  private static Map<String, String> fields(Block b) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String l : b.lines()) {
      int colon = l.indexOf(':');
      assertThat(colon).as("'key: value' line in the example on line %d: %s", b.startLine(), l).isPositive();
      String value = l.substring(colon + 1);
      m.put(l.substring(0, colon).trim(), value.startsWith(" ") ? value.substring(1) : value);
    }
    return m;
  }

  private static String result(String scheme, Map<String, String> in) {
    String key = switch (scheme) {
      case "login", "legacy-login" -> "sign";
      case "chat", "legacy-chat" -> "receiveSign";
      default -> "X-Signature";
    };
    assertThat(in).as("%s example gives its %s", scheme, key).containsKey(key);
    return in.get(key);
  }

  private static String computed(String scheme, Map<String, String> in) {
    String secret = in.get("secret");
    return switch (scheme) {
      case "login" -> Signatures.login(secret, in.get("appId"), in.get("userId"), in.get("loginId"), in.get("role"), in.get("txNo"));
      case "legacy-login" -> Signatures.legacyLogin(secret, in.get("appId"), in.get("userId"), in.get("loginId"), in.get("txNo"));
      case "chat" -> Signatures.chat(secret, in.get("appId"), in.get("sender"), in.get("receiveUserId"),
        Long.parseLong(in.get("timestamp")));
      case "legacy-chat" -> Signatures.legacyChat(secret, in.get("appId"), in.get("receiveUserId"), Long.parseLong(in.get("timestamp")));
      default -> Signatures.api(secret, in.get("method"), in.get("X-App-Id"), in.get("path-with-query"), in.get("X-Timestamp"),
        in.get("X-Nonce"), in.get("body"));
    };
  }
}
