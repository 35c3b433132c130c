package com.seedim.im.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.StrictJson;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Property-based fuzzing of {@link FrameDecoder#decode} (docs/security-notes/fuzzing.md): arbitrary strings and
 * hostile JSON-ish frames, checked against the rules of PROTOCOL.md §1/§3 and against a reference parse by Vert.x.
 * The seed corpus under {@code src/test/resources/fuzz/frames} is replayed by {@link #corpus()} on every run.
 */
class FrameDecoderProperties {
  static final int MAX = 131072;
  static final Set<ErrorCode> CODES = EnumSet.of(ErrorCode.INVALID_JSON, ErrorCode.UNKNOWN_MSG_TYPE,
    ErrorCode.MISSING_FIELD, ErrorCode.INVALID_FIELD, ErrorCode.TOO_LARGE);
  private static final Pattern UNIQUE = Pattern.compile("[\\x20-\\x7E]{1,64}");
  private static final Pattern NUMBER = Pattern.compile("-?[0-9]{1,16}");
  private static final int[] CLIENT_TYPES = Arrays.stream(MsgType.values()).filter(MsgType::fromClient)
    .mapToInt(MsgType::code).toArray();

  /** The outcome of one decode: a decoded type and unique, or a refusal code. */
  record Outcome(ErrorCode refused, MsgType type, String unique) {
    @Override
    public String toString() {
      return refused != null ? refused.name() : "OK_" + type.code() + (unique == null ? "" : " unique=" + unique);
    }
  }

  // ---- the properties, shared by the generated inputs and the corpus --------------------------------------------

  /** Decodes and checks every property; returns the outcome. */
  static Outcome check(String text, int max) {
    Outcome first = decodeChecked(text, max);
    // deterministic: a second decode gives the same result (and the same frame, checked inside)
    Outcome second = decodeChecked(text, max);
    assertThat(second).as("decode is deterministic for %s", show(text)).isEqualTo(first);

    // TOO_LARGE exactly when the UTF-8 form exceeds the limit
    boolean tooLarge = text.getBytes(StandardCharsets.UTF_8).length > max;
    assertThat(first.refused() == ErrorCode.TOO_LARGE).as("TOO_LARGE iff over %d bytes: %s", max, show(text))
      .isEqualTo(tooLarge);
    if (tooLarge) {
      return first;
    }
    // reference: Vert.x's own decoder on the same text
    JsonObject ref;
    try {
      ref = new JsonObject(text);
    } catch (DecodeException | IllegalStateException e) {
      ref = null;
    }
    if (ref == null) {
      assertThat(first.refused()).as("Vert.x refuses %s, so must the decoder", show(text)).isEqualTo(ErrorCode.INVALID_JSON);
      return first;
    }
    if (first.refused() == ErrorCode.INVALID_JSON) {
      String why = strictOnly(text, ref);
      assertThat(why).as("INVALID_JSON for %s, which Vert.x parses and that has no comment, duplicate key, "
        + "excess depth or long number", show(text)).isNotNull();
      return first;
    }
    Outcome expected = reference(ref);
    assertThat(first).as("decode(%s) agrees with the reference reading of Vert.x's parse %s", show(text), ref.encode())
      .isEqualTo(expected);
    return first;
  }

  private static Outcome decodeChecked(String text, int max) {
    FrameDecoder.Decoded d;
    try {
      d = FrameDecoder.decode(text, max);
    } catch (FrameDecoder.Refused r) {
      assertThat(CODES).as("refusal code for %s", show(text)).contains(r.code);
      assertThat(r.getMessage()).isNotNull().hasSizeLessThanOrEqualTo(200);
      if (r.code == ErrorCode.INVALID_JSON || r.code == ErrorCode.TOO_LARGE) {
        assertThat(r.receiveMsgType).isZero();
        assertThat(r.frame).isNull();
      }
      if (r.frame != null) {
        assertBounded(r.frame, text);
      }
      return new Outcome(r.code, null, null);
    } catch (Throwable t) {
      throw new AssertionError("decode threw " + t + " (not FrameDecoder.Refused) for " + show(text), t);
    }
    assertThat(d.type()).isNotNull();
    assertThat(d.type().fromClient()).as("decoded type %s is a client type", d.type()).isTrue();
    assertThat(d.frame()).isNotNull();
    if (d.type() == MsgType.ACK || d.type() == MsgType.PUSH_ACK) {
      assertThat(d.unique()).as("acks carry no unique").isNull();
    } else if (d.unique() != null) {
      assertThat(d.unique()).matches(UNIQUE);
    }
    assertBounded(d.frame(), text);
    return new Outcome(null, d.type(), d.unique());
  }

  /** The retained frame is no bigger than its text allows (numbers like 1e6 re-encode as 1000000.0: factor 3). */
  private static void assertBounded(JsonObject frame, String text) {
    assertThat(frame.encode().length()).as("re-encoded size of %s", show(text)).isLessThanOrEqualTo(3 * text.length() + 16);
  }

  /**
   * What PROTOCOL.md §1/§3 make of an object Vert.x parsed: msgType a JSON integer (Jackson also yields integral
   * doubles such as 130.0 or 1.3e2, which the server takes as integers) or a string {@code -?[0-9]{1,16}} within the
   * int range; a known client type; {@code unique} null, 1-64 printable ASCII, or an integer in decimal form.
   */
  static Outcome reference(JsonObject o) {
    Object v = o.getValue("msgType");
    if (v == null) {
      return new Outcome(ErrorCode.MISSING_FIELD, null, null);
    }
    Long n = null;
    if (v instanceof Integer || v instanceof Long) {
      n = ((Number) v).longValue();
    } else if (v instanceof String s && NUMBER.matcher(s).matches()) {
      n = Long.parseLong(s);
    } else if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e16) {
      n = d.longValue();
    }
    if (n == null || n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
      return new Outcome(ErrorCode.INVALID_FIELD, null, null);
    }
    MsgType t = MsgType.of(n.intValue());
    if (t == MsgType.ACK || t == MsgType.PUSH_ACK) {
      return new Outcome(null, t, null);
    }
    if (t == null || !t.fromClient()) {
      return new Outcome(ErrorCode.UNKNOWN_MSG_TYPE, null, null);
    }
    Object u = o.getValue("unique");
    String unique;
    if (u == null) {
      unique = null;
    } else if (u instanceof String s) {
      unique = s;
    } else if (u instanceof Integer || u instanceof Long || u instanceof BigInteger) {
      unique = u.toString();
    } else if (u instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
      unique = Long.toString(d.longValue());
    } else {
      return new Outcome(ErrorCode.INVALID_FIELD, null, null);
    }
    if (unique != null && !UNIQUE.matcher(unique).matches()) {
      return new Outcome(ErrorCode.INVALID_FIELD, null, null);
    }
    return new Outcome(null, t, unique);
  }

  private static final JsonFactory LENIENT_DUPLICATES = JsonFactory.builder()
    .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100_000).maxNumberLength(1_000_000).build())
    .build();
  private static final JsonFactory NO_COMMENTS = JsonFactory.builder()
    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100_000).maxNumberLength(1_000_000).build())
    .build();
  private static final Pattern LONG_NUMBER = Pattern.compile("[0-9]{" + (StrictJson.MAX_NUMBER_CHARS + 1) + ",}|[0-9.]{"
    + (StrictJson.MAX_NUMBER_CHARS + 2) + ",}");

  /** Why StrictJson may refuse text that Vert.x accepts (null: no reason, a discrepancy). */
  static String strictOnly(String text, JsonObject ref) {
    if (fails(LENIENT_DUPLICATES, text)) {
      return "duplicate key";
    }
    if ((text.contains("/*") || text.contains("//")) && fails(NO_COMMENTS, text)) {
      return "comment";
    }
    if (depth(ref) > StrictJson.MAX_DEPTH) {
      return "depth";
    }
    if (LONG_NUMBER.matcher(text).find()) {
      return "long number";
    }
    return null;
  }

  private static boolean fails(JsonFactory f, String text) {
    try (JsonParser p = f.createParser(text)) {
      while (p.nextToken() != null) {
        p.skipChildren();
      }
      return false;
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  static int depth(Object v) {
    if (v instanceof JsonObject o) {
      int d = 0;
      for (String k : o.fieldNames()) {
        d = Math.max(d, depth(o.getValue(k)));
      }
      return d + 1;
    }
    if (v instanceof JsonArray a) {
      int d = 0;
      for (int i = 0; i < a.size(); i++) {
        d = Math.max(d, depth(a.getValue(i)));
      }
      return d + 1;
    }
    return 0;
  }

  // ---- generators ------------------------------------------------------------------------------------------------

  static Arbitrary<String> anyText() {
    return Arbitraries.oneOf(
      Arbitraries.strings().all().ofMaxLength(60),
      Arbitraries.strings().ascii().ofMaxLength(60),
      Arbitraries.strings().withChars("{}[]\":,0123456789.eE+-truefalsn \\/*msgTypeuniq").ofMaxLength(80));
  }

  /** msgType values as JSON text: valid codes in many spellings, and hostile ones. */
  static Arbitrary<String> msgTypeValue() {
    Arbitrary<Integer> code = Arbitraries.oneOf(Arbitraries.of(Arrays.stream(CLIENT_TYPES).boxed().toList()),
      Arbitraries.of(Arrays.stream(MsgType.values()).map(MsgType::code).toList()), Arbitraries.integers());
    return Arbitraries.oneOf(
      code.map(String::valueOf),
      code.map(c -> "\"" + c + "\""),
      code.map(c -> c + ".0"),
      code.map(c -> c + "e0"),
      code.map(c -> "\" " + c + "\""),
      code.map(c -> "\"0" + c + "\""),
      code.map(c -> "\"+" + c + "\""),
      code.map(c -> String.valueOf(c + 4294967296L)),
      code.map(c -> "\"" + (c + 4294967296L) + "\""),
      code.map(c -> "[" + c + "]"),
      code.map(c -> "{\"msgType\":" + c + "}"),
      Arbitraries.longs().map(String::valueOf),
      Arbitraries.bigIntegers().between(BigInteger.TEN.pow(17).negate(), BigInteger.TEN.pow(70)).map(BigInteger::toString),
      Arbitraries.doubles().map(d -> Double.isFinite(d) ? String.valueOf(d) : "1e999"),
      Arbitraries.of("4294967426", "\"4294967426\"", "-4294967166", "18446744073709551746", "1.3e2", "13E1",
        "130.000000000000001", "1.30e+2", "NaN", "Infinity", "-Infinity", "-0", "-0.0", "0x82", "\"\"", "\"\\u0031\\u0033\\u0030\"",
        "true", "null", "\"130 \"", "\"1\u0663\u0660\"", "\"\uFF11\uFF13\uFF10\"", "1e400", "-1e400", "\"9999999999999999\"",
        "\"99999999999999999\"", "2147483648", "-2147483649", "130\u0000"));
  }

  static Arbitrary<String> jsonString() {
    return Arbitraries.oneOf(
      Arbitraries.strings().ascii().ofMaxLength(70).map(FrameDecoderProperties::quote),
      Arbitraries.strings().all().ofMaxLength(20).map(FrameDecoderProperties::quote),
      Arbitraries.strings().all().ofMaxLength(10).map(s -> "\"" + s.replace("\"", "") + "\""), // raw, unescaped
      Arbitraries.of("\"\\uD800\"", "\"\\uDC00x\"", "\"\\uD83D\\uDE00\"", "\"\\u0000\"", "\"\\/\"", "\"\\x41\"", "\"\\u12\"",
        "\"\uD800\"", "\"\uFEFF\"", "\"" + "u".repeat(64) + "\"", "\"" + "u".repeat(65) + "\"", "\" \"", "\"\\u007f\"",
        "\"\\t\"", "\"\\n\""));
  }

  /** Any JSON-ish value text, nested up to {@code depth}. */
  static Arbitrary<String> valueText(int depth) {
    Arbitrary<String> scalar = Arbitraries.oneOf(jsonString(), msgTypeValue(),
      Arbitraries.of("true", "false", "null", "0", "-1", "1e308", "5e-324", "123456789012345678901234567890"));
    if (depth <= 0) {
      return scalar;
    }
    Arbitrary<String> array = Arbitraries.lazy(() -> valueText(depth - 1)).list().ofMaxSize(3)
      .map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> object = Combinators.combine(Arbitraries.oneOf(jsonString(), Arbitraries.of("\"msgType\"", "\"unique\"")),
        Arbitraries.lazy(() -> valueText(depth - 1))).as((k, v) -> k + ":" + v).list().ofMaxSize(3)
      .map(l -> "{" + String.join(",", l) + "}");
    return Arbitraries.frequencyOf(Tuple.of(4, scalar), Tuple.of(1, array), Tuple.of(1, object));
  }

  static Arbitrary<String> key() {
    return Arbitraries.frequencyOf(
      Tuple.of(6, Arbitraries.of("\"msgType\"", "\"unique\"", "\"mark\"", "\"receiveUserId\"", "\"message\"")),
      Tuple.of(2, Arbitraries.of("\"msg\\u0054ype\"", "\"\\u006dsgType\"", "\"uniqu\\u0065\"", "\"MsgType\"", "\"msgType \"",
        "\"msgtype\"", "\"msgType\\u0000\"", "\"m\\u0073gType\"", "\"msg\uFEFFType\"", "\"\"", "\"__proto__\"")),
      Tuple.of(2, jsonString()));
  }

  /** One field "key":value, the value chosen to suit well-known keys. */
  static Arbitrary<String> field() {
    return key().flatMap(k -> {
      Arbitrary<String> v = switch (k) {
        case "\"msgType\"" -> msgTypeValue();
        case "\"unique\"" -> Arbitraries.oneOf(jsonString(), msgTypeValue());
        case "\"mark\"" -> Arbitraries.oneOf(valueText(3), nested());
        default -> valueText(2);
      };
      return v.map(val -> k + ":" + val);
    });
  }

  /** Deep nesting around a value (a decoy msgType inside), near and far beyond {@link StrictJson#MAX_DEPTH}. */
  static Arbitrary<String> nested() {
    return Combinators.combine(Arbitraries.oneOf(Arbitraries.integers().between(1, 40), Arbitraries.integers().between(28, 36),
        Arbitraries.integers().between(40, 5000)), Arbitraries.of(true, false), msgTypeValue())
      .as((n, arrays, inner) -> arrays ? "[".repeat(n) + inner + "]".repeat(n)
        : "{\"msgType\":".repeat(n) + inner + "}".repeat(n));
  }

  static Arbitrary<String> separator() {
    return Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just(",")),
      Tuple.of(1, Arbitraries.of(", ", " ,\n", "/*c*/,", ",//c\n", ",,", "", ";", ",#c\n", "\u00a0,", ",\u2028")));
  }

  /** A frame-like text: fields (maybe duplicated, maybe decoys), separators, optional prefix and trailing content. */
  @Provide
  Arbitrary<String> frames() {
    Arbitrary<String> body = Combinators.combine(field().list().ofMaxSize(6), separator().list().ofSize(6),
      Arbitraries.integers().between(0, 9)).as((fields, seps, dup) -> {
      List<String> fs = new ArrayList<>(fields);
      if (dup == 0 && !fs.isEmpty()) {
        fs.add(fs.get(0)); // an exact duplicate
      }
      StringBuilder b = new StringBuilder("{");
      for (int i = 0; i < fs.size(); i++) {
        if (i > 0) {
          b.append(seps.get(i % seps.size()));
        }
        b.append(fs.get(i));
      }
      return b.append('}').toString();
    });
    Arbitrary<String> prefix = Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just("")),
      Tuple.of(1, Arbitraries.of("\uFEFF", " ", "\n\t", "/*x*/", "//x\n", "[", "\u0000", "\uFFFE", "\u00a0")));
    Arbitrary<String> suffix = Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.just("")),
      Tuple.of(1, Arbitraries.of(" ", "\n", "}", "{}", " {\"msgType\":130}", "x", "\u0000", "//x", "/*", ",", "]", "\uFEFF",
        "\r\n")));
    return Combinators.combine(prefix, body, suffix).as((p, b, s) -> p + b + s);
  }

  /** Mutations of valid-looking frames: a character inserted, deleted or replaced, or the text cut. */
  @Provide
  Arbitrary<String> mutated() {
    return Combinators.combine(frames(), Arbitraries.integers().between(0, 10_000).withDistribution(RandomDistribution.uniform()),
      Arbitraries.chars().all(), Arbitraries.integers().between(0, 3)).as((s, pos, c, op) -> {
      int p = pos % (s.length() + 1);
      return switch (op) {
        case 0 -> s.substring(0, p) + c + s.substring(p);
        case 1 -> p < s.length() ? s.substring(0, p) + s.substring(p + 1) : s;
        case 2 -> p < s.length() ? s.substring(0, p) + c + s.substring(p + 1) : s;
        default -> s.substring(0, p);
      };
    });
  }

  @Provide
  Arbitrary<String> strings() {
    return anyText();
  }

  /** Sizes around a small frame limit. */
  @Provide
  Arbitrary<Integer> limits() {
    return Arbitraries.oneOf(Arbitraries.integers().between(0, 64), Arbitraries.just(MAX));
  }

  // ---- properties ------------------------------------------------------------------------------------------------

  @Property
  void arbitraryStrings(@ForAll("strings") String text) {
    check(text, MAX);
  }

  @Property
  void jsonishFrames(@ForAll("frames") String text) {
    check(text, MAX);
  }

  @Property
  void mutatedFrames(@ForAll("mutated") String text) {
    check(text, MAX);
  }

  @Property
  void frameLimit(@ForAll("frames") String text, @ForAll("limits") int max) {
    check(text, max);
  }

  @Property
  void oversizedFramesAreTooLarge(@ForAll("frames") String text, @ForAll("padding") String pad) {
    // multi-byte characters: the character count is below the limit, the UTF-8 size above it
    int max = 4096; // the same code path as MAX, cheaper to generate; the corpus and frameLimit cover other limits
    String big = text + pad.repeat(max / pad.length() / 2 + 1);
    check(big, max);
  }

  @Provide
  Arbitrary<String> padding() {
    return Arbitraries.of(" ", "\u00e9", "\u4e2d", "\uD83D\uDE00", "\uD800", "\n");
  }

  // ---- the seed corpus ----------------------------------------------------------------------------------------------

  /**
   * Replays every file of {@code fuzz/frames}: the whole file (UTF-8) is one frame. A file named
   * {@code <EXPECT>--<description>.txt} also pins the outcome: an error code (e.g. {@code INVALID_JSON}) or
   * {@code OK_<msgType>}.
   */
  @Example
  void corpus() throws IOException, URISyntaxException {
    Path dir = Path.of(Objects.requireNonNull(FrameDecoderProperties.class.getResource("/fuzz/frames")).toURI());
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(30);
    for (Path f : files) {
      String text = Files.readString(f, StandardCharsets.UTF_8);
      String name = f.getFileName().toString();
      Outcome o;
      try {
        o = check(text, MAX);
      } catch (AssertionError e) {
        throw new AssertionError("corpus file " + name + ": " + e.getMessage(), e);
      } catch (UncheckedIOException e) {
        throw e;
      }
      int cut = name.indexOf("--");
      if (cut > 0) {
        String expect = name.substring(0, cut);
        String got = o.refused() != null ? o.refused().name() : "OK_" + o.type().code();
        assertThat(got).as("corpus file %s", name).isEqualTo(expect);
      }
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------------------------

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** The input for a failure message: escaped and cut. */
  static String show(String s) {
    StringBuilder b = new StringBuilder("\"");
    int n = Math.min(s.length(), 300);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append('"');
    if (s.length() > n) {
      b.append("... (").append(s.length()).append(" chars)");
    }
    return b.toString();
  }
}
