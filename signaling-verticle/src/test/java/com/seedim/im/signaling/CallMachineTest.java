package com.seedim.im.signaling;

import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.cs.call.Calls;
import com.seedim.im.cs.store.RoomState;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("call state machine without I/O")
class CallMachineTest {
  private static final JsonObject ROOM = RoomState.create("7", "ag", "cu", "default", 1L);

  private static CallMachine.Input in(int type, String user, String device, String callId) {
    return new CallMachine.Input(type, user, device, callId, new JsonObject().put("sdp", "x"), 1000L, "42");
  }

  private static ErrorCode refused(JsonObject room, CallMachine.Input in) {
    return catchThrowableOfType(ProtocolException.class, () -> CallMachine.decide(room, in)).code();
  }

  private static JsonObject ringing() {
    return CallMachine.decide(ROOM, in(300, "ag", "d1", null)).room();
  }

  private static JsonObject active() {
    return CallMachine.decide(ringing(), in(310, "cu", "p1", "42")).room();
  }

  @Test
  @DisplayName("300 idle → ringing: new callId, caller bound, 301 to all callee devices; a second 300 (glare) INVALID_STATE")
  void request() {
    CallMachine.Decision d = CallMachine.decide(ROOM, in(300, "ag", "d1", null));
    assertThat(d.kind()).isEqualTo(CallMachine.Kind.APPLY);
    assertThat(d.room().getString(Calls.CALL_STATE)).isEqualTo(Calls.RINGING);
    assertThat(d.room().getString(Calls.CALLER_DEVICE)).isEqualTo("d1");
    assertThat(d.callId()).isEqualTo("42");
    CallMachine.Relay r = d.relays().get(0);
    assertThat(r.userId()).isEqualTo("cu");
    assertThat(r.onlyDevice()).isNull();
    assertThat(r.frame().getInteger("msgType")).isEqualTo(301);
    assertThat(r.frame().getString("requestUserId")).isEqualTo("ag");
    assertThat(r.frame().getString("callId")).isEqualTo("42");
    assertThat(refused(d.room(), in(300, "cu", "p1", null))).isEqualTo(ErrorCode.INVALID_STATE);
  }

  @Test
  @DisplayName("310: callee binds, 311 to the caller's bound device, 321 answered_elsewhere to its other devices; later 310s INVALID_STATE")
  void accept() {
    CallMachine.Decision d = CallMachine.decide(ringing(), in(310, "cu", "p1", null));
    assertThat(d.room().getString(Calls.CALL_STATE)).isEqualTo(Calls.ACTIVE);
    assertThat(d.relays()).hasSize(2);
    assertThat(d.relays().get(0).onlyDevice()).isEqualTo("d1");
    assertThat(d.relays().get(0).frame().getInteger("msgType")).isEqualTo(311);
    assertThat(d.relays().get(1).exceptDevice()).isEqualTo("p1");
    assertThat(d.relays().get(1).frame().getString("reason")).isEqualTo("answered_elsewhere");
    assertThat(refused(d.room(), in(310, "cu", "p2", null))).isEqualTo(ErrorCode.INVALID_STATE);
    assertThat(refused(ringing(), in(310, "ag", "d1", null))).isEqualTo(ErrorCode.INVALID_STATE);
    assertThat(refused(ROOM, in(310, "cu", "p1", null))).isEqualTo(ErrorCode.INVALID_STATE);
  }

  @Test
  @DisplayName("frames naming another call are dropped silently")
  void staleCallId() {
    for (int t : new int[] {310, 320, 330, 340, 342}) {
      assertThat(CallMachine.decide(ringing(), in(t, "cu", "p1", "41")).kind()).isEqualTo(CallMachine.Kind.DROP);
    }
    assertThat(CallMachine.decide(ROOM, in(330, "cu", "p1", "41")).kind()).isEqualTo(CallMachine.Kind.DROP);
    assertThat(CallMachine.decide(ROOM, in(330, "cu", "p1", null)).kind()).isEqualTo(CallMachine.Kind.TEARDOWN);
  }

  @Test
  @DisplayName("320 → idle with 321 rejected to the caller; only the callee may reject a ringing call")
  void reject() {
    CallMachine.Decision d = CallMachine.decide(ringing(), in(320, "cu", "p1", "42"));
    assertThat(d.room().getString(Calls.CALL_STATE)).isEqualTo(Calls.IDLE);
    assertThat(d.room().containsKey(Calls.CALL_ID)).isFalse();
    assertThat(d.relays().get(0).userId()).isEqualTo("ag");
    assertThat(d.relays().get(0).frame().getString("reason")).isEqualTo("rejected");
    assertThat(refused(ringing(), in(320, "ag", "d1", null))).isEqualTo(ErrorCode.INVALID_STATE);
    assertThat(refused(active(), in(320, "cu", "p1", null))).isEqualTo(ErrorCode.INVALID_STATE);
  }

  @Test
  @DisplayName("candidates: only from a bound device after its 300/310, to all callee devices while ringing, else to the bound device")
  void candidates() {
    assertThat(CallMachine.decide(ROOM, in(340, "ag", "d1", null)).kind()).isEqualTo(CallMachine.Kind.DROP);
    CallMachine.Decision ring = CallMachine.decide(ringing(), in(340, "ag", "d1", null));
    assertThat(ring.kind()).isEqualTo(CallMachine.Kind.RELAY);
    assertThat(ring.relays().get(0).onlyDevice()).isNull();
    assertThat(ring.relays().get(0).frame().getInteger("msgType")).isEqualTo(341);
    assertThat(CallMachine.decide(ringing(), in(342, "cu", "p1", null)).kind()).isEqualTo(CallMachine.Kind.DROP);
    assertThat(CallMachine.decide(ringing(), in(340, "ag", "d2", null)).kind()).isEqualTo(CallMachine.Kind.DROP);
    CallMachine.Decision act = CallMachine.decide(active(), in(342, "cu", "p1", null));
    assertThat(act.relays().get(0).onlyDevice()).isEqualTo("d1");
    assertThat(act.relays().get(0).frame().getInteger("msgType")).isEqualTo(343);
    assertThat(CallMachine.decide(active(), in(340, "ag", "d1", "42")).relays().get(0).onlyDevice()).isEqualTo("p1");
  }

  @Test
  @DisplayName("renegotiation: 300 from a bound device naming the call → 301 to the other bound device, answered by its 310")
  void renegotiation() {
    assertThat(refused(active(), in(300, "ag", "d1", null))).isEqualTo(ErrorCode.INVALID_STATE);
    assertThat(refused(active(), in(300, "ag", "d2", "42"))).isEqualTo(ErrorCode.INVALID_STATE);
    CallMachine.Decision d = CallMachine.decide(active(), in(300, "ag", "d1", "42"));
    assertThat(d.relays().get(0).onlyDevice()).isEqualTo("p1");
    assertThat(d.relays().get(0).frame().getString("callId")).isEqualTo("42");
    CallMachine.Decision answer = CallMachine.decide(d.room(), in(310, "cu", "p1", "42"));
    assertThat(answer.relays().get(0).onlyDevice()).isEqualTo("d1");
    assertThat(answer.relays().get(0).frame().getInteger("msgType")).isEqualTo(311);
    assertThat(refused(answer.room(), in(310, "cu", "p1", "42"))).isEqualTo(ErrorCode.INVALID_STATE);
  }

  @Test
  @DisplayName("ring timeout: 321 timeout to both, back to idle; a stale timer does nothing")
  void timeout() {
    CallMachine.Decision d = CallMachine.ringTimeout(ringing(), "42");
    assertThat(d.relays()).extracting(CallMachine.Relay::userId).containsExactly("ag", "cu");
    assertThat(d.room().getString(Calls.CALL_STATE)).isEqualTo(Calls.IDLE);
    assertThat(CallMachine.ringTimeout(ringing(), "41")).isNull();
    assertThat(CallMachine.ringTimeout(active(), "42")).isNull();
  }
}
