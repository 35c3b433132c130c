package com.seedim.im.queue;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.testkit.Cs;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static com.seedim.im.testkit.Cs.await;
import static com.seedim.im.testkit.Cs.error;
import static com.seedim.im.testkit.Cs.frame;
import static com.seedim.im.testkit.Cs.none;
import static com.seedim.im.testkit.Cs.ok;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§6 queues through the real gateway")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class QueueFlowTest {

  private static TestServer server(Vertx vertx, boolean durable, JsonObject app) {
    return TestServer.builder().vertx(vertx).durable(durable).app(app).verticle(QueueVerticle::new).start();
  }

  private static JsonObject enter(String queueId) {
    JsonObject f = frame(400);
    return queueId == null ? f : f.put("queueId", queueId);
  }

  private static void position(JsonObject f, String queueId, int index, int total) {
    assertThat(f.getInteger("msgType")).isEqualTo(410);
    assertThat(f.getString("queueId")).isEqualTo(queueId);
    assertThat(f.getInteger("waitIndex")).as(f.encode()).isEqualTo(index);
    assertThat(f.getInteger("waitTotal")).as(f.encode()).isEqualTo(total);
  }

  @Test
  @DisplayName("400: 30 then 410; same queue keeps the place; another queue moves to its tail; others see their own 410")
  void enterAndPositions(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient u1 = s.connect("u1");
      TestClient u2 = s.connect("u2");
      ok(u1, enter(null));
      position(await(u1, 410), "default", 1, 1);
      ok(u2, enter("default"));
      position(await(u2, 410), "default", 2, 2);
      position(await(u1, 410), "default", 1, 2);
      ok(u1, enter(null));
      position(await(u1, 410), "default", 1, 2);
      ok(u1, enter("other"));
      position(await(u1, 410), "other", 1, 1);
      position(await(u2, 410), "default", 1, 1);
      none(u2, 410, Duration.ofMillis(500));
      assertThat(u2.history().stream().filter(f -> f.getInteger("msgType") == 410)
        .allMatch(f -> !f.containsKey("userIdList") && !f.containsKey("userId"))).isTrue();
    }
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("401: 402 reply to the agent, 402 + 551 pushes to the customer, 551 to the agent, 410 to the rest; busy, empty, roles")
  void take(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      error(agent, frame(401), "QUEUE_EMPTY");
      error(agent, enter(null), "FORBIDDEN");
      TestClient u1 = s.connect("u1");
      TestClient u2 = s.connect("u2");
      error(u1, frame(401), "FORBIDDEN");
      ok(u1, enter(null));
      ok(u2, enter(null));
      position(await(u2, 410), "default", 2, 2);
      JsonObject take = frame(401);
      ok(agent, take);
      JsonObject reply = agent.await(f -> f.getInteger("msgType") == 402 && take.getValue("unique").equals(f.getValue("unique")));
      assertThat(reply.getString("receiveUserId")).isEqualTo("u1");
      assertThat(reply.getString("queueId")).isEqualTo("default");
      String roomId = reply.getString("roomId");
      assertThat(roomId).matches("[0-9]+");
      JsonObject pushed = await(u1, 402);
      assertThat(pushed.getString("userId")).isEqualTo("ag1");
      assertThat(pushed.getString("roomId")).isEqualTo(roomId);
      JsonObject info = await(u1, 551);
      assertThat(info.getString("roomId")).isEqualTo(roomId);
      assertThat(info.getString("creator")).isEqualTo("ag1");
      assertThat(info.getJsonArray("members")).containsExactly("ag1", "u1");
      assertThat(info.getString("callState")).isEqualTo("idle");
      assertThat(await(agent, 551).getString("roomId")).isEqualTo(roomId);
      position(await(u2, 410), "default", 1, 1);
      error(agent, frame(401), "AGENT_BUSY");
      error(u1, enter(null), "INVALID_STATE");
      // a customer in a room: 430 says not waiting
      JsonObject q = u1.query(frame(430), 431);
      assertThat(q.getInteger("waitIndex")).isEqualTo(-1);
    }
  }

  @Test
  @DisplayName("401 naming: oneself FORBIDDEN, not waiting NOT_FOUND, without a live device INVALID_STATE, a live waiter is taken")
  void takeNamed(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient gone = s.connect("gone");
      TestClient u2 = s.connect("u2");
      ok(gone, enter(null));
      ok(u2, enter(null));
      error(agent, frame(401).put("receiveUserId", "ag1"), "FORBIDDEN");
      error(agent, frame(401).put("receiveUserId", "nobody"), "NOT_FOUND");
      gone.close();
      sleep(300);
      error(agent, frame(401).put("receiveUserId", "gone"), "INVALID_STATE");
      JsonObject take = frame(401).put("receiveUserId", "u2");
      ok(agent, take);
      assertThat(await(agent, 402).getString("receiveUserId")).isEqualTo("u2");
    }
  }

  @Test
  @DisplayName("430: customers see their own position only; agents of the queue also get waiting and userIdList")
  void info(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient u1 = s.connect("u1");
      TestClient u2 = s.connect("u2");
      TestClient agent = s.connect("ag1", null, "agent");
      ok(u1, enter(null));
      ok(u2, enter(null));
      JsonObject mine = u2.query(frame(430), 431);
      assertThat(mine.getString("queueId")).isEqualTo("default");
      assertThat(mine.getInteger("waitIndex")).isEqualTo(2);
      assertThat(mine.getInteger("waitTotal")).isEqualTo(2);
      assertThat(mine.containsKey("waiting")).isFalse();
      assertThat(mine.containsKey("userIdList")).isFalse();
      JsonObject all = agent.query(frame(430).put("queueId", "default"), 431);
      assertThat(all.getInteger("waitIndex")).isEqualTo(-1);
      assertThat(all.getJsonArray("userIdList")).containsExactly("u1", "u2");
      assertThat(all.getJsonArray("waiting").getJsonObject(0).getString("userId")).isEqualTo("u1");
      assertThat(all.getJsonArray("waiting").getJsonObject(0).getLong("waitSeconds")).isGreaterThanOrEqualTo(0);
      // 431 pushed to online agents of a changed queue
      TestClient u3 = s.connect("u3");
      ok(u3, enter(null));
      JsonObject pushed = agent.await(f -> f.getInteger("msgType") == 431 && f.getInteger("waitTotal") == 3);
      assertThat(pushed.getJsonArray("userIdList")).containsExactly("u1", "u2", "u3");
    }
  }

  @Test
  @DisplayName("420: a waiter leaves and the others move up; nothing to leave still gets a 30")
  void leave(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient u1 = s.connect("u1");
      TestClient u2 = s.connect("u2");
      ok(u1, enter(null));
      ok(u2, enter(null));
      position(await(u2, 410), "default", 2, 2);
      ok(u1, frame(420));
      position(await(u2, 410), "default", 1, 1);
      ok(u1, frame(420));
      assertThat(u1.query(frame(430), 431).getInteger("waitIndex")).isEqualTo(-1);
    }
  }

  @Test
  @DisplayName("configured queues: unknown NOT_FOUND without dynamicQueues, unserved FORBIDDEN, QUEUE_FULL")
  void configuredQueues(Vertx vertx) {
    JsonObject app = new JsonObject().put("dynamicQueues", false).put("maxQueueLength", 1)
      .put("queues", new JsonArray().add(new JsonObject().put("id", "vip").put("agents", new JsonArray().add("agA")))
        .add(new JsonObject().put("id", "default").put("agents", "all")));
    try (TestServer s = server(vertx, false, app)) {
      TestClient u1 = s.connect("u1");
      TestClient u2 = s.connect("u2");
      TestClient agB = s.connect("agB", null, "agent");
      TestClient agA = s.connect("agA", null, "agent");
      error(u1, enter("nope"), "NOT_FOUND");
      error(u1, frame(430).put("queueId", "nope"), "NOT_FOUND");
      ok(u1, enter("vip"));
      error(u2, enter("vip"), "QUEUE_FULL");
      error(agB, frame(401).put("queueId", "vip"), "FORBIDDEN");
      error(agB, frame(401), "QUEUE_EMPTY");
      ok(agA, frame(401));
      assertThat(await(agA, 402).getString("queueId")).isEqualTo("vip");
    }
  }

  @Test
  @DisplayName("grace: a waiter whose last device left is skipped but keeps its place, gets 410 on return, and is removed after the grace")
  void grace(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject().put("queueGraceSeconds", 2))) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient u1 = s.connect("u1");
      TestClient u2 = s.connect("u2");
      TestClient u3 = s.connect("u3");
      ok(u1, enter(null));
      ok(u2, enter(null));
      ok(u3, enter(null));
      u1.close();
      sleep(300);
      ok(agent, frame(401));
      assertThat(await(agent, 402).getString("receiveUserId")).isEqualTo("u2");
      TestClient back = s.connect("u1");
      position(await(back, 410), "default", 1, 2);
      back.close();
      awaitPosition(u3, 2, 2, Duration.ofSeconds(5));
      // not back within the grace: removed, and the others move up
      awaitPosition(u3, 1, 1, Duration.ofSeconds(6));
    }
  }

  @Test
  @DisplayName("queue statistics API: waiting list, served count, average wait")
  void stats(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient u1 = s.connect("u1");
      TestClient u2 = s.connect("u2");
      ok(u1, enter(null));
      ok(u2, enter(null));
      ok(agent, frame(401));
      await(agent, 402);
      JsonObject st = s.vertx().eventBus().<JsonObject>request(Addresses.QUEUE_API_STATS,
        new JsonObject().put("appId", TestServer.APP_ID).put("queueId", "default")).await().body();
      assertThat(st.getInteger("waitTotal")).isEqualTo(1);
      assertThat(st.getJsonArray("userIdList")).containsExactly("u2");
      assertThat(st.getLong("served")).isEqualTo(1);
      assertThat(st.getDouble("averageWaitSeconds")).isGreaterThanOrEqualTo(0);
    }
  }

  static JsonObject awaitPosition(TestClient c, int index, int total, Duration d) {
    return c.await(f -> f.getInteger("msgType") == 410 && f.getInteger("waitIndex") == index
      && f.getInteger("waitTotal") == total, d);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
