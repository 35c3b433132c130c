package com.seedim.im.gateway;

import io.netty.util.NetUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * Who a request really comes from, for the per-address limits (handshake rate, connections per address): the TCP
 * peer (already the real client when the PROXY protocol is on), or, when that peer is a trusted proxy, the
 * right-most address of {@code X-Forwarded-For} that is not itself a trusted proxy. Addresses are IP literals only:
 * nothing here resolves a name.
 */
final class ClientAddress {
  /** Longest X-Forwarded-For header read; a longer one is not trusted (the peer is used). */
  static final int MAX_FORWARDED_CHARS = 1024;

  record Cidr(byte[] network, int bits) {
    boolean contains(byte[] a) {
      if (a.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (a[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (a[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Cidr> trusted;

  ClientAddress(List<String> trustedProxies) {
    List<Cidr> t = new ArrayList<>();
    for (String p : trustedProxies) {
      t.add(parseCidr(p));
    }
    this.trusted = List.copyOf(t);
  }

  boolean hasTrustedProxies() {
    return !trusted.isEmpty();
  }

  /** Whether {@code ip} (a literal) is one of the trusted proxies. */
  boolean trusted(String ip) {
    byte[] a = ip == null ? null : NetUtil.createByteArrayFromIpAddressString(strip(ip));
    if (a == null) {
      return false;
    }
    for (Cidr c : trusted) {
      if (c.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client address of a request from {@code peer} carrying {@code forwardedFor} (may be null): the peer unless it
   * is a trusted proxy; then the right-most X-Forwarded-For entry that is not a trusted proxy (malformed → the peer).
   */
  String resolve(String peer, String forwardedFor) {
    if (forwardedFor == null || trusted.isEmpty() || !trusted(peer) || forwardedFor.length() > MAX_FORWARDED_CHARS) {
      return peer;
    }
    // -1: keep trailing empty hops ("1.2.3.4," ends in a malformed hop, so nothing left of it is trusted)
    String[] hops = forwardedFor.split(",", -1);
    for (int i = hops.length - 1; i >= 0; i--) {
      String h = strip(hops[i].trim());
      if (NetUtil.createByteArrayFromIpAddressString(h) == null) {
        return peer; // not an address: a client wrote it, do not trust anything left of it
      }
      if (!trusted(h)) {
        return h;
      }
    }
    return peer;
  }

  private static String strip(String ip) {
    return ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
  }

  /** Parses {@code 10.0.0.0/8}, {@code 127.0.0.1} or {@code ::1/128}; throws naming the entry when malformed. */
  static Cidr parseCidr(String s) {
    String[] parts = s.trim().split("/", 2);
    byte[] a = NetUtil.createByteArrayFromIpAddressString(strip(parts[0]));
    if (a == null) {
      throw new IllegalArgumentException("gateway.trustedProxies: '" + s + "' is not an IP address or CIDR");
    }
    int bits = a.length * 8;
    if (parts.length == 2) {
      try {
        bits = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > a.length * 8) {
        throw new IllegalArgumentException("gateway.trustedProxies: '" + s + "' has an invalid prefix length");
      }
    }
    return new Cidr(a, bits);
  }
}
