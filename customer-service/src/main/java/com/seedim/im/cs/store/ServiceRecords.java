package com.seedim.im.cs.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * Customer-service records (who waited how long, who served whom, how rooms and calls ended) for the
 * statistics of the HTTP API: MySQL in production, memory in dev. Writes are fire-and-forget: a failure is
 * logged by the implementation and never fails the client frame that caused it. Each write also reports itself as a
 * webhook event when the app records it ({@link ServiceEvents}), written with the record (in MariaDB: in its
 * transaction), never without it.
 */
public interface ServiceRecords {
  String TAKEN = "taken";
  String LEFT = "left";
  String TIMEOUT = "timeout";
  String MOVED = "moved";
  /**
   * A waiter whose devices did not come back within the queue grace: stored and counted as {@link #TIMEOUT} (an
   * abandoned wait, as before), reported as {@code queue.left} with reason {@code grace} (a {@link #TIMEOUT} given
   * as such is the §14.3 max wait: {@code queue.timed_out}).
   */
  String GRACE = "grace";

  /** The outcome a wait's record keeps for {@code outcome} ({@link #GRACE} is kept as {@link #TIMEOUT}). */
  static String stored(String outcome) {
    return GRACE.equals(outcome) ? TIMEOUT : outcome;
  }

  /** Creates the tables if needed; idempotent and safe to call from several verticles. */
  Future<Void> migrate();

  /** @param position the customer's 1-based place as its 410 says ({@code waitIndex}), for the event */
  void queueEntered(String appId, String queueId, String userId, long at, int position);

  /**
   * Ends the customer's open queue entry ({@link #TAKEN}, {@link #LEFT}, {@link #TIMEOUT}, {@link #GRACE},
   * {@link #MOVED}, or a left message's {@code LeftMessages.QUEUE_OUTCOME}).
   */
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

  /**
   * A room as the records keep it (§14.5): its customer and every agent who served it, in order (the last one serves
   * it now, or served it when it closed; an agent who took the room back appears again); {@code closedAt} and
   * {@code reason} null while it is open.
   */
  record RoomRecord(String roomId, String queueId, String customerId, List<String> agents, long createdAt, Long closedAt,
                    String reason) {
    public RoomRecord {
      agents = List.copyOf(agents);
    }

    /** The agent who served the room last. */
    public String agentId() {
      return agents.get(agents.size() - 1);
    }

    /** The item of 651's {@code rooms}: {@code {roomId, queueId, agentId, createdAt, closedAt, reason}}. */
    public JsonObject item() {
      return new JsonObject().put("roomId", roomId).put("queueId", queueId).put("agentId", agentId())
        .put("createdAt", createdAt).put("closedAt", closedAt).put("reason", reason);
    }
  }

  /**
   * A call as the records keep it: its participants, when it ended (null while it runs), and the participants' 660
   * reports by user ({@code {candidateType, setupMs?, rttMs?, lossPercent?, protocol?, reportedAt}}).
   */
  record CallRecord(String callId, String roomId, String caller, String callee, long startedAt, Long endedAt,
                    Map<String, JsonObject> stats) {
    public CallRecord {
      stats = Map.copyOf(stats);
    }

    public boolean isParticipant(String userId) {
      return userId.equals(caller) || userId.equals(callee);
    }
  }

  /**
   * The room changed agent (§14.2, a transfer to an agent): its record names the new agent and keeps the former.
   *
   * @param byUserId who transferred it (the former agent or an admin), for the event; null when not known
   */
  void roomTransferred(String appId, String roomId, String fromAgent, String toAgent, String byUserId, long at);

  /** The customer's rooms, newest first, at most {@code limit} (§14.5, 651). */
  Future<List<RoomRecord>> customerRooms(String appId, String customerId, int limit);

  /** One room's record with all its agents, or null. */
  Future<RoomRecord> room(String appId, String roomId);

  /**
   * Stores a participant's 660 report with the call (§14.6); a second report of the same participant replaces the
   * first. Completes when written (a failure is logged, as for every record, and does not fail).
   */
  Future<Void> callStats(String appId, String callId, String userId, JsonObject stats);

  /** One call's record with its reports, or null. */
  Future<CallRecord> call(String appId, String callId);

  /** Closed rooms, newest first: {@code {rooms:[{roomId, queueId, creator, customer, createdAt, closedAt, reason, info}], total}}. */
  Future<JsonObject> closedRooms(String appId, int offset, int limit);
}
