package com.seedim.im.queue;

import com.seedim.im.room.RoomVerticle;
import com.seedim.im.signaling.SignalingVerticle;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static com.seedim.im.testkit.Cs.await;
import static com.seedim.im.testkit.Cs.error;
import static com.seedim.im.testkit.Cs.frame;
import static com.seedim.im.testkit.Cs.none;
import static com.seedim.im.testkit.Cs.ok;
import static com.seedim.im.testkit.Cs.openRoom;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§14 desk: agent availability (600), transfer (610), queue timeout (620), supervisor view (670)")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class DeskTest {

  private static TestServer server(Vertx vertx, boolean durable, JsonObject app) {
    return TestServer.builder().vertx(vertx).durable(durable).app(app).verticle(QueueVerticle::new)
      .verticle(RoomVerticle::new).verticle(SignalingVerticle::new).start();
  }

  private static JsonObject status(String s) {
    JsonObject f = frame(600);
    return s == null ? f : f.put("status", s);
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("600: available by default; away refuses takes, hides the 431 pushes and agentsAvailable; other devices are told; kept across reconnects")
  void availability(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable, new JsonObject())) {
      TestClient agent = s.connect("ag1", "desk", "agent");
      TestClient phone = s.connect("ag1", "phone", "agent");
      TestClient customer = s.connect("u1");
      JsonObject read = agent.query(status(null), 601);
      assertThat(read.getString("status")).isEqualTo("available");
      assertThat(read.getInteger("rooms")).isZero();
      assertThat(read.getInteger("maxRooms")).isEqualTo(1);
      assertThat(customer.query(frame(430), 431).getInteger("agentsAvailable")).isEqualTo(1);

      JsonObject away = agent.query(status("away"), 601);
      assertThat(away.getString("status")).isEqualTo("away");
      JsonObject pushed = phone.await(f -> f.getInteger("msgType") == 601);
      assertThat(pushed.getString("status")).isEqualTo("away");
      assertThat(pushed.getString("unique")).isNotEqualTo(away.getString("unique"));
      assertThat(customer.query(frame(430), 431).getInteger("agentsAvailable")).isZero();

      agent.drain();
      ok(customer, frame(400));
      await(customer, 410);
      none(agent, 431, Duration.ofMillis(1500));
      JsonObject refused = error(agent, frame(401), "INVALID_STATE");
      assertThat(refused.getString("message")).contains("away");

      // the status is the agent's, not the connection's
      agent.close();
      phone.close();
      TestClient again = s.connect("ag1", "desk", "agent");
      assertThat(again.query(status(null), 601).getString("status")).isEqualTo("away");
      ok(again, status("available"));
      JsonObject info = again.await(f -> f.getInteger("msgType") == 431 && f.getJsonArray("userIdList") != null
        && f.getJsonArray("userIdList").contains("u1"));
      assertThat(info.getInteger("agentsAvailable")).isEqualTo(1);
      assertThat(info.getInteger("messagesWaiting")).isZero();
      ok(again, frame(401));
      await(customer, 402);

      error(customer, status("away"), "FORBIDDEN");
      error(again, status("busy"), "INVALID_FIELD");
    }
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("610 to an agent: 611 to all three, 551 to the new agent and the customer, 560 transferred to the former agent; a live call ends with 321")
  void transferToAgent(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable, new JsonObject())) {
      TestClient a1 = s.connect("ag1", null, "agent");
      TestClient a2 = s.connect("ag2", null, "agent");
      TestClient c = s.connect("u1");
      String roomId = openRoom(a1, c);
      // a ringing call of the former agent
      ok(a1, frame(300).put("message", "{\"type\":\"offer\",\"sdp\":\"v=0\"}"));
      await(c, 301);

      ok(a1, frame(610).put("toUserId", "ag2"));
      JsonObject ended = await(c, 321);
      assertThat(ended.getString("reason")).isEqualTo("transferred");
      for (TestClient t : List.of(a1, a2, c)) {
        JsonObject n = await(t, 611);
        assertThat(n.getString("roomId")).isEqualTo(roomId);
        assertThat(n.getString("fromUserId")).isEqualTo("ag1");
        assertThat(n.getString("toUserId")).isEqualTo("ag2");
        assertThat(n.getString("byUserId")).isEqualTo("ag1");
      }
      for (TestClient t : List.of(a2, c)) {
        JsonObject info = t.await(f -> f.getInteger("msgType") == 551 && roomId.equals(f.getString("roomId")));
        assertThat(info.getString("creator")).isEqualTo("ag2");
        assertThat(info.getJsonArray("members")).containsExactly("ag2", "u1");
        assertThat(info.getString("callState")).isEqualTo("idle");
      }
      JsonObject gone = a1.await(f -> f.getInteger("msgType") == 560);
      assertThat(gone.getString("reason")).isEqualTo("transferred");
      none(c, 560, Duration.ofMillis(300));

      // the new agent serves it: room info, a call; the former agent is out
      assertThat(a2.query(frame(550), 551).getString("roomId")).isEqualTo(roomId);
      error(a1, frame(550).put("roomId", roomId), "NOT_FOUND");
      ok(a2, frame(300).put("message", "{\"type\":\"offer\",\"sdp\":\"v=0\"}"));
      assertThat(await(c, 301).getString("requestUserId")).isEqualTo("ag2");
      JsonObject st = a2.query(status(null), 601);
      assertThat(st.getInteger("rooms")).isEqualTo(1);
      assertThat(a1.query(status(null), 601).getInteger("rooms")).isZero();
      // the former agent is free to take again
      TestClient c2 = s.connect("u2");
      openRoom(a1, c2);
    }
  }

  @Test
  @DisplayName("610 refusals: customer, both/neither target, not the room's agent, self, offline, away, busy, unknown queue")
  void transferRefusals(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient a1 = s.connect("ag1", null, "agent");
      TestClient a2 = s.connect("ag2", null, "agent");
      TestClient a3 = s.connect("ag3", null, "agent");
      TestClient c = s.connect("u1");
      TestClient c3 = s.connect("u3");
      error(a1, frame(610).put("toUserId", "ag2"), "NOT_FOUND");
      String roomId = openRoom(a1, c);
      openRoom(a3, c3);
      error(c, frame(610).put("toUserId", "ag2"), "FORBIDDEN");
      error(a1, frame(610), "MISSING_FIELD");
      error(a1, frame(610).put("toUserId", "ag2").put("queueId", "default"), "INVALID_FIELD");
      error(a2, frame(610).put("roomId", roomId).put("toUserId", "ag2"), "NOT_FOUND");
      error(a1, frame(610).put("toUserId", "ag1"), "INVALID_FIELD");
      error(a1, frame(610).put("toUserId", "u1"), "INVALID_FIELD");
      error(a1, frame(610).put("toUserId", "nobody"), "NOT_FOUND");
      error(a1, frame(610).put("toUserId", "ag3"), "AGENT_BUSY");
      ok(a2, status("away"));
      error(a1, frame(610).put("toUserId", "ag2"), "INVALID_STATE");
      error(a1, frame(610).put("queueId", "no such queue!"), "INVALID_FIELD");
      TestClient admin = s.connect("boss", null, "admin");
      error(admin, frame(610).put("toUserId", "ag2"), "MISSING_FIELD");
      // nothing moved
      assertThat(a1.query(frame(550), 551).getString("roomId")).isEqualTo(roomId);
      ok(a2, status("available"));
      ok(admin, frame(610).put("roomId", roomId).put("toUserId", "ag2"));
      assertThat(await(a2, 611).getString("byUserId")).isEqualTo("boss");
    }
  }

  @Test
  @DisplayName("610 with a custom queue config: the target must serve the room's queue (FORBIDDEN)")
  void transferServes(Vertx vertx) {
    JsonObject app = new JsonObject().put("dynamicQueues", false).put("queues", new JsonArray()
      .add(new JsonObject().put("id", "default").put("agents", new JsonArray().add("ag1")))
      .add(new JsonObject().put("id", "sales").put("agents", new JsonArray().add("ag2"))));
    try (TestServer s = server(vertx, false, app)) {
      TestClient a1 = s.connect("ag1", null, "agent");
      s.connect("ag2", null, "agent");
      TestClient c = s.connect("u1");
      openRoom(a1, c);
      error(a1, frame(610).put("toUserId", "ag2"), "FORBIDDEN");
      error(a1, frame(610).put("queueId", "nowhere"), "NOT_FOUND");
    }
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("610 to a queue: the room ends (611, 560 transferred) and the customer waits again ahead of later waiters")
  void transferToQueue(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable, new JsonObject())) {
      TestClient a1 = s.connect("ag1", null, "agent");
      TestClient c = s.connect("u1");
      String roomId = openRoom(a1, c);
      TestClient later = s.connect("u2");
      ok(later, frame(400));
      await(later, 410);
      // a 410 round of the customer's first wait may still arrive late: only what the transfer sends counts below
      c.drain();
      ok(a1, frame(610).put("queueId", "default"));
      for (TestClient t : List.of(a1, c)) {
        JsonObject n = await(t, 611);
        assertThat(n.getString("queueId")).isEqualTo("default");
        assertThat(n.containsKey("toUserId")).isFalse();
        JsonObject end = t.await(f -> f.getInteger("msgType") == 560);
        assertThat(end.getString("roomId")).isEqualTo(roomId);
        assertThat(end.getString("reason")).isEqualTo("transferred");
      }
      none(c, 421, Duration.ofMillis(200));
      JsonObject pos = c.await(f -> f.getInteger("msgType") == 410);
      assertThat(pos.getInteger("waitIndex")).isEqualTo(1);
      assertThat(pos.getInteger("waitTotal")).isEqualTo(2);
      JsonObject moved = later.await(f -> f.getInteger("msgType") == 410 && f.getInteger("waitIndex") == 2);
      assertThat(moved.getInteger("waitTotal")).isEqualTo(2);
      // the next take is the transferred customer again
      ok(a1, frame(401));
      assertThat(a1.await(f -> f.getInteger("msgType") == 402).getString("receiveUserId")).isEqualTo("u1");
    }
  }

  @Test
  @DisplayName("610 races: two transfers of one room to two agents at once — exactly one wins, on Redis")
  void transferRace(Vertx vertx) throws Exception {
    try (TestServer s = server(vertx, true, new JsonObject())) {
      TestClient a1 = s.connect("ag1", "d1", "agent");
      TestClient a1b = s.connect("ag1", "d2", "agent");
      TestClient a2 = s.connect("ag2", null, "agent");
      TestClient a3 = s.connect("ag3", null, "agent");
      TestClient c = s.connect("u1");
      String roomId = openRoom(a1, c);
      JsonObject t1 = frame(610).put("roomId", roomId).put("toUserId", "ag2").put("unique", TestClient.newUnique());
      JsonObject t2 = frame(610).put("roomId", roomId).put("toUserId", "ag3").put("unique", TestClient.newUnique());
      a1.send(t1);
      a1b.send(t2);
      JsonObject r1 = a1.await(f -> t1.getValue("unique").equals(f.getValue("unique")));
      JsonObject r2 = a1b.await(f -> t2.getValue("unique").equals(f.getValue("unique")));
      List<JsonObject> answers = new ArrayList<>(List.of(r1, r2));
      assertThat(answers).filteredOn(f -> f.getInteger("msgType") == 30).hasSize(1);
      assertThat(answers).filteredOn(f -> f.getInteger("msgType") == 10).hasSize(1)
        .allMatch(f -> "NOT_FOUND".equals(f.getString("code")) || "UNAVAILABLE".equals(f.getString("code")));
      String winner = r1.getInteger("msgType") == 30 ? "ag2" : "ag3";
      JsonObject info = c.await(f -> f.getInteger("msgType") == 551 && roomId.equals(f.getString("roomId")));
      assertThat(info.getString("creator")).isEqualTo(winner);
      TestClient w = winner.equals("ag2") ? a2 : a3;
      TestClient l = winner.equals("ag2") ? a3 : a2;
      assertThat(w.query(status(null), 601).getInteger("rooms")).isEqualTo(1);
      assertThat(l.query(status(null), 601).getInteger("rooms")).isZero();
      none(l, 611, Duration.ofMillis(300));
    }
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("620: a queue with maxWaitSeconds removes its waiter with a reliable 620; others move up; 430 says not waiting")
  void maxWait(boolean durable, Vertx vertx) {
    JsonObject app = new JsonObject().put("queues", new JsonArray()
      .add(new JsonObject().put("id", "default").put("agents", "all").put("maxWaitSeconds", 1)));
    try (TestServer s = server(vertx, durable, app)) {
      TestClient c = s.connect("u1");
      ok(c, frame(400));
      await(c, 410);
      JsonObject timeout = await(c, 620, Duration.ofSeconds(8));
      assertThat(timeout.getString("queueId")).isEqualTo("default");
      assertThat(timeout.getInteger("waitSeconds")).isBetween(1, 8);
      assertThat(c.query(frame(430), 431).getInteger("waitIndex")).isEqualTo(-1);
      // entering again starts a new wait at the tail
      ok(c, frame(400));
      assertThat(await(c, 410).getInteger("waitIndex")).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("670: admins get queues, agents (status, online, rooms) and rooms; others FORBIDDEN")
  void supervisor(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient a1 = s.connect("ag1", null, "agent");
      TestClient a2 = s.connect("ag2", null, "agent");
      TestClient c = s.connect("u1");
      TestClient w = s.connect("u2");
      String roomId = openRoom(a1, c);
      ok(w, frame(400));
      ok(a2, status("away"));
      TestClient admin = s.connect("boss", null, "admin");
      error(a1, frame(670), "FORBIDDEN");
      error(c, frame(670), "FORBIDDEN");
      JsonObject view = admin.query(frame(670), 671);
      JsonObject q = view.getJsonArray("queues").stream().map(o -> (JsonObject) o)
        .filter(o -> "default".equals(o.getString("queueId"))).findFirst().orElseThrow();
      assertThat(q.getInteger("waitTotal")).isEqualTo(1);
      assertThat(q.getJsonArray("waiting").getJsonObject(0).getString("userId")).isEqualTo("u2");
      assertThat(q.getInteger("agentsAvailable")).isEqualTo(1);
      JsonArray agents = view.getJsonArray("agents");
      assertThat(agents.stream().map(o -> ((JsonObject) o).getString("userId"))).contains("ag1", "ag2");
      JsonObject ag1 = agents.stream().map(o -> (JsonObject) o).filter(o -> "ag1".equals(o.getString("userId"))).findFirst().orElseThrow();
      assertThat(ag1.getBoolean("online")).isTrue();
      assertThat(ag1.getJsonArray("rooms")).containsExactly(roomId);
      JsonObject ag2 = agents.stream().map(o -> (JsonObject) o).filter(o -> "ag2".equals(o.getString("userId"))).findFirst().orElseThrow();
      assertThat(ag2.getString("status")).isEqualTo("away");
      assertThat(view.getJsonArray("rooms").getJsonObject(0).getString("roomId")).isEqualTo(roomId);
    }
  }

  @Test
  @DisplayName("671 is bounded: at most 50 waiters per queue (the first in line), waitTotal counts them all")
  void supervisorBounded(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      int n = AgentDesk.SUPERVISOR_WAITERS + 3;
      for (int i = 0; i < n; i++) {
        TestClient c = s.connect("w" + i);
        ok(c, frame(400).put("queueId", "big"));
      }
      TestClient admin = s.connect("boss", null, "admin");
      JsonObject big = admin.query(frame(670), 671).getJsonArray("queues").stream().map(o -> (JsonObject) o)
        .filter(o -> "big".equals(o.getString("queueId"))).findFirst().orElseThrow();
      assertThat(big.getInteger("waitTotal")).isEqualTo(n);
      assertThat(big.getJsonArray("waiting")).hasSize(AgentDesk.SUPERVISOR_WAITERS);
      assertThat(big.getJsonArray("waiting").getJsonObject(0).getString("userId")).isEqualTo("w0");
    }
  }
}
