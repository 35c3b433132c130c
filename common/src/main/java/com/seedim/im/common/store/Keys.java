package com.seedim.im.common.store;

/**
 * Store keys built from ids. Ids (PROTOCOL.md §1) are {@code [A-Za-z0-9_.@:-]{1,64}}: they may contain ':', so
 * joining several of them with ':' is ambiguous (user {@code a} + device {@code b:c} and user {@code a:b} +
 * device {@code c} gave the same key). Keys join their parts with {@value #SEP}, which no id contains. The
 * last part may be any string without {@value #SEP} that is not itself split (e.g. a {@code unique}, which may
 * contain '|': it is always the last part, so the parts before it stay unambiguous).
 */
public final class Keys {
  /** The separator: outside the id grammar. */
  public static final char SEP = '|';

  private Keys() {
  }

  /**
   * {@code kind + ":" + parts joined with '|'}. Every part but the last must not contain '|' (ids never do).
   *
   * @throws IllegalArgumentException when a part other than the last contains the separator or is null
   */
  public static String join(String kind, String... parts) {
    StringBuilder b = new StringBuilder(kind.length() + 16 * parts.length).append(kind).append(':');
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p == null) {
        throw new IllegalArgumentException("null key part");
      }
      if (i < parts.length - 1 && p.indexOf(SEP) >= 0) {
        throw new IllegalArgumentException("key part contains '" + SEP + "': " + p);
      }
      if (i > 0) {
        b.append(SEP);
      }
      b.append(p);
    }
    return b.toString();
  }

  /** The idempotency record of a frame (PROTOCOL.md §4): {@code idem:<app>|<user>|<device>|<msgType>|<unique>}. */
  public static String idempotency(String appId, String userId, String deviceId, int msgType, String unique) {
    return join("idem", appId, userId, deviceId, Integer.toString(msgType), unique);
  }
}
