package com.seedim.im.common.bus;

/**
 * Event-bus addresses that are not a client msgType's handler (those live in
 * {@link com.seedim.im.common.proto.MsgType#address()}). One prefix per service.
 */
public final class Addresses {
  /** Prefix of the per-gateway-instance push address; see {@link #gateway(String)}. */
  public static final String GATEWAY_PREFIX = "im.gw.node.";

  // Session lifecycle, sent (point to point) by the gateway to each service: SessionOpened to *_CONNECT (reply: a
  // ServiceReply whose self holds the pushes for the new connection), SessionClosed to *_DISCONNECT (bus/msg).
  /** Request on a new connection; the reply's {@code self} holds the 1170 heads and undelivered 140s. */
  public static final String CHAT_CONNECT = "im.chat.connect";
  public static final String CHAT_DISCONNECT = "im.chat.disconnect";
  /** A receiver device acked 140s: {ctx, messageIds}. */
  public static final String CHAT_DELIVERED = "im.chat.delivered";
  /** HTTP API: POST /api/v1/messages. Body {ctx (sender), frame (130 fields)}. */
  public static final String CHAT_API_SEND = "im.chat.api.send";
  /** HTTP API: GET /api/v1/presence. Body {appId, userIds}. */
  public static final String CHAT_API_PRESENCE = "im.chat.api.presence";
  /** HTTP API: PUT /api/v1/sensitive-words. Body {appId, words}. */
  public static final String CHAT_API_WORDS = "im.chat.api.words";
  /** HTTP API: DELETE /api/v1/chat-permission. Body {appId, userId, receiveUserId}. */
  public static final String CHAT_API_REVOKE = "im.chat.api.revoke";
  /**
   * Published after a chat permission was revoked ({@code ApiQueries.PermissionRevoke}): every chat node forgets its
   * in-process copy of it.
   */
  public static final String CHAT_PERMISSION_REVOKED = "im.chat.permission.revoked";
  /**
   * Internal: a room's transcript (TranscriptQuery, reply {@code {messages}}), asked by the room service for 652 and
   * the transcript API (§14.5).
   */
  public static final String CHAT_TRANSCRIPT = "im.chat.transcript";
  /** Published after sensitive words changed: {appId}; every chat node reloads. */
  public static final String CHAT_WORDS_CHANGED = "im.chat.words.changed";

  /** Room/queue lifecycle on a new connection; reply {@code self} holds 551 / 301 (room) and 410 (queue). */
  public static final String ROOM_CONNECT = "im.room.connect";
  public static final String ROOM_DISCONNECT = "im.room.disconnect";
  public static final String QUEUE_CONNECT = "im.queue.connect";
  public static final String QUEUE_DISCONNECT = "im.queue.disconnect";
  /** HTTP API for rooms and queues. */
  public static final String ROOM_API_LIST = "im.room.api.list";
  public static final String ROOM_API_INFO = "im.room.api.info";
  /** HTTP API: GET /api/v1/rooms/{roomId}/transcript (ApiQueries.TranscriptRequest, reply the 653 document). */
  public static final String ROOM_API_TRANSCRIPT = "im.room.api.transcript";
  public static final String QUEUE_API_STATS = "im.queue.api.stats";
  /** Internal: a room ends (TeardownRequest), asked by the queue (420) or signaling (330) service. */
  public static final String ROOM_TEARDOWN = "im.room.teardown";
  /** Internal: do two users share an open room (RoomShareQuery, reply Boolean)? Asked by chat (RoomMembership). */
  public static final String ROOM_SHARE = "im.room.share";

  /** HTTP API: GET /api/v1/events (ApiQueries.EventsReplay, reply {@code {events, next, hasMore}}), served by the events role. */
  public static final String EVENTS_API_REPLAY = "im.events.api.replay";

  /**
   * Published by a node to its own verticles (never across the cluster) when it noticed that Redis lost data:
   * {@code {noticedAt}} (epoch ms). See {@code RedisResets}.
   */
  public static final String LOCAL_REDIS_RESET = "im.local.redis-reset";

  private Addresses() {
  }

  /** The push address of one gateway instance. */
  public static String gateway(String instanceId) {
    return GATEWAY_PREFIX + instanceId;
  }
}
