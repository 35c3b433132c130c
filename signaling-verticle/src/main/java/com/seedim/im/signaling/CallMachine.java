package com.seedim.im.signaling;

import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.cs.store.RoomState;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The call state machine of PROTOCOL.md §6 (idle → ringing → active → torn down), without I/O: given the room, the
 * sender and its frame, it decides the new room state, the relays (in order) and the side effects, or refuses.
 * Device binding: the caller is bound to the device that sent the 300, the callee to the device of the first 310;
 * candidates go to the other side's bound device (to all its devices while ringing).
 */
public final class CallMachine {
  public static final String REJECTED = "rejected";
  public static final String ANSWERED_ELSEWHERE = "answered_elsewhere";
  public static final String TIMEOUT = "timeout";

  /** What to do with a frame. */
  public enum Kind {
    /** Write {@link Decision#room()} (compare-and-set on the version), then relay. */
    APPLY,
    /** Relay without changing the room (candidates). */
    RELAY,
    /** Drop silently: the frame still gets its 30 (late or early frames are normal). */
    DROP,
    /** 330: tear the room down (the room service sends 321 hangup, 560). */
    TEARDOWN
  }

  /** Side effects beyond the relays. */
  public enum Event { NONE, STARTED, ANSWERED, RENEGOTIATED, REJECTED, TIMED_OUT }

  /** A push to a member: all devices, one device ({@code onlyDevice}) or all but one ({@code exceptDevice}). */
  public record Relay(String userId, String onlyDevice, String exceptDevice, JsonObject frame) {
  }

  public record Decision(Kind kind, JsonObject room, List<Relay> relays, Event event, String callId) {
    static Decision drop() {
      return new Decision(Kind.DROP, null, List.of(), Event.NONE, null);
    }
  }

  /** One client frame of the signaling family. */
  public record Input(int msgType, String userId, String deviceId, String callId, Object message, long now, String newCallId) {
  }

  private CallMachine() {
  }

  public static Decision decide(JsonObject room, Input in) {
    if (!RoomState.isMember(room, in.userId())) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "not in this room");
    }
    MsgType t = MsgType.of(in.msgType());
    if (t == null) {
      throw new ProtocolException(ErrorCode.UNKNOWN_MSG_TYPE, "not a signaling frame");
    }
    return switch (t) {
      case CALL_REQUEST -> onRequest(room, in);
      case CALL_ACCEPT -> onAccept(room, in);
      case CALL_REJECT -> onReject(room, in);
      case CALL_HANGUP -> otherCall(room, in) ? Decision.drop() : new Decision(Kind.TEARDOWN, null, List.of(), Event.NONE,
        room.getString(RoomState.CALL_ID));
      case CALLER_CANDIDATE, CALLEE_CANDIDATE -> onCandidate(room, in, t);
      default -> throw new ProtocolException(ErrorCode.UNKNOWN_MSG_TYPE, "not a signaling frame");
    };
  }

  /** A frame naming a call that is not the room's current one (or any call while there is none). */
  static boolean otherCall(JsonObject room, Input in) {
    return in.callId() != null && !in.callId().equals(room.getString(RoomState.CALL_ID));
  }

  private static String state(JsonObject room) {
    return RoomState.callState(room);
  }

  /** The device the user is bound to in the current call, or null. */
  static String boundDevice(JsonObject room, String userId) {
    if (userId.equals(room.getString(RoomState.CALLER))) {
      return room.getString(RoomState.CALLER_DEVICE);
    }
    if (userId.equals(room.getString(RoomState.CALLEE))) {
      return room.getString(RoomState.CALLEE_DEVICE);
    }
    return null;
  }

  private static boolean isBound(JsonObject room, Input in) {
    return in.deviceId().equals(boundDevice(room, in.userId()));
  }

  /** A relayed frame: requestUserId = caller, userId = sender, roomId, callId. */
  static JsonObject relayed(MsgType t, JsonObject room, String sender) {
    return Frames.frame(t).put("requestUserId", room.getString(RoomState.CALLER)).put("userId", sender)
      .put("roomId", room.getString(RoomState.ROOM_ID)).put(RoomState.CALL_ID, room.getString(RoomState.CALL_ID));
  }

  static JsonObject ended(JsonObject room, String sender, String reason) {
    return relayed(MsgType.CALL_ENDED, room, sender).put("reason", reason);
  }

  private static Decision onRequest(JsonObject room, Input in) {
    String other = RoomState.other(room, in.userId());
    switch (state(room)) {
      case RoomState.IDLE -> {
        JsonObject next = room.copy().put(RoomState.CALL_STATE, RoomState.RINGING).put(RoomState.CALLER, in.userId())
          .put(RoomState.CALLEE, other).put(RoomState.CALL_ID, in.newCallId()).put(RoomState.CALLER_DEVICE, in.deviceId())
          .putNull(RoomState.CALLEE_DEVICE).put(RoomState.RING_AT, in.now()).putNull(RoomState.ANSWERED_AT)
          .put(RoomState.OFFER, in.message()).putNull(RoomState.RENEGOTIATION_BY);
        JsonObject f = relayed(MsgType.CALL_INCOMING, next, in.userId()).put("message", in.message());
        return new Decision(Kind.APPLY, next, List.of(new Relay(other, null, null, f)), Event.STARTED, in.newCallId());
      }
      case RoomState.ACTIVE -> {
        if (!isBound(room, in) || in.callId() == null || !in.callId().equals(room.getString(RoomState.CALL_ID))) {
          throw new ProtocolException(ErrorCode.INVALID_STATE,
            "a call is active: only a bound device naming its callId may renegotiate");
        }
        JsonObject next = room.copy().put(RoomState.RENEGOTIATION_BY, in.userId());
        JsonObject f = relayed(MsgType.CALL_INCOMING, next, in.userId()).put("message", in.message());
        return new Decision(Kind.APPLY, next, List.of(new Relay(other, boundDevice(room, other), null, f)),
          Event.RENEGOTIATED, room.getString(RoomState.CALL_ID));
      }
      default -> throw new ProtocolException(ErrorCode.INVALID_STATE, "a call is already ringing");
    }
  }

  private static Decision onAccept(JsonObject room, Input in) {
    if (otherCall(room, in)) {
      return Decision.drop();
    }
    String callId = room.getString(RoomState.CALL_ID);
    switch (state(room)) {
      case RoomState.RINGING -> {
        if (!in.userId().equals(room.getString(RoomState.CALLEE))) {
          throw new ProtocolException(ErrorCode.INVALID_STATE, "only the callee accepts a call");
        }
        JsonObject next = room.copy().put(RoomState.CALL_STATE, RoomState.ACTIVE).put(RoomState.CALLEE_DEVICE, in.deviceId())
          .put(RoomState.ANSWERED_AT, in.now()).putNull(RoomState.OFFER);
        String caller = room.getString(RoomState.CALLER);
        List<Relay> relays = new ArrayList<>();
        relays.add(new Relay(caller, room.getString(RoomState.CALLER_DEVICE), null,
          relayed(MsgType.CALL_ACCEPTED, next, in.userId()).put("message", in.message())));
        relays.add(new Relay(in.userId(), null, in.deviceId(), ended(next, in.userId(), ANSWERED_ELSEWHERE)));
        return new Decision(Kind.APPLY, next, relays, Event.ANSWERED, callId);
      }
      case RoomState.ACTIVE -> {
        String by = room.getString(RoomState.RENEGOTIATION_BY);
        if (by == null || by.equals(in.userId()) || !isBound(room, in)) {
          throw new ProtocolException(ErrorCode.INVALID_STATE, "the call was already answered");
        }
        JsonObject next = room.copy().putNull(RoomState.RENEGOTIATION_BY);
        JsonObject f = relayed(MsgType.CALL_ACCEPTED, next, in.userId()).put("message", in.message());
        return new Decision(Kind.APPLY, next, List.of(new Relay(by, boundDevice(room, by), null, f)), Event.NONE, callId);
      }
      default -> throw new ProtocolException(ErrorCode.INVALID_STATE, "no call is ringing");
    }
  }

  private static Decision onReject(JsonObject room, Input in) {
    if (otherCall(room, in)) {
      return Decision.drop();
    }
    if (!RoomState.RINGING.equals(state(room)) || !in.userId().equals(room.getString(RoomState.CALLEE))) {
      throw new ProtocolException(ErrorCode.INVALID_STATE, "no call is ringing for you");
    }
    String callId = room.getString(RoomState.CALL_ID);
    JsonObject before = room.copy();
    JsonObject next = idle(room);
    List<Relay> relays = new ArrayList<>();
    relays.add(new Relay(before.getString(RoomState.CALLER), null, null, ended(before, in.userId(), REJECTED)));
    relays.add(new Relay(in.userId(), null, in.deviceId(), ended(before, in.userId(), REJECTED)));
    return new Decision(Kind.APPLY, next, relays, Event.REJECTED, callId);
  }

  private static Decision onCandidate(JsonObject room, Input in, MsgType t) {
    if (otherCall(room, in)) {
      return Decision.drop();
    }
    MsgType relay = t == MsgType.CALLER_CANDIDATE ? MsgType.CALLER_CANDIDATE_RELAY : MsgType.CALLEE_CANDIDATE_RELAY;
    String other = RoomState.other(room, in.userId());
    String state = state(room);
    // gated: only after the sender's own 300 (caller) or 310 (callee) of this call, from its bound device
    if (!isBound(room, in) || !(RoomState.RINGING.equals(state) || RoomState.ACTIVE.equals(state))) {
      return Decision.drop();
    }
    String target = RoomState.RINGING.equals(state) ? null : boundDevice(room, other);
    JsonObject f = relayed(relay, room, in.userId()).put("message", in.message());
    return new Decision(Kind.RELAY, null, List.of(new Relay(other, target, null, f)), Event.NONE, room.getString(RoomState.CALL_ID));
  }

  /** The ring timeout of call {@code callId}: back to idle with 321 timeout to both, or null when that call no longer rings. */
  public static Decision ringTimeout(JsonObject room, String callId) {
    if (!RoomState.RINGING.equals(state(room)) || !callId.equals(room.getString(RoomState.CALL_ID))) {
      return null;
    }
    String caller = room.getString(RoomState.CALLER);
    List<Relay> relays = new ArrayList<>();
    for (String m : List.of(caller, RoomState.other(room, caller))) {
      relays.add(new Relay(m, null, null, ended(room, caller, TIMEOUT)));
    }
    return new Decision(Kind.APPLY, idle(room), relays, Event.TIMED_OUT, callId);
  }

  /** The room without a call. */
  static JsonObject idle(JsonObject room) {
    JsonObject next = room.copy().put(RoomState.CALL_STATE, RoomState.IDLE).putNull(RoomState.CALLER);
    for (String f : List.of(RoomState.CALLEE, RoomState.CALL_ID, RoomState.CALLER_DEVICE, RoomState.CALLEE_DEVICE,
      RoomState.RING_AT, RoomState.ANSWERED_AT, RoomState.OFFER, RoomState.RENEGOTIATION_BY)) {
      next.remove(f);
    }
    return next;
  }
}
