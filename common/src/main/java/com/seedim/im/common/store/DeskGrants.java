package com.seedim.im.common.store;

import io.vertx.core.Future;

/**
 * Grants that taking a left message gives an agent (protocol §14.4): chat permission with the customer, both ways,
 * and access to the customer's service records (§14.5), for the app's {@code leftMessageReplyDays}. They live in the
 * {@link KeyValueStore} (Redis in production) so that every node sees them: the chat service reads the permission
 * ({@link #replyKey}) after a cached chat sign — under its own key, so neither a later chat sign
 * (a shorter TTL) nor a revoked chat sign changes the grant — and the room service reads {@link #mayRead}.
 */
public final class DeskGrants {
  private static final String READ_PREFIX = "deskread|";
  private static final String REPLY_PREFIX = "deskchat|";
  private static final char SEP = '|';

  private DeskGrants() {
  }

  /** The key of "sender may message receiver" that a taken left message grants (both ways). */
  public static String replyKey(String appId, String sender, String receiver) {
    return REPLY_PREFIX + appId + SEP + sender + SEP + receiver;
  }

  /** The key of "agent may read customer's records". */
  public static String readKey(String appId, String agentId, String customerId) {
    return READ_PREFIX + appId + SEP + agentId + SEP + customerId;
  }

  /** Grants the agent chat with the customer (both ways) and read access to its records for {@code ttlMs}. */
  public static Future<Void> grant(KeyValueStore kv, String appId, String agentId, String customerId, long ttlMs) {
    return Future.all(kv.set(replyKey(appId, agentId, customerId), "1", ttlMs),
      kv.set(replyKey(appId, customerId, agentId), "1", ttlMs),
      kv.set(readKey(appId, agentId, customerId), "1", ttlMs)).mapEmpty();
  }

  /** True while a grant of {@link #grant} lets the agent read the customer's records. */
  public static Future<Boolean> mayRead(KeyValueStore kv, String appId, String agentId, String customerId) {
    return kv.get(readKey(appId, agentId, customerId)).map(v -> v != null);
  }
}
