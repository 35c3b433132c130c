package com.seedim.im.room;

import com.seedim.im.common.bus.msg.TeardownReason;
import com.seedim.im.cs.call.Calls;
import com.seedim.im.cs.store.RoomState;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("teardown order without I/O")
class TeardownTest {
  private static JsonObject room() {
    return RoomState.create("7", "ag", "cu", "default", 1L);
  }

  private static List<String> shape(List<Teardown.Push> plan) {
    return plan.stream().map(p -> p.frame().getInteger("msgType") + "->" + p.userId()).toList();
  }

  @Test
  @DisplayName("idle room, 420 by the customer: 421 to the agent, then 560 to both")
  void leftIdle() {
    List<Teardown.Push> plan = Teardown.plan(room(), TeardownReason.LEFT, "cu");
    assertThat(shape(plan)).containsExactly("421->ag", "560->ag", "560->cu");
    assertThat(plan.get(0).frame().getString("userId")).isEqualTo("cu");
    assertThat(plan.get(1).frame().getString("reason")).isEqualTo("left");
  }

  @Test
  @DisplayName("active call, disconnect of the agent: 321 then 421 to the customer, then 560 to both")
  void disconnectActive() {
    JsonObject r = room().put(Calls.CALL_STATE, Calls.ACTIVE).put(Calls.CALLER, "cu").put(Calls.CALL_ID, "99");
    List<Teardown.Push> plan = Teardown.plan(r, TeardownReason.DISCONNECT, "ag");
    assertThat(shape(plan)).containsExactly("321->cu", "421->cu", "560->ag", "560->cu");
    assertThat(plan.get(0).frame().getString("reason")).isEqualTo("disconnect");
    assertThat(plan.get(0).frame().getString("callId")).isEqualTo("99");
    assertThat(plan.get(0).frame().getString("requestUserId")).isEqualTo("cu");
  }

  @Test
  @DisplayName("330 while ringing: 321 hangup to the other member, no 421, then 560; idle timeout: 560 only")
  void hangupAndTimeout() {
    JsonObject r = room().put(Calls.CALL_STATE, Calls.RINGING).put(Calls.CALLER, "ag").put(Calls.CALL_ID, "5");
    assertThat(shape(Teardown.plan(r, TeardownReason.HANGUP, "ag"))).containsExactly("321->cu", "560->ag", "560->cu");
    assertThat(shape(Teardown.plan(room(), TeardownReason.TIMEOUT, null))).containsExactly("560->ag", "560->cu");
  }
}
