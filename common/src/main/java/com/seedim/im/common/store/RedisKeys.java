package com.seedim.im.common.store;

import io.vertx.redis.client.impl.ZModem;

/**
 * Redis key names that stay valid on a Redis Cluster (docs/architecture.md "Storage", docs/operations.md "Redis
 * Cluster"). A cluster serves each key from the master that owns its hash slot, and a command or script may only
 * touch keys of one slot; the slot is computed from the part of the key between the first <code>{</code> and the next
 * <code>}</code> (the hash tag) when there is one. So every key of one user carries the tag
 * <code>{&lt;app&gt;:&lt;user&gt;}</code>: whatever one user's operation touches stays in one slot, and the users of
 * one large app (tenant) still spread over every master. Ids never contain braces (PROTOCOL.md §1), so a user's id
 * cannot move the tag.
 */
public final class RedisKeys {
  /** Slots of a Redis Cluster. */
  public static final int SLOTS = 16384;

  private RedisKeys() {
  }

  /**
   * {@code prefix + kind + ":{" + app + ":" + user + "}"}, e.g. {@code im:r:{app1:alice}}.
   *
   * @throws IllegalArgumentException when an id contains a brace (outside the id grammar)
   */
  public static String user(String prefix, String kind, String appId, String userId) {
    return prefix + kind + ":" + userTag(appId, userId);
  }

  /** <code>{&lt;app&gt;:&lt;user&gt;}</code>: the hash tag of one user's keys. */
  public static String userTag(String appId, String userId) {
    return tag(appId + ":" + userId);
  }

  /** <code>{&lt;s&gt;}</code>; {@code s} must not contain a brace. */
  public static String tag(String s) {
    if (s.indexOf('{') >= 0 || s.indexOf('}') >= 0) {
      throw new IllegalArgumentException("a hash tag must not contain braces: " + s);
    }
    return "{" + s + "}";
  }

  /** The cluster hash slot of a key (CRC16 of its hash tag, or of the whole key without one), 0..16383. */
  public static int slot(String key) {
    return ZModem.generate(key);
  }
}
