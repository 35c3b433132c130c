package com.seedim.im.bench;

import com.seedim.im.common.security.Signatures;

import java.util.Set;

/** Cheap frame helpers for the load generator: the server encodes compact JSON, so fields are found by scanning. */
final class Proto {
  /** Reliable pushes (PROTOCOL.md §4) other than 140, acked with 31 by unique. */
  static final Set<Integer> RELIABLE = Set.of(131, 191, 192, 199, 301, 311, 321, 341, 343, 402, 421, 551, 560);

  private Proto() {
  }

  /** The msgType of a frame, or -1. */
  static int msgType(String t) {
    int i = t.indexOf("\"msgType\":");
    if (i < 0) {
      return -1;
    }
    i += 10;
    while (i < t.length() && (t.charAt(i) == ' ' || t.charAt(i) == '"')) {
      i++;
    }
    int v = 0;
    int n = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i)) && n < 6) {
      v = v * 10 + (t.charAt(i) - '0');
      i++;
      n++;
    }
    return n == 0 ? -1 : v;
  }

  /** The raw value of a top-level-ish field (first occurrence): a string's content or a number's digits; null if absent. */
  static String str(String t, String key) {
    String k = "\"" + key + "\":";
    int i = t.indexOf(k);
    if (i < 0) {
      return null;
    }
    i += k.length();
    if (i >= t.length()) {
      return null;
    }
    if (t.charAt(i) == '"') {
      int end = t.indexOf('"', i + 1);
      return end < 0 ? null : t.substring(i + 1, end);
    }
    int end = i;
    while (end < t.length() && t.charAt(end) != ',' && t.charAt(end) != '}') {
      end++;
    }
    return t.substring(i, end);
  }

  /** The send stamp (System.nanoTime) the generator puts in a message's text ("t&lt;nanos&gt;..."), or -1. */
  static long stamp(String t) {
    int i = t.indexOf("\"message\":\"t");
    if (i < 0) {
      return -1;
    }
    i += 12;
    long v = 0;
    boolean neg = false;
    if (i < t.length() && t.charAt(i) == '-') {
      neg = true;
      i++;
    }
    int n = 0;
    while (i < t.length() && Character.isDigit(t.charAt(i)) && n < 19) {
      v = v * 10 + (t.charAt(i) - '0');
      i++;
      n++;
    }
    return n == 0 ? -1 : (neg ? -v : v);
  }

  /** A signed connect URI (PROTOCOL.md §2), fresh txNo. */
  static String connectUri(String appId, String secret, String userId, String device, String role) {
    String tx = Long.toString(System.currentTimeMillis());
    String sign = Signatures.login(secret, appId, userId, device, role, tx);
    return "/ws?appId=" + appId + "&userId=" + userId + "&msgType=10&txNo=" + tx + "&sign=" + sign
      + "&loginId=" + device + "&role=" + role;
  }

  static String chat(long unique, String to, long stamp, String pad) {
    return "{\"msgType\":130,\"unique\":\"" + unique + "\",\"receiveUserId\":\"" + to + "\",\"to\":\"" + to
      + "\",\"message\":\"t" + stamp + pad + "\",\"contentType\":\"text\"}";
  }

  static String text(long unique, String to, String message) {
    return "{\"msgType\":130,\"unique\":\"" + unique + "\",\"receiveUserId\":\"" + to + "\",\"to\":\"" + to
      + "\",\"message\":\"" + message + "\",\"contentType\":\"text\"}";
  }
}
