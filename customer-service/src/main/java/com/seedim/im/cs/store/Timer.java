package com.seedim.im.cs.store;

/**
 * A timer kept in a {@link DeadlineStore} set, and its member string there ({@code kind|appId|...}): the idle and
 * grace timers of a room ({@link RoomStore#ROOM_DEADLINES}), the ring timer of a call ({@link RoomStore#CALL_DEADLINES})
 * and the grace of an absent waiter ({@link RoomStore#QUEUE_DEADLINES}). Ids never hold {@code |} (the id grammar).
 *
 * @param roomId null for {@link Kind#QUEUE_GRACE}
 * @param userId the member (GRACE) or waiter (QUEUE_GRACE) whose devices left; null otherwise
 * @param callId the ringing call (RING), or the queue (MAX_WAIT); null otherwise
 */
public record Timer(Kind kind, String appId, String roomId, String userId, String callId) {
  /** What a timer does when it is due; {@code code} is its first field in the member string. */
  public enum Kind {
    /** Closes a room nobody used for a while. */
    IDLE("i"),
    /** Closes a room a member left without coming back. */
    GRACE("g"),
    /** Ends an unanswered call. */
    RING("r"),
    /** Removes an absent waiter from its queue. */
    QUEUE_GRACE("q"),
    /** Removes a waiter that waited its queue's maxWaitSeconds (§14.3, 620). */
    MAX_WAIT("w");

    private final String code;

    Kind(String code) {
      this.code = code;
    }
  }

  private static final String SEP = "|";

  public static Timer idle(String appId, String roomId) {
    return new Timer(Kind.IDLE, appId, roomId, null, null);
  }

  public static Timer grace(String appId, String roomId, String userId) {
    return new Timer(Kind.GRACE, appId, roomId, userId, null);
  }

  public static Timer ring(String appId, String roomId, String callId) {
    return new Timer(Kind.RING, appId, roomId, null, callId);
  }

  public static Timer queueGrace(String appId, String userId) {
    return new Timer(Kind.QUEUE_GRACE, appId, null, userId, null);
  }

  /** The §14.3 wait limit of a waiter in a queue (set {@link RoomStore#QUEUE_DEADLINES}). */
  public static Timer maxWait(String appId, String userId, String queueId) {
    return new Timer(Kind.MAX_WAIT, appId, null, userId, queueId);
  }

  /** The queue of a {@link Kind#MAX_WAIT} timer. */
  public String queueId() {
    return kind == Kind.MAX_WAIT ? callId : null;
  }

  /** The member string stored in the deadline set. */
  public String encode() {
    return switch (kind) {
      case IDLE -> String.join(SEP, kind.code, appId, roomId);
      case GRACE -> String.join(SEP, kind.code, appId, roomId, userId);
      case RING -> String.join(SEP, kind.code, appId, roomId, callId);
      case QUEUE_GRACE -> String.join(SEP, kind.code, appId, userId);
      case MAX_WAIT -> String.join(SEP, kind.code, appId, userId, callId);
    };
  }

  /** The timer of a member string, or null when it is not one of ours (logged and dropped by the sweepers). */
  public static Timer parse(String member) {
    String[] p = member.split("\\|");
    if (p.length == 3 && Kind.IDLE.code.equals(p[0])) {
      return idle(p[1], p[2]);
    }
    if (p.length == 4 && Kind.GRACE.code.equals(p[0])) {
      return grace(p[1], p[2], p[3]);
    }
    if (p.length == 4 && Kind.RING.code.equals(p[0])) {
      return ring(p[1], p[2], p[3]);
    }
    if (p.length == 3 && Kind.QUEUE_GRACE.code.equals(p[0])) {
      return queueGrace(p[1], p[2]);
    }
    if (p.length == 4 && Kind.MAX_WAIT.code.equals(p[0])) {
      return maxWait(p[1], p[2], p[3]);
    }
    return null;
  }
}
