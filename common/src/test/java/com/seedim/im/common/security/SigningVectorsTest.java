package com.seedim.im.common.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * docs/signing-vectors.json is what client authors test their signers against, so every vector in it must be what
 * the server computes: each signature is recomputed with {@link Signatures} from the vector's inputs, and each
 * canonical string must be the exact string signed (its HMAC-SHA256, or MD5, is the signature). The file must also be
 * exactly what {@link SigningVectors} generates; regenerate it with
 * {@code mvn -o -pl common test -Dtest=SigningVectorsTest -Dsigning.vectors.write=true}.
 *
 * <p>The HTTP API's verifier (the gateway's {@code ApiAuth}) computes its expected signature with
 * {@link Signatures#api} over the request target as sent, so checking {@link Signatures#api} here covers it.
 */
class SigningVectorsTest {
  private static final Path FILE = Path.of("..", "docs", "signing-vectors.json");
  private static final String WRITE = "signing.vectors.write";
  private static final Set<String> SCHEMES = Set.of("login", "legacy-login", "chat", "legacy-chat", "api");
  /** Every scheme has edge cases, so at least this many vectors. */
  private static final int MIN_PER_SCHEME = 2;

  private static String fileText;
  private static JsonObject file;

  @BeforeAll
  static void read() throws Exception {
    String generated = SigningVectors.document().encodePrettily() + "\n";
    if (Boolean.getBoolean(WRITE)) {
      Files.writeString(FILE, generated, StandardCharsets.UTF_8);
    }
    fileText = Files.readString(FILE, StandardCharsets.UTF_8);
    file = new JsonObject(fileText);
  }

  @Test
  @DisplayName("the file is exactly what SigningVectors generates from Signatures (else: which vectors differ)")
  void fileIsGenerated() {
    JsonObject generated = SigningVectors.document();
    Map<String, JsonObject> inFile = byId(file.getJsonArray("vectors"));
    Map<String, JsonObject> fromCode = byId(generated.getJsonArray("vectors"));
    List<String> diffs = new ArrayList<>();
    for (String id : fromCode.keySet()) {
      if (!fromCode.get(id).equals(inFile.get(id))) {
        diffs.add(id + ":\n  file: " + inFile.get(id) + "\n  code: " + fromCode.get(id));
      }
    }
    inFile.keySet().stream().filter(id -> !fromCode.containsKey(id)).forEach(id -> diffs.add(id + ": only in the file"));
    if (!diffs.isEmpty()) {
      fail(FILE + " disagrees with the code for " + diffs.size() + " vector(s); if the code is right, regenerate it with "
        + "-D" + WRITE + "=true:\n" + String.join("\n", diffs));
    }
    assertThat(fileText).as("the file's text (regenerate with -D" + WRITE + "=true)")
      .isEqualTo(generated.encodePrettily() + "\n");
  }

  @Test
  @DisplayName("every vector's signature is what Signatures computes, and its canonical string is what is signed")
  void everyVectorVerifies() {
    assertThat(file.getInteger("version")).isEqualTo(SigningVectors.VERSION);
    JsonArray vectors = file.getJsonArray("vectors");
    assertThat(vectors).isNotEmpty();
    for (Object o : vectors) {
      JsonObject v = (JsonObject) o;
      assertThat(problems(v)).as(v.getString("id")).isEmpty();
    }
  }

  @Test
  @DisplayName("every scheme has several vectors, from more than one app; the API ones cover the edge cases")
  void coverage() {
    Map<String, List<JsonObject>> byScheme = file.getJsonArray("vectors").stream().map(JsonObject.class::cast)
      .collect(Collectors.groupingBy(v -> v.getString("scheme")));
    assertThat(byScheme.keySet()).isEqualTo(SCHEMES);
    byScheme.forEach((scheme, vs) -> {
      assertThat(vs).as(scheme).hasSizeGreaterThanOrEqualTo(MIN_PER_SCHEME);
      assertThat(vs.stream().map(v -> v.getJsonObject("inputs").getString("appId")).distinct()).as(scheme + " apps")
        .hasSizeGreaterThan(1);
    });
    List<JsonObject> api = byScheme.get("api").stream().map(v -> v.getJsonObject("inputs")).toList();
    assertThat(api).as("an empty body").anyMatch(in -> in.getString("body").isEmpty());
    assertThat(api).as("a path without a query").anyMatch(in -> !in.getString("pathWithQuery").contains("?"));
    assertThat(api).as("a non-ASCII body").anyMatch(in -> !StandardCharsets.US_ASCII.newEncoder().canEncode(in.getString("body")));
    assertThat(api.stream().map(in -> in.getString("method")).distinct()).as("methods").hasSizeGreaterThan(2);
  }

  @Test
  @DisplayName("a tampered vector fails: another signature, canonical string, input or secret")
  void tamperedVectorsFail() {
    for (Object o : file.getJsonArray("vectors")) {
      JsonObject v = (JsonObject) o;
      String id = v.getString("id");
      JsonObject badSig = v.copy().put("signature", flipLast(v.getString("signature")));
      assertThat(problems(badSig)).as(id + " with another signature").isNotEmpty();
      JsonObject badCanonical = v.copy().put("canonical", v.getString("canonical") + " ");
      assertThat(problems(badCanonical)).as(id + " with another canonical string").isNotEmpty();
      for (String field : v.getJsonObject("inputs").fieldNames()) {
        JsonObject in = v.getJsonObject("inputs").copy();
        Object value = in.getValue(field);
        in.put(field, value instanceof Number n ? (Object) (n.longValue() + 1) : value + "x");
        assertThat(problems(v.copy().put("inputs", in))).as(id + " with another " + field).isNotEmpty();
      }
    }
  }

  /** What is wrong with a vector (empty when its signature and canonical string agree with {@link Signatures}). */
  private static List<String> problems(JsonObject v) {
    List<String> out = new ArrayList<>();
    JsonObject in = v.getJsonObject("inputs");
    String secret = in.getString("secret");
    String scheme = v.getString("scheme");
    String computed = switch (scheme) {
      case "login" -> Signatures.login(secret, in.getString("appId"), in.getString("userId"), in.getString("loginId"),
        in.getString("role"), in.getString("txNo"));
      case "legacy-login" -> Signatures.legacyLogin(secret, in.getString("appId"), in.getString("userId"),
        in.getString("loginId"), in.getString("txNo"));
      case "chat" -> Signatures.chat(secret, in.getString("appId"), in.getString("sender"), in.getString("receiveUserId"),
        in.getLong("timestamp"));
      case "legacy-chat" -> Signatures.legacyChat(secret, in.getString("appId"), in.getString("receiveUserId"),
        in.getLong("timestamp"));
      case "api" -> Signatures.api(secret, in.getString("method"), in.getString("appId"), in.getString("pathWithQuery"),
        in.getString("timestamp"), in.getString("nonce"), in.getString("body"));
      default -> null;
    };
    if (computed == null) {
      out.add("unknown scheme " + scheme);
      return out;
    }
    boolean md5 = scheme.startsWith("legacy-");
    if (!(md5 ? SigningVectors.MD5 : SigningVectors.HMAC).equals(v.getString("algorithm"))) {
      out.add("algorithm " + v.getString("algorithm") + " for scheme " + scheme);
    }
    String signature = v.getString("signature");
    if (!computed.equals(signature)) {
      out.add("signature " + signature + ", Signatures computes " + computed);
    }
    String canonical = v.getString("canonical");
    String ofCanonical = md5 ? Signatures.md5Hex(canonical) : Signatures.hmacHex(secret, canonical);
    if (!ofCanonical.equals(computed)) {
      out.add("the canonical string is not the one Signatures signs: " + canonical.replace("\n", "\\n"));
    }
    return out;
  }

  private static Map<String, JsonObject> byId(JsonArray vectors) {
    Map<String, JsonObject> out = new TreeMap<>();
    for (Object o : vectors) {
      JsonObject v = (JsonObject) o;
      if (out.put(v.getString("id"), v) != null) {
        fail("vector id " + v.getString("id") + " is used twice");
      }
    }
    return out;
  }

  private static String flipLast(String hex) {
    char last = hex.charAt(hex.length() - 1);
    return hex.substring(0, hex.length() - 1) + (last == '0' ? '1' : '0');
  }
}
