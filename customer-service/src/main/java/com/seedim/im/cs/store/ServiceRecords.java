package com.seedim.im.cs.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Customer-service records (who waited how long, who served whom, how rooms and calls ended) for the
 * statistics of the HTTP API: MySQL in production, memory in dev. Writes are fire-and-forget: a failure is
 * logged by the implementation and never fails the client frame that caused it.
 */
public interface ServiceRecords {
  String TAKEN = "taken";
  String LEFT = "left";
  String TIMEOUT = "timeout";
  String MOVED = "moved";

  /** Creates the tables if needed; idempotent and safe to call from several verticles. */
  Future<Void> migrate();

  void queueEntered(String appId, String queueId, String userId, long at);

  /** Ends the customer's open queue entry ({@link #TAKEN}, {@link #LEFT}, {@link #TIMEOUT}, {@link #MOVED}). */
  void queueEnded(String appId, String userId, long at, String outcome, String agentId, String roomId);

  void roomOpened(String appId, String roomId, String queueId, String agentId, String customerId, long waitedMs, long at);

  void roomClosed(String appId, String roomId, long at, String reason);

  void roomInfo(String appId, String roomId, Object info);

  void callStarted(String appId, String roomId, String callId, String caller, String callee, long at);

  void callAnswered(String appId, String callId, long at);

  /** Ends a call: {@code rejected}, {@code timeout}, {@code hangup}, or a teardown reason. */
  void callEnded(String appId, String callId, long at, String outcome);

  /** How many recent takes {@link #recentTakes} reads at most. */
  int RECENT_TAKES = 20;

  /**
   * When the queue's most recent takes happened (epoch ms, newest first, at most {@link #RECENT_TAKES}, none older than
   * {@code sinceMs}): the queue's current pace, for wait estimates.
   */
  Future<java.util.List<Long>> recentTakes(String appId, String queueId, long sinceMs);

  /** {@code {served, abandoned, averageWaitSeconds, averageHandlingSeconds, calls, averageCallSeconds}} for a queue. */
  Future<JsonObject> queueStats(String appId, String queueId);

  /** Closed rooms, newest first: {@code {rooms:[{roomId, queueId, creator, customer, createdAt, closedAt, reason, info}], total}}. */
  Future<JsonObject> closedRooms(String appId, int offset, int limit);
}
