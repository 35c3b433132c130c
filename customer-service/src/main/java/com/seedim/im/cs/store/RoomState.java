package com.seedim.im.cs.store;

import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.cs.call.Calls;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Field names and views of the room JSON kept by {@link RoomStore}: the members (the agent who took the customer
 * is {@link #CREATOR}), the queue and the opaque business {@link #INFO}. The fields of the room's current call are
 * {@link Calls}'.
 */
public final class RoomState {
  public static final String ROOM_ID = "roomId";
  public static final String CREATOR = "creator";
  public static final String CUSTOMER = "customer";
  public static final String MEMBERS = "members";
  public static final String QUEUE_ID = "queueId";
  public static final String INFO = "info";
  public static final String CREATED_AT = "createdAt";
  private RoomState() {
  }

  /** A fresh room JSON; {@code customer} may be {@link QueueStore#CUSTOMER_PLACEHOLDER}. */
  public static JsonObject create(String roomId, String agent, String customer, String queueId, long createdAt) {
    return new JsonObject().put(ROOM_ID, roomId).put(CREATOR, agent).put(CUSTOMER, customer)
      .put(MEMBERS, new JsonArray().add(agent).add(customer)).put(QUEUE_ID, queueId).putNull(INFO)
      .put(CREATED_AT, createdAt).put(Calls.CALL_STATE, Calls.IDLE).putNull(Calls.CALLER);
  }

  public static boolean isMember(JsonObject room, String userId) {
    return userId.equals(room.getString(CREATOR)) || userId.equals(room.getString(CUSTOMER));
  }

  /** The other member of a two-member room. */
  public static String other(JsonObject room, String userId) {
    return userId.equals(room.getString(CREATOR)) ? room.getString(CUSTOMER) : room.getString(CREATOR);
  }

  /** The {@code iceServers} of a 551. */
  public static final String ICE_SERVERS = "iceServers";

  /** The 551 frame (§6) for a room, without {@code iceServers}. */
  public static JsonObject info551(JsonObject room) {
    JsonObject f = Frames.frame(MsgType.ROOM_INFO_REPLY).put(ROOM_ID, room.getString(ROOM_ID))
      .put(CREATOR, room.getString(CREATOR)).put(MEMBERS, room.getJsonArray(MEMBERS).copy())
      .put(QUEUE_ID, room.getString(QUEUE_ID)).put(INFO, room.getValue(INFO))
      .put(CREATED_AT, room.getLong(CREATED_AT)).put(Calls.CALL_STATE, Calls.callState(room))
      .put(Calls.CALLER, room.getString(Calls.CALLER));
    if (!Calls.IDLE.equals(Calls.callState(room))) {
      f.put(Calls.CALL_ID, room.getString(Calls.CALL_ID));
    }
    return f;
  }

  /**
   * The 551 frame for one receiving member: {@link #info551(JsonObject)} with the {@code iceServers} minted for it
   * (STUN and TURN with short-lived credentials; an empty array when none are configured).
   */
  public static JsonObject info551(JsonObject room, JsonArray iceServers) {
    return info551(room).put(ICE_SERVERS, iceServers);
  }

  /** An entry of 541's {@code roomInfoMsgs}. */
  public static JsonObject listItem(JsonObject room) {
    return new JsonObject().put(ROOM_ID, room.getString(ROOM_ID)).put(CREATOR, room.getString(CREATOR))
      .put(MEMBERS, room.getJsonArray(MEMBERS).copy()).put(QUEUE_ID, room.getString(QUEUE_ID))
      .put(CREATED_AT, room.getLong(CREATED_AT)).put(Calls.CALL_STATE, Calls.callState(room)).put(INFO, room.getValue(INFO));
  }
}
