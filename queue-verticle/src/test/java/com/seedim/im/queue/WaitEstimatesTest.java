package com.seedim.im.queue;

import com.seedim.im.room.RoomVerticle;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static com.seedim.im.testkit.Cs.frame;
import static com.seedim.im.testkit.Cs.ok;
import static com.seedim.im.testkit.Cs.sleep;
import static org.assertj.core.api.Assertions.assertThat;

/** §7.4 estimated waits: a waiter's position times the queue's recent pace of takes. */
@DisplayName("410 estimatedWaitSeconds from the queue's recent takes")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class WaitEstimatesTest {

  @Test
  @DisplayName("the pace is the mean interval between recent takes; no estimate before two takes")
  void rules() {
    assertThat(WaitEstimates.intervalMs(List.of())).isEqualTo(-1);
    assertThat(WaitEstimates.intervalMs(List.of(5_000L))).isEqualTo(-1);
    assertThat(WaitEstimates.intervalMs(List.of(10_000L, 7_000L, 1_000L))).isEqualTo(4_500);
    assertThat(WaitEstimates.estimate(-1, 3)).isNull();
    assertThat(WaitEstimates.estimate(4_500, 1)).isEqualTo(5);
    assertThat(WaitEstimates.estimate(4_500, 2)).isEqualTo(9);
    assertThat(WaitEstimates.estimate(4_500, 0)).isNull();
    assertThat(WaitEstimates.estimate(3_600_000, 100)).as("capped").isEqualTo(WaitEstimates.MAX_SECONDS);
  }

  @Test
  @DisplayName("after two takes a second apart, a customer entering third in line is told about three seconds")
  void estimateAfterTakes(Vertx vertx) {
    try (TestServer s = TestServer.builder().vertx(vertx).verticle(RoomVerticle::new).verticle(QueueVerticle::new).start()) {
      TestClient agent = s.connect("agent1", null, "agent");
      TestClient agent2 = s.connect("agent2", null, "agent");
      TestClient c1 = s.connect("c1");
      TestClient c2 = s.connect("c2");
      TestClient c3 = s.connect("c3");
      TestClient c4 = s.connect("c4");
      for (TestClient c : List.of(c1, c2, c3, c4)) {
        ok(c, frame(400).put("queueId", "q"));
        JsonObject first = c.awaitType(410);
        assertThat(first.containsKey("estimatedWaitSeconds")).as("no takes yet: no estimate").isFalse();
      }
      ok(agent, frame(401).put("queueId", "q"));
      sleep(1_000);
      ok(agent2, frame(401).put("queueId", "q"));
      sleep(1_500); // the pace is read in the background (unknown paces again after a second)
      ok(c3, frame(420));
      TestClient c5 = s.connect("c5");
      // c5 enters behind c4: the estimate asks for the pace, then a later 410 (c3 left → c4 first, c5 second) has it
      ok(c5, frame(400).put("queueId", "q"));
      JsonObject estimated = c5.await(f -> f.getInteger("msgType") == 410 && f.containsKey("estimatedWaitSeconds"));
      int index = estimated.getInteger("waitIndex");
      // two takes about 1 s apart: about 1 s per place, rounded up
      assertThat(estimated.getLong("estimatedWaitSeconds")).as(estimated.encode()).isBetween((long) index, 2L * index + 1);
    }
  }
}
