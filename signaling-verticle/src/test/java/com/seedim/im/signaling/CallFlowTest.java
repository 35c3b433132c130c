package com.seedim.im.signaling;

import com.seedim.im.cs.Rooms;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static com.seedim.im.testkit.Cs.error;
import static com.seedim.im.testkit.Cs.frame;
import static com.seedim.im.testkit.Cs.none;
import static com.seedim.im.testkit.Cs.ok;
import static com.seedim.im.testkit.Cs.sleep;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§6 call signaling through the real gateway")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class CallFlowTest {
  private static final Duration SHORT = Duration.ofMillis(400);

  static TestServer server(Vertx vertx, boolean durable, JsonObject app) {
    return TestServer.builder().vertx(vertx).durable(durable).app(app).verticle(RoomVerticle::new)
      .verticle(SignalingVerticle::new).start();
  }

  /** A room of ag1 and the customer, opened through the store (no 402/551 pushes). */
  private static String openRoom(TestServer s, String customer) {
    return Rooms.open(s.infra(), TestServer.APP_ID, "ag1", customer);
  }

  private static JsonObject offer() {
    return new JsonObject().put("type", "offer").put("sdp", "v=0 offer");
  }

  private static JsonObject candidate(int i) {
    return new JsonObject().put("candidate", "candidate:" + i + " 1 udp 1 127.0.0.1 " + (5000 + i) + " typ host")
      .put("sdpMid", "0").put("sdpMLineIndex", 0);
  }

  /** Starts a call from {@code caller}; returns its callId (from the 30). */
  private static String call(TestClient caller) {
    JsonObject ack = ok(caller, frame(300).put("message", offer()));
    assertThat(ack.getString("callId")).as(ack.encode()).matches("[0-9]+");
    return ack.getString("callId");
  }

  private static void relayed(JsonObject f, int type, String requestUserId, String userId, String roomId, String callId) {
    assertThat(f.getInteger("msgType")).as(f.encode()).isEqualTo(type);
    assertThat(f.getString("requestUserId")).as(f.encode()).isEqualTo(requestUserId);
    assertThat(f.getString("userId")).as(f.encode()).isEqualTo(userId);
    assertThat(f.getString("roomId")).as(f.encode()).isEqualTo(roomId);
    assertThat(f.getString("callId")).as(f.encode()).isEqualTo(callId);
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("full flow: queue → take → room → 300/301 → candidates → 310/311 → candidates in order → 330 → 321 hangup → 560")
  void fullFlow(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      String roomId = openRoom(s, "cu1");
      String callId = call(agent);
      JsonObject incoming = cu.awaitType(301);
      relayed(incoming, 301, "ag1", "ag1", roomId, callId);
      assertThat(incoming.getJsonObject("message")).isEqualTo(offer());
      ok(agent, frame(340).put("message", candidate(0)).put("callId", callId));
      relayed(cu.awaitType(341), 341, "ag1", "ag1", roomId, callId);
      assertThat(cu.query(frame(550), 551).getString("callState")).isEqualTo("ringing");
      ok(cu, frame(310).put("callId", callId).put("message", new JsonObject().put("type", "answer").put("sdp", "v=0 a")));
      JsonObject accepted = agent.awaitType(311);
      relayed(accepted, 311, "ag1", "cu1", roomId, callId);
      assertThat(accepted.getJsonObject("message").getString("type")).isEqualTo("answer");
      for (int i = 1; i <= 5; i++) {
        ok(cu, frame(342).put("message", candidate(i)));
      }
      ok(cu, frame(342).put("message", new JsonObject().putNull("candidate")));
      for (int i = 1; i <= 5; i++) {
        JsonObject c = agent.awaitType(343);
        relayed(c, 343, "ag1", "cu1", roomId, callId);
        assertThat(c.getJsonObject("message")).as("relayed in order").isEqualTo(candidate(i));
      }
      assertThat(agent.awaitType(343).getJsonObject("message").getValue("candidate")).isNull();
      JsonObject info = agent.query(frame(550), 551);
      assertThat(info.getString("callState")).isEqualTo("active");
      assertThat(info.getString("caller")).isEqualTo("ag1");
      ok(cu, frame(330).put("callId", callId));
      JsonObject ended = agent.await(f -> f.getInteger("msgType") == 321 || f.getInteger("msgType") == 560);
      relayed(ended, 321, "ag1", "cu1", roomId, callId);
      assertThat(ended.getString("reason")).isEqualTo("hangup");
      assertThat(agent.awaitType(560).getString("reason")).isEqualTo("hangup");
      assertThat(cu.awaitType(560).getString("reason")).isEqualTo("hangup");
      none(cu, 321, SHORT);
      none(agent, 421, Duration.ofMillis(100));
      error(cu, frame(550), "NOT_FOUND");
    }
  }

  @Test
  @DisplayName("outsiders and members naming outsiders get NOT_FOUND; oversized message TOO_LARGE")
  void outsiders(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      TestClient out = s.connect("out");
      openRoom(s, "cu1");
      for (int t : new int[] {300, 310, 320, 330, 340, 342}) {
        error(out, frame(t).put("receiveUserId", "cu1"), "NOT_FOUND");
      }
      error(agent, frame(300).put("receiveUserId", "out"), "NOT_FOUND");
      error(cu, frame(340).put("requestUserId", "out"), "NOT_FOUND");
      error(agent, frame(300).put("message", "x".repeat(65537)), "TOO_LARGE");
      error(agent, frame(300).put("message", "é".repeat(32769)), "TOO_LARGE");
      ok(agent, frame(300).put("receiveUserId", "cu1").put("message", "x".repeat(65000)));
      assertThat(cu.awaitType(301).getString("message")).hasSize(65000);
    }
  }

  @Test
  @DisplayName("glare: both members send 300 at once: exactly one rings, the other gets INVALID_STATE")
  void glare(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      openRoom(s, "cu1");
      JsonObject a = frame(300).put("unique", "glare-a").put("message", offer());
      JsonObject c = frame(300).put("unique", "glare-c").put("message", offer());
      agent.send(a);
      cu.send(c);
      JsonObject ra = agent.await(f -> "glare-a".equals(f.getValue("unique")));
      JsonObject rc = cu.await(f -> "glare-c".equals(f.getValue("unique")));
      List<Integer> types = List.of(ra.getInteger("msgType"), rc.getInteger("msgType"));
      assertThat(types).containsExactlyInAnyOrder(30, 10);
      JsonObject err = ra.getInteger("msgType") == 10 ? ra : rc;
      assertThat(err.getString("code")).isEqualTo("INVALID_STATE");
      TestClient winner = ra.getInteger("msgType") == 30 ? agent : cu;
      TestClient loser = winner == agent ? cu : agent;
      assertThat(loser.awaitType(301).getString("userId")).isEqualTo(winner.userId);
      none(winner, 301, SHORT);
    }
  }

  @Test
  @DisplayName("320: 321 rejected to the caller, room back to idle, a new 300 gets a new callId; stale frames of the old call are dropped")
  void reject(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      String roomId = openRoom(s, "cu1");
      String first = call(agent);
      cu.awaitType(301);
      error(agent, frame(320), "INVALID_STATE");
      ok(cu, frame(320).put("callId", first));
      JsonObject rejected = agent.awaitType(321);
      relayed(rejected, 321, "ag1", "cu1", roomId, first);
      assertThat(rejected.getString("reason")).isEqualTo("rejected");
      assertThat(agent.query(frame(550), 551).getString("callState")).isEqualTo("idle");
      String second = call(cu);
      assertThat(second).isNotEqualTo(first);
      agent.awaitType(301);
      // a late answer of the first attempt is dropped silently: a 30, nothing relayed, still ringing
      ok(agent, frame(310).put("callId", first));
      none(cu, 311, SHORT);
      assertThat(cu.query(frame(550), 551).getString("callState")).isEqualTo("ringing");
      error(agent, frame(300), "INVALID_STATE");
    }
  }

  @Test
  @DisplayName("ringTimeoutSeconds: 321 timeout to both, room back to idle")
  void ringTimeout(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject().put("ringTimeoutSeconds", 1))) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      String roomId = openRoom(s, "cu1");
      String callId = call(cu);
      agent.awaitType(301);
      JsonObject a = agent.await(f -> f.getInteger("msgType") == 321, Duration.ofSeconds(5));
      relayed(a, 321, "cu1", "cu1", roomId, callId);
      assertThat(a.getString("reason")).isEqualTo("timeout");
      assertThat(cu.await(f -> f.getInteger("msgType") == 321, Duration.ofSeconds(5)).getString("reason")).isEqualTo("timeout");
      assertThat(cu.query(frame(550), 551).getString("callState")).isEqualTo("idle");
      ok(agent, frame(310).put("callId", callId));
      none(cu, 311, SHORT);
    }
  }

  @Test
  @DisplayName("two callee devices: both ring; the first 310 binds, the other gets 321 answered_elsewhere and its 310 is INVALID_STATE; relays go to the bound device only")
  void answeredElsewhere(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient phone = s.connect("cu1", "phone");
      String roomId = openRoom(s, "cu1");
      TestClient pad = s.connect("cu1", "pad");
      assertThat(pad.awaitType(551).getString("roomId")).isEqualTo(roomId);
      String callId = call(agent);
      phone.awaitType(301);
      pad.awaitType(301);
      ok(agent, frame(340).put("message", candidate(1)));
      phone.awaitType(341);
      pad.awaitType(341);
      // the callee's candidates before its 310 are dropped
      ok(phone, frame(342).put("message", candidate(9)));
      none(agent, 343, SHORT);
      ok(phone, frame(310).put("callId", callId).put("message", "answer"));
      agent.awaitType(311);
      JsonObject elsewhere = pad.awaitType(321);
      assertThat(elsewhere.getString("reason")).isEqualTo("answered_elsewhere");
      none(phone, 321, SHORT);
      error(pad, frame(310).put("callId", callId), "INVALID_STATE");
      ok(agent, frame(340).put("message", candidate(2)));
      assertThat(phone.awaitType(341).getJsonObject("message")).isEqualTo(candidate(2));
      none(pad, 341, SHORT);
      // candidates from the unbound device are dropped
      ok(pad, frame(342).put("message", candidate(3)));
      none(agent, 343, SHORT);
    }
  }

  @Test
  @DisplayName("renegotiation while active: 300 from the bound device with the callId → 301 to the other bound device, 310 → 311")
  void renegotiation(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      String roomId = openRoom(s, "cu1");
      String callId = call(agent);
      cu.awaitType(301);
      ok(cu, frame(310).put("callId", callId));
      agent.awaitType(311);
      error(agent, frame(300).put("message", offer()), "INVALID_STATE");
      ok(agent, frame(300).put("callId", callId).put("message", "restart"));
      JsonObject again = cu.awaitType(301);
      relayed(again, 301, "ag1", "ag1", roomId, callId);
      assertThat(again.getString("message")).isEqualTo("restart");
      ok(cu, frame(310).put("callId", callId).put("message", "restart-answer"));
      assertThat(agent.awaitType(311).getString("message")).isEqualTo("restart-answer");
      assertThat(agent.query(frame(550), 551).getString("callState")).isEqualTo("active");
    }
  }

  @Test
  @DisplayName("a bound device that reconnects within roomGraceSeconds keeps the call and gets the relays on its new connection")
  void reconnectKeepsCall(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject().put("roomGraceSeconds", 5))) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1", "phone");
      String roomId = openRoom(s, "cu1");
      String callId = call(agent);
      cu.awaitType(301);
      ok(cu, frame(310).put("callId", callId));
      agent.awaitType(311);
      cu.close();
      sleep(300);
      TestClient back = s.connect("cu1", "phone");
      JsonObject info = back.awaitType(551);
      assertThat(info.getString("roomId")).isEqualTo(roomId);
      assertThat(info.getString("callState")).isEqualTo("active");
      ok(agent, frame(340).put("callId", callId).put("message", candidate(4)));
      assertThat(back.awaitType(341).getJsonObject("message")).isEqualTo(candidate(4));
      ok(back, frame(342).put("callId", callId).put("message", candidate(5)));
      assertThat(agent.awaitType(343).getJsonObject("message")).isEqualTo(candidate(5));
    }
  }

  @Test
  @DisplayName("a callee device connecting while a call rings gets 551 ringing and the pending 301")
  void pendingOfferOnConnect(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1", "phone");
      String roomId = openRoom(s, "cu1");
      String callId = call(agent);
      cu.awaitType(301);
      TestClient pad = s.connect("cu1", "pad");
      assertThat(pad.awaitType(551).getString("callState")).isEqualTo("ringing");
      JsonObject pending = pad.awaitType(301);
      relayed(pending, 301, "ag1", "ag1", roomId, callId);
      assertThat(pending.getJsonObject("message")).isEqualTo(offer());
    }
  }
}
