package com.seedim.im.gateway;

import io.netty.util.NetUtil;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Property-based fuzzing of {@link ClientAddress} (X-Forwarded-For behind trusted proxies, CIDR parsing). The labelled
 * generator knows what each hop is (trusted proxy, untrusted address, malformed); the oracle walks the hops from the
 * right: the first untrusted one is the client, a malformed one ends the walk with the peer.
 */
class ClientAddressProperties {
  static final ClientAddress ADDR = new ClientAddress(List.of("10.0.0.0/8", "192.168.1.0/24", "127.0.0.1", "::1/128",
    "fd00::/8"));

  enum Kind { TRUSTED, UNTRUSTED, MALFORMED }

  record Hop(Kind kind, String text) {
  }

  static Arbitrary<Hop> hop() {
    Arbitrary<Integer> octet = Arbitraries.integers().between(0, 255);
    Arbitrary<String> trusted = Arbitraries.oneOf(
      octet.list().ofSize(3).map(l -> "10." + l.get(0) + "." + l.get(1) + "." + l.get(2)),
      octet.map(o -> "192.168.1." + o),
      Arbitraries.of("127.0.0.1", "::1", "[::1]", "0:0:0:0:0:0:0:1", "fd00::1", "[fd12:3456::7]", "FD00::abcd"));
    Arbitrary<String> untrusted = Arbitraries.oneOf(
      octet.list().ofSize(4).filter(l -> l.get(0) != 10 && l.get(0) != 127 && !(l.get(0) == 192 && l.get(1) == 168 && l.get(2) == 1))
        .map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3)),
      Arbitraries.of("2001:db8::1", "[2001:db8::2]", "::2", "fe80::1", "192.168.2.1", "11.0.0.1", "9.255.255.255",
        "127.0.0.2", "::ffff:8.8.8.8", "fc00::1"));
    Arbitrary<String> malformed = Arbitraries.oneOf(
      Arbitraries.of("", " ", "unknown", "example.com", "1.2.3.4:80", "[1.2.3.4]:80", "_hidden", "10.0.0.1.5", "256.1.1.1",
        "1.2.3", "1.2.3.4/8", "::g", "[::1", "::1]", "\uFF11.2.3.4", "localhost", "0x0a.0.0.1",
        "10.0.0.1;", "\"10.0.0.1\"", "for=1.2.3.4", "1.2.3.4 5.6.7.8"),
      Arbitraries.strings().withChars("abcxyz:._-[]").ofMinLength(1).ofMaxLength(6)
        .filter(s -> NetUtil.createByteArrayFromIpAddressString(s.startsWith("[") && s.endsWith("]")
          ? s.substring(1, s.length() - 1) : s) == null));
    Arbitrary<String> ws = Arbitraries.of("", "", "", " ", "  ", "\t");
    return Arbitraries.frequencyOf(
        Tuple.of(4, trusted.map(s -> new Hop(Kind.TRUSTED, s))),
        Tuple.of(3, untrusted.map(s -> new Hop(Kind.UNTRUSTED, s))),
        Tuple.of(1, malformed.map(s -> new Hop(Kind.MALFORMED, s))))
      .flatMap(h -> Combinators.combine(ws, ws).as((a, b) -> new Hop(h.kind(), a + h.text() + b)));
  }

  @Provide
  Arbitrary<List<Hop>> hops() {
    return hop().list().ofMinSize(1).ofMaxSize(8);
  }

  @Provide
  Arbitrary<String> peers() {
    return Arbitraries.of("10.1.2.3", "127.0.0.1", "::1", "192.168.1.7", "8.8.8.8", "2001:db8::9", "garbage");
  }

  /** The oracle: the first untrusted hop from the right; the peer on a malformed one or when all are trusted. */
  static String expected(String peer, List<Hop> hops) {
    if (!List.of("10.1.2.3", "127.0.0.1", "::1", "192.168.1.7").contains(peer)) {
      return peer;
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      Hop h = hops.get(i);
      switch (h.kind()) {
        case MALFORMED -> {
          return peer;
        }
        case UNTRUSTED -> {
          String t = h.text().trim();
          return t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : t;
        }
        default -> { }
      }
    }
    return peer;
  }

  @Property
  void labelledHopsResolveToTheFirstUntrustedFromTheRight(@ForAll("peers") String peer, @ForAll("hops") List<Hop> hops) {
    List<String> texts = new ArrayList<>();
    hops.forEach(h -> texts.add(h.text()));
    String header = String.join(",", texts);
    String got = ADDR.resolve(peer, header);
    if (header.length() > ClientAddress.MAX_FORWARDED_CHARS) {
      assertThat(got).isEqualTo(peer);
    } else {
      assertThat(got).as("X-Forwarded-For '%s' from %s", header, peer).isEqualTo(expected(peer, hops));
    }
  }

  @Property
  void arbitraryHeadersNeverThrowAndOnlyTrustRightOfValidHops(@ForAll("peers") String peer, @ForAll("headers") String header) {
    String got;
    try {
      got = ADDR.resolve(peer, header);
    } catch (Throwable t) {
      throw new AssertionError("resolve threw " + t + " for '" + header + "'", t);
    }
    assertThat(got).isNotNull();
    if (got.equals(peer)) {
      return;
    }
    // got is one hop; every hop right of it is a well-formed trusted address
    String[] parts = header.split(",", -1);
    int at = -1;
    for (int i = parts.length - 1; i >= 0; i--) {
      String t = parts[i].trim();
      String s = t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : t;
      if (s.equals(got)) {
        at = i;
        break;
      }
      assertThat(NetUtil.createByteArrayFromIpAddressString(s)).as("hop '%s' right of the result in '%s'", parts[i], header)
        .isNotNull();
      assertThat(ADDR.trusted(s)).as("hop '%s' right of the result in '%s'", parts[i], header).isTrue();
    }
    assertThat(at).as("result %s is a hop of '%s'", got, header).isGreaterThanOrEqualTo(0);
    assertThat(NetUtil.createByteArrayFromIpAddressString(got)).isNotNull();
    assertThat(ADDR.trusted(got)).isFalse();
  }

  @Provide
  Arbitrary<String> headers() {
    return Arbitraries.oneOf(
      Arbitraries.strings().all().ofMaxLength(60),
      Arbitraries.strings().withChars("0123456789.:,[] abcdef%").ofMaxLength(80),
      hops().map(l -> String.join(",", l.stream().map(Hop::text).toList())),
      hops().map(l -> String.join(",", l.stream().map(Hop::text).toList()) + ","),
      Arbitraries.strings().withChars("1,").ofMinLength(1000).ofMaxLength(1100));
  }

  @Property
  void cidrParsingRefusesOnlyWithIllegalArgument(@ForAll("cidrs") String s) {
    ClientAddress.Cidr c;
    try {
      c = ClientAddress.parseCidr(s);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("gateway.trustedProxies:");
      return;
    } catch (Throwable t) {
      throw new AssertionError("parseCidr threw " + t + " for '" + s + "'", t);
    }
    assertThat(c.network().length).isIn(4, 16);
    assertThat(c.bits()).isBetween(0, c.network().length * 8);
    assertThat(c.contains(c.network())).isTrue();
    assertThat(c.contains(new byte[c.network().length == 4 ? 16 : 4])).isFalse();
  }

  @Provide
  Arbitrary<String> cidrs() {
    return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(30),
      Combinators.combine(Arbitraries.of("10.0.0.0", "::1", "[::1]", "fd00::", "1.2.3.4", "x", ""),
          Arbitraries.of("", "/", "/0", "/8", "/32", "/33", "/128", "/129", "/-1", "/+8", "/08", "/8/8", "/ 8", "/99999999999"))
        .as((a, b) -> a + b));
  }

  @Example
  void aMalformedTrustedProxyEntryIsRefused() {
    assertThatThrownBy(() -> new ClientAddress(List.of("10.0.0.0/8", "nonsense"))).isInstanceOf(IllegalArgumentException.class);
  }
}
