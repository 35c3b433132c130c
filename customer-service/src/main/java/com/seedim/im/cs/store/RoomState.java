package com.seedim.im.cs.store;

import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.Frames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Field names and views of the room JSON kept by {@link RoomStore}: the members (the agent who took the customer
 * is {@link #CREATOR}), the queue, the opaque business {@link #INFO}, and the current call (state, caller, callee,
 * callId, the devices each side is bound to, the pending offer while ringing).
 */
public final class RoomState {
  public static final String ROOM_ID = "roomId";
  public static final String CREATOR = "creator";
  public static final String CUSTOMER = "customer";
  public static final String MEMBERS = "members";
  public static final String QUEUE_ID = "queueId";
  public static final String INFO = "info";
  public static final String CREATED_AT = "createdAt";
  public static final String CALL_STATE = "callState";
  public static final String CALLER = "caller";
  public static final String CALLEE = "callee";
  public static final String CALL_ID = "callId";
  public static final String CALLER_DEVICE = "callerDevice";
  public static final String CALLEE_DEVICE = "calleeDevice";
  public static final String RING_AT = "ringAt";
  public static final String ANSWERED_AT = "answeredAt";
  public static final String OFFER = "offer";
  public static final String RENEGOTIATION_BY = "renegotiationBy";

  public static final String IDLE = "idle";
  public static final String RINGING = "ringing";
  public static final String ACTIVE = "active";

  private RoomState() {
  }

  /** A fresh room JSON; {@code customer} may be {@link QueueStore#CUSTOMER_PLACEHOLDER}. */
  public static JsonObject create(String roomId, String agent, String customer, String queueId, long createdAt) {
    return new JsonObject().put(ROOM_ID, roomId).put(CREATOR, agent).put(CUSTOMER, customer)
      .put(MEMBERS, new JsonArray().add(agent).add(customer)).put(QUEUE_ID, queueId).putNull(INFO)
      .put(CREATED_AT, createdAt).put(CALL_STATE, IDLE).putNull(CALLER);
  }

  public static boolean isMember(JsonObject room, String userId) {
    return userId.equals(room.getString(CREATOR)) || userId.equals(room.getString(CUSTOMER));
  }

  /** The other member of a two-member room. */
  public static String other(JsonObject room, String userId) {
    return userId.equals(room.getString(CREATOR)) ? room.getString(CUSTOMER) : room.getString(CREATOR);
  }

  public static String callState(JsonObject room) {
    return room.getString(CALL_STATE, IDLE);
  }

  /** The 551 frame (§6) for a room. */
  public static JsonObject info551(JsonObject room) {
    JsonObject f = Frames.frame(MsgType.ROOM_INFO_REPLY).put(ROOM_ID, room.getString(ROOM_ID))
      .put(CREATOR, room.getString(CREATOR)).put(MEMBERS, room.getJsonArray(MEMBERS).copy())
      .put(QUEUE_ID, room.getString(QUEUE_ID)).put(INFO, room.getValue(INFO))
      .put(CREATED_AT, room.getLong(CREATED_AT)).put(CALL_STATE, callState(room)).put(CALLER, room.getString(CALLER));
    if (!IDLE.equals(callState(room))) {
      f.put(CALL_ID, room.getString(CALL_ID));
    }
    return f;
  }

  /** An entry of 541's {@code roomInfoMsgs}. */
  public static JsonObject listItem(JsonObject room) {
    return new JsonObject().put(ROOM_ID, room.getString(ROOM_ID)).put(CREATOR, room.getString(CREATOR))
      .put(MEMBERS, room.getJsonArray(MEMBERS).copy()).put(QUEUE_ID, room.getString(QUEUE_ID))
      .put(CREATED_AT, room.getLong(CREATED_AT)).put(CALL_STATE, callState(room)).put(INFO, room.getValue(INFO));
  }

  /** Deadline member (set {@link RoomStore#ROOM_DEADLINES}) that closes an idle room. */
  public static String idleDeadline(String appId, String roomId) {
    return "i|" + appId + "|" + roomId;
  }

  /** Deadline member (set {@link RoomStore#ROOM_DEADLINES}) that closes a room a member left without coming back. */
  public static String graceDeadline(String appId, String roomId, String userId) {
    return "g|" + appId + "|" + roomId + "|" + userId;
  }

  /** Deadline member (set {@link RoomStore#CALL_DEADLINES}) that ends an unanswered call. */
  public static String ringDeadline(String appId, String roomId, String callId) {
    return "r|" + appId + "|" + roomId + "|" + callId;
  }

  /** Deadline member (set {@link RoomStore#QUEUE_DEADLINES}) that removes an absent waiter. */
  public static String queueGraceDeadline(String appId, String userId) {
    return "q|" + appId + "|" + userId;
  }
}
