package com.seedim.im.common.proto;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;

import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Property-based fuzzing of {@link StrictJson} (docs/security-notes/fuzzing.md). Tries: {@code jqwik.tries.default}
 * (src/test/resources/junit-platform.properties; raise it with {@code -Djqwik.tries.default=N} for a campaign).
 */
class StrictJsonProperties {

  // ---- generators ----------------------------------------------------------------------------------------------

  /** Any Java string, including lone surrogates, control characters and non-BMP code points. */
  static Arbitrary<String> anyString() {
    return Arbitraries.oneOf(
      Arbitraries.strings().all().ofMaxLength(12),
      Arbitraries.strings().ascii().ofMaxLength(12),
      Arbitraries.strings().withChars("\"\\/\u0000\u001f\u007f\u2028\u2029\uFEFF\uD800\uDC00\uDBFF\uDFFF\n\r\t{}[]:,")
        .ofMaxLength(8),
      Arbitraries.of("", "msgType", "unique", "mark", "__proto__", "constructor", "NaN", "null"));
  }

  static Arbitrary<Object> scalar() {
    return Arbitraries.oneOf(
      anyString().map(s -> (Object) s),
      Arbitraries.integers().map(i -> (Object) i),
      Arbitraries.longs().filter(l -> l < Integer.MIN_VALUE || l > Integer.MAX_VALUE).map(l -> (Object) l),
      Arbitraries.bigIntegers().between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40))
        .filter(b -> b.bitLength() > 63).map(b -> (Object) b),
      Arbitraries.doubles().filter(Double::isFinite).map(d -> (Object) d),
      Arbitraries.of(Boolean.TRUE, Boolean.FALSE),
      Arbitraries.just(null));
  }

  static Arbitrary<Object> value(int depth) {
    if (depth <= 0) {
      return scalar();
    }
    return Arbitraries.frequencyOf(
      net.jqwik.api.Tuple.of(5, scalar()),
      net.jqwik.api.Tuple.of(1, object(depth - 1).map(o -> (Object) o)),
      net.jqwik.api.Tuple.of(1, array(depth - 1).map(a -> (Object) a)));
  }

  static Arbitrary<JsonArray> array(int depth) {
    return Arbitraries.lazy(() -> value(depth)).list().ofMaxSize(4).map(JsonArray::new);
  }

  static Arbitrary<JsonObject> object(int depth) {
    return Arbitraries.maps(anyString(), Arbitraries.lazy(() -> value(depth))).ofMaxSize(4).map(m -> {
      JsonObject o = new JsonObject();
      m.forEach(o::put);
      return o;
    });
  }

  @Provide
  Arbitrary<JsonObject> objects() {
    return object(4);
  }

  /** Encodings of generated objects, then mutated: characters inserted, deleted, replaced, or the text cut. */
  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> base = object(4).map(JsonObject::encode);
    Arbitrary<String> fragment = Arbitraries.oneOf(
      Arbitraries.of("/*x*/", "//x\n", "#", ",", ":", "{", "}", "[", "]", "\"", "\\", "\\u", "\\uD800", "NaN", "Infinity",
        "-", "0", "01", "1e999", "-0", "1.", ".5", "\uFEFF", "\u0000", " ", "\t", "\n", "true", "nul", "'a'",
        "\"a\":1,", "\"a\":1,\"a\":2", "{\"a\":1}", "]]]]", "{{{{", "1".repeat(70)),
      anyString());
    Arbitrary<String> mutated = Combinators.combine(base, Arbitraries.integers().between(0, 1000).withDistribution(RandomDistribution.uniform()), fragment,
      Arbitraries.integers().between(0, 4)).as((s, pos, frag, op) -> {
      int p = s.isEmpty() ? 0 : pos % (s.length() + 1);
      return switch (op) {
        case 0 -> s.substring(0, p) + frag + s.substring(p);
        case 1 -> p < s.length() ? s.substring(0, p) + s.substring(p + 1) : s;
        case 2 -> p < s.length() ? s.substring(0, p) + frag + s.substring(p + 1) : s + frag;
        case 3 -> s.substring(0, p);
        default -> s + frag;
      };
    });
    return Arbitraries.oneOf(base, mutated, Arbitraries.strings().all().ofMaxLength(40),
      Arbitraries.strings().withChars("{}[]\":,0123456789.eE+-truefalsn \\/*").ofMaxLength(60));
  }

  // ---- properties ----------------------------------------------------------------------------------------------

  @Property
  void roundTrip(@ForAll("objects") JsonObject o) {
    String text = o.encode();
    JsonObject parsed = StrictJson.parseObject(text);
    assertThat(parsed).isEqualTo(o);
    assertThat(parsed.encode()).isEqualTo(text);
  }

  @Property
  void acceptedMeansVertxAcceptsTheSame(@ForAll("texts") String text) {
    JsonObject strict;
    try {
      strict = StrictJson.parseObject(text);
    } catch (ProtocolException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON);
      assertThat(e.getMessage()).doesNotContain(text.length() > 3 ? text : "\u0000\u0000never");
      return;
    } catch (Throwable t) {
      fail("StrictJson threw " + t + " for " + escape(text));
      return;
    }
    JsonObject vertx;
    try {
      vertx = new JsonObject(text);
    } catch (DecodeException e) {
      fail("StrictJson accepted what Vert.x refuses (" + e.getMessage() + "): " + escape(text));
      return;
    }
    assertThat(strict).isEqualTo(vertx);
    assertThat(strict.encode()).isEqualTo(vertx.encode());
  }

  @Property
  void nestingBoundary(@ForAll("depths") int depth, @ForAll("containers") List<Boolean> arrays) {
    StringBuilder open = new StringBuilder("{\"m\":");
    StringBuilder close = new StringBuilder();
    for (int i = 1; i < depth; i++) {
      boolean a = arrays.get(i % arrays.size());
      open.append(a ? "[" : "{\"k\":");
      close.insert(0, a ? "]" : "}");
    }
    String text = open + "1" + close + "}";
    boolean accepted;
    try {
      StrictJson.parseObject(text);
      accepted = true;
    } catch (ProtocolException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON);
      accepted = false;
    }
    assertThat(accepted).as("depth %d", depth).isEqualTo(depth <= StrictJson.MAX_DEPTH);
  }

  @Provide
  Arbitrary<Integer> depths() {
    return Arbitraries.oneOf(Arbitraries.integers().between(1, 40), Arbitraries.integers().between(30, 34),
      Arbitraries.integers().between(41, 3000));
  }

  @Provide
  Arbitrary<List<Boolean>> containers() {
    return Arbitraries.of(true, false).list().ofMinSize(1).ofMaxSize(5);
  }

  @Property
  void numberLengthBoundary(@ForAll("digitCounts") int digits, @ForAll boolean negative, @ForAll boolean fraction) {
    String n = (negative ? "-" : "") + "9".repeat(digits) + (fraction ? ".5" : "");
    String text = "{\"n\":" + n + "}";
    boolean accepted;
    try {
      JsonObject o = StrictJson.parseObject(text);
      assertThat(o).isEqualTo(new JsonObject(text));
      accepted = true;
    } catch (ProtocolException e) {
      assertThat(e.code()).isEqualTo(ErrorCode.INVALID_JSON);
      accepted = false;
    }
    // Jackson's limit counts the digits of the literal (not its sign or decimal point)
    int counted = digits + (fraction ? 1 : 0);
    assertThat(accepted).as("%s chars", n.length()).isEqualTo(counted <= StrictJson.MAX_NUMBER_CHARS);
  }

  @Provide
  Arbitrary<Integer> digitCounts() {
    return Arbitraries.oneOf(Arbitraries.integers().between(1, 70), Arbitraries.integers().between(60, 66),
      Arbitraries.integers().between(71, 20000));
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
