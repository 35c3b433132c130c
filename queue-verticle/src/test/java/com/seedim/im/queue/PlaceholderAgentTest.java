package com.seedim.im.queue;

import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;

import static com.seedim.im.testkit.Cs.await;
import static com.seedim.im.testkit.Cs.frame;
import static com.seedim.im.testkit.Cs.ok;
import static org.assertj.core.api.Assertions.assertThat;

/** Audit L6 through the real gateway: agents whose ids equal the old template placeholders. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class PlaceholderAgentTest {
  @ParameterizedTest(name = "agent {0}")
  @ValueSource(strings = {"@@queue@@", "@@customer@@"})
  @DisplayName("L6: the 551 creator of a room opened by an agent named like a placeholder is that agent")
  void creatorKept(String agentId, Vertx vertx) {
    try (TestServer s = TestServer.builder().vertx(vertx).durable(true).verticle(QueueVerticle::new).start()) {
      TestClient agent = s.connect(agentId, null, "agent");
      TestClient u1 = s.connect("u1");
      ok(u1, frame(400).put("queueId", "q1"));
      ok(agent, frame(401));
      JsonObject info = await(agent, 551);
      assertThat(info.getString("creator")).as(info.encode()).isEqualTo(agentId);
      assertThat(info.getString("queueId")).as(info.encode()).isEqualTo("q1");
    }
  }
}
