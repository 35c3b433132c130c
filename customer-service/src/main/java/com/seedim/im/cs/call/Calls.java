package com.seedim.im.cs.call;

import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.Timer;
import io.vertx.core.json.JsonObject;

/**
 * What the customer-service state knows of a room's call (PROTOCOL.md §6): its fields in the room JSON (state,
 * caller, callee, callId, the devices each side is bound to, the pending offer while ringing), the frames built from
 * them (the relays, the 301 replayed to a callee device that connects while it rings, the 321 of a teardown) and the
 * ring timer. Signaling changes the call ({@code CallMachine}); the room service only replays and ends it.
 */
public final class Calls {
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

  private Calls() {
  }

  public static String callState(JsonObject room) {
    return room.getString(CALL_STATE, IDLE);
  }

  /** True while a call rings or is active (a teardown then ends it with a 321). */
  public static boolean isLive(JsonObject room) {
    String state = callState(room);
    return RINGING.equals(state) || ACTIVE.equals(state);
  }

  /** A frame about the room's call: requestUserId = caller, userId = sender, roomId, callId. */
  public static JsonObject relayed(MsgType t, JsonObject room, String sender) {
    return Frames.frame(t).put("requestUserId", room.getString(CALLER)).put("userId", sender)
      .put(RoomState.ROOM_ID, room.getString(RoomState.ROOM_ID)).put(CALL_ID, room.getString(CALL_ID));
  }

  /** The 301 of a ringing call: sent when it starts, and again to a callee device that connects while it rings. */
  public static JsonObject incoming(JsonObject room) {
    return relayed(MsgType.CALL_INCOMING, room, room.getString(CALLER)).put("message", room.getValue(OFFER));
  }

  /** True when {@code userId} is the callee of a call that rings now. */
  public static boolean ringsFor(JsonObject room, String userId) {
    return RINGING.equals(callState(room)) && userId.equals(room.getString(CALLEE));
  }

  /** The 321 ending the call: {@code sender} is who ended it (the caller when nobody did, e.g. an idle timeout). */
  public static JsonObject ended(JsonObject room, String sender, String reason) {
    return relayed(MsgType.CALL_ENDED, room, sender).put("reason", reason);
  }

  /** The timer (set {@code RoomStore.CALL_DEADLINES}) that ends the call if nobody answers. */
  public static Timer ringTimer(String appId, String roomId, String callId) {
    return Timer.ring(appId, roomId, callId);
  }
}
