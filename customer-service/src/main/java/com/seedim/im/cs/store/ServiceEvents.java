package com.seedim.im.cs.store;

import com.seedim.im.common.events.Event;
import com.seedim.im.common.events.EventRecorder;
import com.seedim.im.common.events.EventStore;
import com.seedim.im.common.events.EventType;
import io.vertx.core.json.JsonObject;

/**
 * The webhook events of the service records (docs/webhooks.md, issue 17): each record write of {@link ServiceRecords}
 * reports itself as one event, written with the record (in its MariaDB transaction; in the same step in memory).
 *
 * <p>An event is made (its time-ordered id taken) when the record is asked for, so events come out in the order of
 * the changes even though records of different rows are written concurrently; its data is completed from what the
 * write reads back (the wait's queue and entry time, the room's creation, the call's answer), and it is written only
 * when the record changed (a second close of a room reports nothing). Null everywhere for an app that does not record
 * the type: no event, and the record is written as it always was.
 *
 * <p>The events and their {@code data}:
 * <ul>
 *   <li>{@code queue.entered} {queueId, userId, position} (position: the 1-based {@code waitIndex} of the 410)</li>
 *   <li>{@code queue.left} {queueId, userId, reason, waitedMs, agentId?, roomId?}: reason {@code taken} (then agentId
 *       and roomId), {@code left} (420, logout), {@code moved} (400 into another queue), {@code message} (a left
 *       message, §14.4), {@code grace} (no device came back within the queue grace)</li>
 *   <li>{@code queue.timed_out} {queueId, userId, waitedMs} (§14.3 maxWaitSeconds, the 620)</li>
 *   <li>{@code room.created} {roomId, queueId, customerId, agentId, waitedMs}</li>
 *   <li>{@code room.transferred} {roomId, fromAgentId, toAgentId, byUserId} (to a queue: {@code toQueueId} instead of
 *       {@code toAgentId}; not a record, recorded by the queue service)</li>
 *   <li>{@code room.closed} {roomId, queueId, customerId, agentId (the last one), reason (the 560's), waitedMs,
 *       handledMs}</li>
 *   <li>{@code call.started} {roomId, callId, callerId, calleeId}</li>
 *   <li>{@code call.answered} {roomId, callId, callerId, calleeId, ringMs}</li>
 *   <li>{@code call.ended} {roomId, callId, callerId, calleeId, outcome, reason, durationMs}: see
 *       {@link #callOutcome}</li>
 * </ul>
 */
public final class ServiceEvents {
  /** Records nothing (records built without events: tools, tests). */
  public static final ServiceEvents NONE = new ServiceEvents(null, null);

  /** call.ended outcomes. */
  public static final String COMPLETED = "completed";
  public static final String REJECTED = "rejected";
  public static final String MISSED = "missed";
  public static final String CANCELLED = "cancelled";
  public static final String FAILED = "failed";

  private final EventRecorder recorder;
  private final EventStore store;

  /**
   * @param store where the memory records append their events (dev mode); the MariaDB records write theirs in their
   *              own transactions and pass null
   */
  public ServiceEvents(EventRecorder recorder, EventStore store) {
    this.recorder = recorder;
    this.store = store;
  }

  /** The dev-mode outbox (null when built for MariaDB or without events). */
  public EventStore store() {
    return store;
  }

  private Event make(String appId, EventType type, JsonObject data, long at) {
    return recorder == null ? null : recorder.make(appId, type, data, at);
  }

  public Event queueEntered(String appId, String queueId, String userId, int position, long at) {
    return make(appId, EventType.QUEUE_ENTERED, new JsonObject().put("queueId", queueId).put("userId", userId)
      .put("position", position), at);
  }

  /**
   * A wait ended ({@link ServiceRecords#queueEnded}): {@code queue.timed_out} for {@link ServiceRecords#TIMEOUT},
   * else {@code queue.left}. {@link #waited} completes it with what the record knew of the wait.
   */
  public Event queueEnded(String appId, String userId, String outcome, String agentId, String roomId, long at) {
    if (ServiceRecords.TIMEOUT.equals(outcome)) {
      return make(appId, EventType.QUEUE_TIMED_OUT, new JsonObject().put("userId", userId), at);
    }
    JsonObject data = new JsonObject().put("userId", userId).put("reason", outcome);
    if (agentId != null) {
      data.put("agentId", agentId);
    }
    if (roomId != null) {
      data.put("roomId", roomId);
    }
    return make(appId, EventType.QUEUE_LEFT, data, at);
  }

  /** Completes a {@link #queueEnded} event: the queue of the wait, and how long it lasted. */
  public static void waited(Event e, String queueId, long enteredAt) {
    e.data().put("queueId", queueId).put("waitedMs", Math.max(0, e.createdAt() - enteredAt));
  }

  public Event roomOpened(String appId, String roomId, String queueId, String agentId, String customerId, long waitedMs,
                          long at) {
    return make(appId, EventType.ROOM_CREATED, new JsonObject().put("roomId", roomId).put("queueId", queueId)
      .put("customerId", customerId).put("agentId", agentId).put("waitedMs", Math.max(0, waitedMs)), at);
  }

  /** A room handed to another agent; {@code byUserId} may be null (not known). */
  public Event roomTransferred(String appId, String roomId, String fromAgent, String toAgent, String byUserId, long at) {
    JsonObject data = new JsonObject().put("roomId", roomId).put("fromAgentId", fromAgent).put("toAgentId", toAgent);
    if (byUserId != null) {
      data.put("byUserId", byUserId);
    }
    return make(appId, EventType.ROOM_TRANSFERRED, data, at);
  }

  /** A room's customer sent back to a queue (§14.2): not a record; the queue service records it. */
  public Event roomTransferredToQueue(String appId, String roomId, String fromAgent, String toQueue, String byUserId,
                                     long at) {
    JsonObject data = new JsonObject().put("roomId", roomId).put("fromAgentId", fromAgent).put("toQueueId", toQueue);
    if (byUserId != null) {
      data.put("byUserId", byUserId);
    }
    return make(appId, EventType.ROOM_TRANSFERRED, data, at);
  }

  /** A room closed; {@link #closed} completes it from the room's record. */
  public Event roomClosed(String appId, String roomId, String reason, long at) {
    return make(appId, EventType.ROOM_CLOSED, new JsonObject().put("roomId", roomId).put("reason", reason), at);
  }

  public static void closed(Event e, String queueId, String customerId, String agentId, long waitedMs, long createdAt) {
    e.data().put("queueId", queueId).put("customerId", customerId).put("agentId", agentId)
      .put("waitedMs", Math.max(0, waitedMs)).put("handledMs", Math.max(0, e.createdAt() - createdAt));
  }

  public Event callStarted(String appId, String roomId, String callId, String caller, String callee, long at) {
    return make(appId, EventType.CALL_STARTED, new JsonObject().put("roomId", roomId).put("callId", callId)
      .put("callerId", caller).put("calleeId", callee), at);
  }

  /** A call answered; {@link #answered} completes it from the call's record. */
  public Event callAnswered(String appId, String callId, long at) {
    return make(appId, EventType.CALL_ANSWERED, new JsonObject().put("callId", callId), at);
  }

  public static void answered(Event e, String roomId, String caller, String callee, long startedAt) {
    e.data().put("roomId", roomId).put("callerId", caller).put("calleeId", callee)
      .put("ringMs", Math.max(0, e.createdAt() - startedAt));
  }

  /** A call ended with {@code reason} (the record's outcome); {@link #ended} completes it from the call's record. */
  public Event callEnded(String appId, String callId, String reason, long at) {
    return make(appId, EventType.CALL_ENDED, new JsonObject().put("callId", callId).put("reason", reason), at);
  }

  /** @param answeredAt null when nobody answered */
  public static void ended(Event e, String roomId, String caller, String callee, Long answeredAt) {
    String reason = e.data().getString("reason");
    e.data().put("roomId", roomId).put("callerId", caller).put("calleeId", callee)
      .put("outcome", callOutcome(reason, answeredAt != null))
      .put("durationMs", answeredAt == null ? 0L : Math.max(0, e.createdAt() - answeredAt));
  }

  /**
   * How a call ended, for call.ended: {@code completed} once answered (the reason tells how it ended: hangup, left,
   * transferred, disconnect, kicked); unanswered: {@code rejected} (320), {@code missed} (the ring timeout),
   * {@code failed} (a member's device gone beyond its grace), else {@code cancelled} (the caller hung up, a member
   * left, the room was transferred or a member kicked while it rang).
   *
   * @param reason the record's outcome: {@code rejected}, {@code timeout}, {@code hangup}, or a teardown reason
   */
  public static String callOutcome(String reason, boolean answered) {
    if (answered) {
      return COMPLETED;
    }
    if ("rejected".equals(reason)) {
      return REJECTED;
    }
    if ("timeout".equals(reason)) {
      return MISSED;
    }
    if ("disconnect".equals(reason)) {
      return FAILED;
    }
    return CANCELLED;
  }
}
