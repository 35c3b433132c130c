package com.seedim.im.signaling;

import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.cs.call.Calls;
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
        room.getString(Calls.CALL_ID));
      case CALLER_CANDIDATE, CALLEE_CANDIDATE -> onCandidate(room, in, t);
      default -> throw new ProtocolException(ErrorCode.UNKNOWN_MSG_TYPE, "not a signaling frame");
    };
  }

  /** A frame naming a call that is not the room's current one (or any call while there is none). */
  static boolean otherCall(JsonObject room, Input in) {
    return in.callId() != null && !in.callId().equals(room.getString(Calls.CALL_ID));
  }

  private static String state(JsonObject room) {
    return Calls.callState(room);
  }

  /** The device the user is bound to in the current call, or null. */
  static String boundDevice(JsonObject room, String userId) {
    if (userId.equals(room.getString(Calls.CALLER))) {
      return room.getString(Calls.CALLER_DEVICE);
    }
    if (userId.equals(room.getString(Calls.CALLEE))) {
      return room.getString(Calls.CALLEE_DEVICE);
    }
    return null;
  }

  private static boolean isBound(JsonObject room, Input in) {
    return in.deviceId().equals(boundDevice(room, in.userId()));
  }

  private static Decision onRequest(JsonObject room, Input in) {
    String other = RoomState.other(room, in.userId());
    switch (state(room)) {
      case Calls.IDLE -> {
        JsonObject next = room.copy().put(Calls.CALL_STATE, Calls.RINGING).put(Calls.CALLER, in.userId())
          .put(Calls.CALLEE, other).put(Calls.CALL_ID, in.newCallId()).put(Calls.CALLER_DEVICE, in.deviceId())
          .putNull(Calls.CALLEE_DEVICE).put(Calls.RING_AT, in.now()).putNull(Calls.ANSWERED_AT)
          .put(Calls.OFFER, in.message()).putNull(Calls.RENEGOTIATION_BY);
        JsonObject f = Calls.incoming(next);
        return new Decision(Kind.APPLY, next, List.of(new Relay(other, null, null, f)), Event.STARTED, in.newCallId());
      }
      case Calls.ACTIVE -> {
        if (!isBound(room, in) || in.callId() == null || !in.callId().equals(room.getString(Calls.CALL_ID))) {
          throw new ProtocolException(ErrorCode.INVALID_STATE,
            "a call is active: only a bound device naming its callId may renegotiate");
        }
        JsonObject next = room.copy().put(Calls.RENEGOTIATION_BY, in.userId());
        JsonObject f = Calls.relayed(MsgType.CALL_INCOMING, next, in.userId()).put("message", in.message());
        return new Decision(Kind.APPLY, next, List.of(new Relay(other, boundDevice(room, other), null, f)),
          Event.RENEGOTIATED, room.getString(Calls.CALL_ID));
      }
      default -> throw new ProtocolException(ErrorCode.INVALID_STATE, "a call is already ringing");
    }
  }

  private static Decision onAccept(JsonObject room, Input in) {
    if (otherCall(room, in)) {
      return Decision.drop();
    }
    String callId = room.getString(Calls.CALL_ID);
    switch (state(room)) {
      case Calls.RINGING -> {
        if (!in.userId().equals(room.getString(Calls.CALLEE))) {
          throw new ProtocolException(ErrorCode.INVALID_STATE, "only the callee accepts a call");
        }
        JsonObject next = room.copy().put(Calls.CALL_STATE, Calls.ACTIVE).put(Calls.CALLEE_DEVICE, in.deviceId())
          .put(Calls.ANSWERED_AT, in.now()).putNull(Calls.OFFER);
        String caller = room.getString(Calls.CALLER);
        List<Relay> relays = new ArrayList<>();
        relays.add(new Relay(caller, room.getString(Calls.CALLER_DEVICE), null,
          Calls.relayed(MsgType.CALL_ACCEPTED, next, in.userId()).put("message", in.message())));
        relays.add(new Relay(in.userId(), null, in.deviceId(), Calls.ended(next, in.userId(), ANSWERED_ELSEWHERE)));
        return new Decision(Kind.APPLY, next, relays, Event.ANSWERED, callId);
      }
      case Calls.ACTIVE -> {
        String by = room.getString(Calls.RENEGOTIATION_BY);
        if (by == null || by.equals(in.userId()) || !isBound(room, in)) {
          throw new ProtocolException(ErrorCode.INVALID_STATE, "the call was already answered");
        }
        JsonObject next = room.copy().putNull(Calls.RENEGOTIATION_BY);
        JsonObject f = Calls.relayed(MsgType.CALL_ACCEPTED, next, in.userId()).put("message", in.message());
        return new Decision(Kind.APPLY, next, List.of(new Relay(by, boundDevice(room, by), null, f)), Event.NONE, callId);
      }
      default -> throw new ProtocolException(ErrorCode.INVALID_STATE, "no call is ringing");
    }
  }

  private static Decision onReject(JsonObject room, Input in) {
    if (otherCall(room, in)) {
      return Decision.drop();
    }
    if (!Calls.RINGING.equals(state(room)) || !in.userId().equals(room.getString(Calls.CALLEE))) {
      throw new ProtocolException(ErrorCode.INVALID_STATE, "no call is ringing for you");
    }
    String callId = room.getString(Calls.CALL_ID);
    JsonObject before = room.copy();
    JsonObject next = idle(room);
    List<Relay> relays = new ArrayList<>();
    relays.add(new Relay(before.getString(Calls.CALLER), null, null, Calls.ended(before, in.userId(), REJECTED)));
    relays.add(new Relay(in.userId(), null, in.deviceId(), Calls.ended(before, in.userId(), REJECTED)));
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
    if (!isBound(room, in) || !(Calls.RINGING.equals(state) || Calls.ACTIVE.equals(state))) {
      return Decision.drop();
    }
    String target = Calls.RINGING.equals(state) ? null : boundDevice(room, other);
    JsonObject f = Calls.relayed(relay, room, in.userId()).put("message", in.message());
    return new Decision(Kind.RELAY, null, List.of(new Relay(other, target, null, f)), Event.NONE, room.getString(Calls.CALL_ID));
  }

  /** The ring timeout of call {@code callId}: back to idle with 321 timeout to both, or null when that call no longer rings. */
  public static Decision ringTimeout(JsonObject room, String callId) {
    if (!Calls.RINGING.equals(state(room)) || !callId.equals(room.getString(Calls.CALL_ID))) {
      return null;
    }
    String caller = room.getString(Calls.CALLER);
    List<Relay> relays = new ArrayList<>();
    for (String m : List.of(caller, RoomState.other(room, caller))) {
      relays.add(new Relay(m, null, null, Calls.ended(room, caller, TIMEOUT)));
    }
    return new Decision(Kind.APPLY, idle(room), relays, Event.TIMED_OUT, callId);
  }

  /** The room without a call. */
  static JsonObject idle(JsonObject room) {
    JsonObject next = room.copy().put(Calls.CALL_STATE, Calls.IDLE).putNull(Calls.CALLER);
    for (String f : List.of(Calls.CALLEE, Calls.CALL_ID, Calls.CALLER_DEVICE, Calls.CALLEE_DEVICE,
      Calls.RING_AT, Calls.ANSWERED_AT, Calls.OFFER, Calls.RENEGOTIATION_BY)) {
      next.remove(f);
    }
    return next;
  }
}
