package com.seedim.im.room;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.cs.Rooms;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
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

import static com.seedim.im.testkit.Cs.error;
import static com.seedim.im.testkit.Cs.frame;
import static com.seedim.im.testkit.Cs.none;
import static com.seedim.im.testkit.Cs.ok;
import static com.seedim.im.testkit.Cs.sleep;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§6 rooms through the real gateway")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class RoomFlowTest {

  static TestServer server(Vertx vertx, boolean durable, JsonObject app) {
    return TestServer.builder().vertx(vertx).durable(durable).app(app).verticle(RoomVerticle::new).start();
  }

  /** A room of ag1 and the customer, opened through the store (no 402/551 pushes). */
  private static String openRoom(TestServer s, String customer) {
    return Rooms.open(s.infra(), TestServer.APP_ID, "ag1", customer);
  }

  private static JsonObject awaitFor(TestClient c, int type, String roomId, Duration d) {
    return c.await(f -> f.getInteger("msgType") == type && roomId.equals(f.getString("roomId")), d);
  }

  @Test
  @DisplayName("540 agents and admins only (users FORBIDDEN); 550 members and admins, outsiders and no room NOT_FOUND")
  void listAndInfo(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      TestClient outsider = s.connect("out");
      TestClient admin = s.connect("boss", null, "admin");
      error(cu, frame(540), "FORBIDDEN");
      error(cu, frame(550), "NOT_FOUND");
      String roomId = openRoom(s, "cu1");
      JsonObject list = agent.query(frame(540).put("pageIndex", 1).put("pageSize", 10), 541);
      assertThat(list.getLong("total")).isEqualTo(1);
      JsonObject item = list.getJsonArray("roomInfoMsgs").getJsonObject(0);
      assertThat(item.getString("roomId")).isEqualTo(roomId);
      assertThat(item.getString("creator")).isEqualTo("ag1");
      assertThat(item.getJsonArray("members")).containsExactly("ag1", "cu1");
      assertThat(item.getString("queueId")).isEqualTo("default");
      assertThat(item.getString("callState")).isEqualTo("idle");
      assertThat(item.getLong("createdAt")).isPositive();
      assertThat(admin.query(frame(540), 541).getLong("total")).isEqualTo(1);
      error(agent, frame(540).put("pageSize", 101), "INVALID_FIELD");
      JsonObject mine = cu.query(frame(550), 551);
      assertThat(mine.getString("roomId")).isEqualTo(roomId);
      assertThat(mine.containsKey("info")).isTrue();
      assertThat(agent.query(frame(550).put("roomId", roomId), 551).getString("callState")).isEqualTo("idle");
      error(outsider, frame(550).put("roomId", roomId), "NOT_FOUND");
      error(outsider, frame(550).put("roomId", "12345"), "NOT_FOUND");
      assertThat(admin.query(frame(550).put("roomId", roomId), 551).getString("roomId")).isEqualTo(roomId);
    }
  }

  @Test
  @DisplayName("a member back within roomGraceSeconds keeps the room and gets 551 on its new connection")
  void reconnectWithinGrace(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject().put("roomGraceSeconds", 3))) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      String roomId = openRoom(s, "cu1");
      cu.close();
      sleep(500);
      TestClient back = s.connect("cu1");
      JsonObject info = back.awaitType(551);
      assertThat(info.getString("roomId")).isEqualTo(roomId);
      assertThat(info.getJsonArray("members")).containsExactly("ag1", "cu1");
      none(agent, 560, Duration.ofSeconds(4));
      assertThat(back.query(frame(550), 551).getString("roomId")).isEqualTo(roomId);
    }
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("a member gone longer than roomGraceSeconds: 421 then 560 disconnect to the other")
  void graceExpires(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable, new JsonObject().put("roomGraceSeconds", 1))) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      String roomId = openRoom(s, "cu1");
      cu.close();
      JsonObject left = awaitFor(agent, 421, roomId, Duration.ofSeconds(5));
      assertThat(left.getString("userId")).isEqualTo("cu1");
      assertThat(awaitFor(agent, 560, roomId, Duration.ofSeconds(5)).getString("reason")).isEqualTo("disconnect");
      TestClient back = s.connect("cu1");
      error(back, frame(550), "NOT_FOUND");
    }
  }

  @Test
  @DisplayName("roomIdleSeconds without a call: 560 timeout to both")
  void idle(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject().put("roomIdleSeconds", 1))) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      String roomId = openRoom(s, "cu1");
      assertThat(awaitFor(agent, 560, roomId, Duration.ofSeconds(5)).getString("reason")).isEqualTo("timeout");
      assertThat(awaitFor(cu, 560, roomId, Duration.ofSeconds(5)).getString("reason")).isEqualTo("timeout");
      none(agent, 421, Duration.ofMillis(200));
    }
  }

  @Test
  @DisplayName("251 from a member's last device tears down at once: 421 then 560 to the other")
  void logout(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      String roomId = openRoom(s, "cu1");
      cu.send(frame(251).put("unique", "bye"));
      JsonObject left = awaitFor(agent, 421, roomId, Duration.ofSeconds(5));
      assertThat(left.getString("userId")).isEqualTo("cu1");
      assertThat(awaitFor(agent, 560, roomId, Duration.ofSeconds(5)).getString("reason")).isEqualTo("left");
    }
  }

  @Test
  @DisplayName("room API: info set by the business shows in 550; list of open rooms")
  void api(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      String roomId = openRoom(s, "cu1");
      JsonObject info = new JsonObject().put("orderNo", "A-1").put("vip", true);
      JsonObject room = s.vertx().eventBus().<JsonObject>request(Addresses.ROOM_API_INFO,
        new JsonObject().put("appId", TestServer.APP_ID).put("roomId", roomId).put("info", info)).await().body();
      assertThat(room.getJsonObject("info")).isEqualTo(info);
      assertThat(cu.query(frame(550), 551).getJsonObject("info")).isEqualTo(info);
      JsonObject open = s.vertx().eventBus().<JsonObject>request(Addresses.ROOM_API_LIST,
        new JsonObject().put("appId", TestServer.APP_ID).put("pageIndex", "1").put("pageSize", "5")).await().body();
      assertThat(open.getLong("total")).isEqualTo(1);
      assertThat(open.getJsonArray("roomInfoMsgs").getJsonObject(0).getJsonObject("info")).isEqualTo(info);
    }
  }
}
