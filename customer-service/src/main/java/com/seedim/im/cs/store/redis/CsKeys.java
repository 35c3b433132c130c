package com.seedim.im.cs.store.redis;

/**
 * The Redis key names of the customer-service state, one place for all of them (P = deployment prefix).
 *
 * <p>Redis Cluster: every key of one app carries the hash tag {@code {cs:<app>}}, so a tenant's whole
 * customer-service state lives in one slot and every script (the take above all: waiting line, the customer's and
 * the agent's room indexes, the app's room set, the room and its idle timer in one atomic step) touches one slot
 * only. Chat and presence keys are tagged by user instead; here the app is the unit because a take joins a
 * customer, an agent and a queue that share nothing but the app, and queue/room operations come at the rate of
 * service sessions, far below message rates, so one master per tenant carries them. Different apps spread over the
 * masters. The only keys outside an app's slot are the two per notifier kind of {@link #dirty}/{@link #rounds}
 * (tag {@code {cs-dirty:<kind>}}, which no app tag equals), touched together and never with an app's keys.
 *
 * <p>The tag also makes the keys unambiguous: ids may hold ':' but never '{' or '}' (PROTOCOL.md §1), so the app
 * part ends at the '}'. The prefix must hold neither brace: a '{' in it would move the tag out of our control.
 */
final class CsKeys {
  private final String prefix;

  CsKeys(String prefix) {
    if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
      throw new IllegalArgumentException("redis key prefix must not contain '{' or '}' (Redis Cluster hash tags): " + prefix);
    }
    this.prefix = prefix;
  }

  /** The hash tag of an app: every key of the app hashes to its slot. */
  static String tag(String appId) {
    return "{cs:" + appId + "}";
  }

  private String app(String kind, String appId) {
    return prefix + kind + ":" + tag(appId);
  }

  /** {@code P q:{cs:<app>}:<queue>} zset waiter → entry ms (ties by id): the line. */
  String line(String appId, String queueId) {
    return app("q", appId) + ":" + queueId;
  }

  /** {@code P qsent:{cs:<app>}:<queue>} hash waiter → last 410 sent ({@code index:total}). */
  String sent(String appId, String queueId) {
    return app("qsent", appId) + ":" + queueId;
  }

  /** {@code P qu:{cs:<app>}} hash waiter → queue (a customer waits in at most one queue). */
  String waiting(String appId) {
    return app("qu", appId);
  }

  /** {@code P qa:{cs:<app>}} set of absent waiters (skipped by takes, keep their place). */
  String absent(String appId) {
    return app("qa", appId);
  }

  /** {@code P qids:{cs:<app>}} set of the non-empty queues. */
  String queueIds(String appId) {
    return app("qids", appId);
  }

  /** {@code P qagents:{cs:<app>}} set of online agents. */
  String agents(String appId) {
    return app("qagents", appId);
  }

  /** {@code P qstatus:{cs:<app>}} hash agent → §14.1 status (absent: available). */
  String agentStatuses(String appId) {
    return app("qstatus", appId);
  }

  /** {@code P room:{cs:<app>}:<roomId>} hash {@code d} (room JSON), {@code v} (version), {@code agent}, {@code customer}. */
  String room(String appId, String roomId) {
    return app("room", appId) + ":" + roomId;
  }

  /** {@code P rooms:{cs:<app>}} zset room id → createdAt: the app's open rooms. */
  String rooms(String appId) {
    return app("rooms", appId);
  }

  /** {@code P uroom:{cs:<app>}:<user>} the user's newest room id. */
  String userRoom(String appId, String userId) {
    return app("uroom", appId) + ":" + userId;
  }

  /** {@code P urooms:{cs:<app>}:<user>} zset room id → createdAt: the user's open rooms. */
  String userRooms(String appId, String userId) {
    return app("urooms", appId) + ":" + userId;
  }

  /** {@code P dl:{cs:<app>}:<set>} zset timer member → due epoch ms: the app's timers of one set. */
  String deadlines(String appId, String set) {
    return app("dl", appId) + ":" + set;
  }

  /** {@code P qdirty:{cs-dirty:<kind>}} set of changed {@code app|queue} waiting for a round of {@code kind}. */
  String dirty(String kind) {
    return prefix + "qdirty:{cs-dirty:" + kind + "}";
  }

  /** {@code P qround:{cs-dirty:<kind>}} zset {@code app|queue} → end of its round's throttle (Redis clock, ms). */
  String rounds(String kind) {
    return prefix + "qround:{cs-dirty:" + kind + "}";
  }
}
