package com.seedim.im.common.security;

import com.seedim.im.common.proto.Frames;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The canonical strings of the three HMAC schemes (PROTOCOL.md §2 connect, §5 chat permission, §7 HTTP API) are
 * injective over grammar-valid fields: each field's grammar excludes the '\n' separator (asserted), the signature is
 * the HMAC of exactly the spec's string (asserted against a JDK-only reference), and splitting that string on '\n'
 * gives the fields back (a left inverse, hence injective). Shifting characters between adjacent fields, the attack on
 * the original's plain concatenation, always changes the signature.
 */
class SignatureProperties {
  static final String SECRET = "fuzz-secret-0123456789abcdef0123456789";
  /** §7 header grammars, as HttpApi checks them. */
  static final Pattern NONCE = Pattern.compile("[\\x21-\\x7E]{1,64}");
  static final Pattern TIMESTAMP = Pattern.compile("-?[0-9]{1,16}");
  static final Pattern METHOD = Pattern.compile("[A-Z]{1,10}");
  /** A request-target as an HTTP/1.1 parser hands it over: no CR, LF or space. */
  static final Pattern TARGET = Pattern.compile("/[\\x21-\\x7E]*");

  // ---- generators ----------------------------------------------------------------------------------------------

  static Arbitrary<String> id() {
    return Arbitraries.oneOf(
      Arbitraries.strings().withChars("abAB019_.@:-").ofMinLength(1).ofMaxLength(6),
      Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.@:-")
        .ofMinLength(1).ofMaxLength(64));
  }

  static Arbitrary<String> role() {
    return Arbitraries.of("", "user", "agent", "custom", "kefu", "admin", "administrator", "AGENT", "Kefu");
  }

  static Arbitrary<String> digits() {
    return Arbitraries.oneOf(Arbitraries.longs().between(1, 9_999_999_999_999_999L).map(String::valueOf),
      Arbitraries.of("1", "10", "100", "1765000000000"));
  }

  @Provide
  Arbitrary<List<String>> login() {
    return Combinators.combine(id(), id(), Arbitraries.oneOf(id(), Arbitraries.of("", "null", "undefined")), role(), digits())
      .as(List::of);
  }

  @Provide
  Arbitrary<List<String>> chat() {
    return Combinators.combine(id(), id(), id(), Arbitraries.longs().between(-9_999_999_999_999_999L, 9_999_999_999_999_999L)
      .map(String::valueOf)).as(List::of);
  }

  @Provide
  Arbitrary<List<String>> api() {
    return Combinators.combine(Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH"), id(),
      Arbitraries.strings().withCharRange('!', '~').ofMaxLength(30).map(s -> "/" + s),
      Arbitraries.longs().between(0, 9_999_999_999_999_999L).map(String::valueOf),
      Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(64),
      Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(40), Arbitraries.of("", "\n", "{\"a\":\n1}")))
      .as(List::of);
  }

  @Provide
  Arbitrary<Integer> cuts() {
    return Arbitraries.integers().between(0, 1000).withDistribution(RandomDistribution.uniform());
  }

  // ---- the grammars exclude the separator ----------------------------------------------------------------------------

  @Property
  void idGrammarExcludesTheSeparator(@ForAll("anyText") String s) {
    if (Frames.isValidId(s)) {
      assertThat(s).doesNotContain("\n").matches("[A-Za-z0-9_.@:-]{1,64}");
    }
    if (NONCE.matcher(s).matches() || TIMESTAMP.matcher(s).matches() || METHOD.matcher(s).matches()
      || TARGET.matcher(s).matches()) {
      assertThat(s).doesNotContain("\n");
    }
  }

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(70),
      Arbitraries.strings().withChars("ab0_.@:-\n\r \u0085\u2028").ofMaxLength(70));
  }

  // ---- reference strings, and their inverse ------------------------------------------------------------------------

  @Property
  void loginIsTheHmacOfTheCanonicalString(@ForAll("login") List<String> f) {
    String canonical = "im2-login\n" + String.join("\n", f.subList(0, 4)) + "\n" + f.get(4);
    assertThat(Signatures.login(SECRET, f.get(0), f.get(1), f.get(2), f.get(3), f.get(4))).isEqualTo(hmac(canonical));
    assertThat(Arrays.asList(canonical.split("\n", -1))).isEqualTo(prepend("im2-login", f));
  }

  @Property
  void chatIsTheHmacOfTheCanonicalString(@ForAll("chat") List<String> f) {
    String canonical = "im2-chat\n" + String.join("\n", f);
    assertThat(Signatures.chat(SECRET, f.get(0), f.get(1), f.get(2), Long.parseLong(f.get(3)))).isEqualTo(hmac(canonical));
    assertThat(Arrays.asList(canonical.split("\n", -1))).isEqualTo(prepend("im2-chat", f));
  }

  @Property
  void apiIsTheHmacOfTheCanonicalString(@ForAll("api") List<String> f) {
    String canonical = String.join("\n", f);
    assertThat(Signatures.api(SECRET, f.get(0), f.get(1), f.get(2), f.get(3), f.get(4), f.get(5))).isEqualTo(hmac(canonical));
    // the body is last and may hold '\n': split the first five separators only
    assertThat(Arrays.asList(canonical.split("\n", 6))).isEqualTo(f);
  }

  // ---- shifting characters between adjacent fields never keeps the signature --------------------------------------

  @Property
  void loginShiftChangesTheSign(@ForAll("login") List<String> f, @ForAll("cuts") int field, @ForAll("cuts") int cut) {
    List<String> g = shift(f, field % (f.size() - 1), cut);
    if (!g.equals(f)) {
      assertThat(Signatures.login(SECRET, g.get(0), g.get(1), g.get(2), g.get(3), g.get(4)))
        .as("%s vs %s", f, g).isNotEqualTo(Signatures.login(SECRET, f.get(0), f.get(1), f.get(2), f.get(3), f.get(4)));
    }
  }

  @Property
  void chatShiftChangesTheSign(@ForAll("chat") List<String> f, @ForAll("cuts") int field, @ForAll("cuts") int cut) {
    List<String> g = shift(f, field % (f.size() - 1), cut);
    if (!g.equals(f) && TIMESTAMP.matcher(g.get(3)).matches()) {
      assertThat(Signatures.chat(SECRET, g.get(0), g.get(1), g.get(2), Long.parseLong(g.get(3))))
        .as("%s vs %s", f, g).isNotEqualTo(Signatures.chat(SECRET, f.get(0), f.get(1), f.get(2), Long.parseLong(f.get(3))));
    }
  }

  @Property
  void apiShiftChangesTheSign(@ForAll("api") List<String> f, @ForAll("cuts") int field, @ForAll("cuts") int cut) {
    List<String> g = shift(f, field % (f.size() - 1), cut);
    // only grammar-valid shifts: a '\n' moved from the body into the nonce is refused by HttpApi (NONCE) before
    // any signature check, and is exactly what would make the string ambiguous
    if (!g.equals(f) && NONCE.matcher(g.get(4)).matches() && g.subList(0, 5).stream().noneMatch(x -> x.contains("\n"))) {
      assertThat(Signatures.api(SECRET, g.get(0), g.get(1), g.get(2), g.get(3), g.get(4), g.get(5)))
        .as("%s vs %s", f, g).isNotEqualTo(Signatures.api(SECRET, f.get(0), f.get(1), f.get(2), f.get(3), f.get(4), f.get(5)));
    }
  }

  /**
   * The legacy connect string MD5("10" + appId + userId + loginId? + txNo + secret) is injective only under the
   * constraints Handshake adds for legacy apps: userId digits (the default userIdPattern), loginId a UUID or absent,
   * txNo exactly 13 digits without a leading zero. Generated pairs that satisfy them never share a sign.
   */
  @Property
  void legacyLoginInjectiveUnderItsGrammar(@ForAll("legacy") List<String> a, @ForAll("legacy") List<String> b) {
    if (!a.equals(b)) {
      assertThat(Signatures.legacyLogin(SECRET, "1477358668", a.get(0), a.get(1), a.get(2)))
        .isNotEqualTo(Signatures.legacyLogin(SECRET, "1477358668", b.get(0), b.get(1), b.get(2)));
      // and the concatenation itself differs (MD5 collisions aside)
      assertThat(a.get(0) + a.get(1) + a.get(2)).isNotEqualTo(b.get(0) + b.get(1) + b.get(2));
    }
  }

  @Provide
  Arbitrary<List<String>> legacy() {
    // small alphabets so that equal concatenations are likely if they were possible
    return Combinators.combine(Arbitraries.strings().withChars("10").ofMinLength(1).ofMaxLength(3),
      Arbitraries.of("", "10000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000001"),
      Arbitraries.of("1000000000000", "1000000000001", "1100000000000")).as(List::of);
  }

  // ---- helpers -------------------------------------------------------------------------------------------------------

  /** Moves characters across the boundary between field {@code i} and {@code i + 1}. */
  static List<String> shift(List<String> f, int i, int cut) {
    String a = f.get(i);
    String b = f.get(i + 1);
    String joined = a + b;
    int k = cut % (joined.length() + 1);
    String[] out = f.toArray(new String[0]);
    out[i] = joined.substring(0, k);
    out[i + 1] = joined.substring(k);
    return List.of(out);
  }

  static List<String> prepend(String head, List<String> f) {
    String[] out = new String[f.size() + 1];
    out[0] = head;
    for (int i = 0; i < f.size(); i++) {
      out[i + 1] = f.get(i);
    }
    return Arrays.asList(out);
  }

  static String hmac(String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
