package com.seedim.im.queue;

import com.seedim.im.common.turn.IceServers;
import com.seedim.im.room.RoomVerticle;
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

import java.util.concurrent.TimeUnit;

import static com.seedim.im.testkit.Cs.frame;
import static com.seedim.im.testkit.Cs.ok;
import static com.seedim.im.testkit.Cs.sleep;
import static org.assertj.core.api.Assertions.assertThat;

/** §9.1 "TURN": every 551 carries iceServers minted for its receiver (room creation, 550, the connect sequence). */
@DisplayName("iceServers on every 551, through the real gateway")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class IceServersFlowTest {
  static final String SECRET = "turn-secret-for-the-ice-servers-flow-test-0123";
  static final int TTL = 3600;

  static TestServer server(Vertx vertx, JsonObject turn) {
    return TestServer.builder().vertx(vertx).server(new JsonObject().put("turn", turn))
      .verticle(RoomVerticle::new).verticle(QueueVerticle::new).start();
  }

  static JsonObject turn() {
    return new JsonObject().put("urls", new JsonArray().add("turn:127.0.0.1:3478?transport=udp").add("turns:turn.example.com:5349"))
      .put("stunUrls", new JsonArray().add("stun:127.0.0.1:3478")).put("secret", SECRET).put("ttlSeconds", TTL);
  }

  /** Checks the 551's iceServers: STUN entry, then a TURN credential for {@code userId} that verifies with the secret. */
  static long verify(JsonObject f551, String userId) {
    JsonArray ice = f551.getJsonArray("iceServers");
    assertThat(ice).as("iceServers of %s", f551.encode()).hasSize(2);
    assertThat(ice.getJsonObject(0)).isEqualTo(new JsonObject().put("urls", new JsonArray().add("stun:127.0.0.1:3478")));
    JsonObject t = ice.getJsonObject(1);
    assertThat(t.getJsonArray("urls")).containsExactly("turn:127.0.0.1:3478?transport=udp", "turns:turn.example.com:5349");
    String username = t.getString("username");
    assertThat(username).endsWith(":" + userId);
    assertThat(t.getString("credential")).isEqualTo(IceServers.sign(SECRET, username));
    long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
    long now = System.currentTimeMillis() / 1000;
    assertThat(expiry).isBetween(now + TTL - 30, now + TTL + 1);
    return expiry;
  }

  @Test
  @DisplayName("the 551 pushes at room creation, the 550 reply and the 551 of a reconnect: each minted for its receiver, fresh each time")
  void everyRoomInfo(Vertx vertx) {
    try (TestServer s = server(vertx, turn())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      ok(cu, frame(400));
      cu.awaitType(410);
      ok(agent, frame(401));
      JsonObject toCustomer = cu.awaitType(551);
      JsonObject toAgent = agent.awaitType(551);
      String roomId = toCustomer.getString("roomId");
      assertThat(toAgent.getString("roomId")).isEqualTo(roomId);
      verify(toCustomer, "cu1");
      verify(toAgent, "ag1");

      long first = verify(cu.query(frame(550), 551), "cu1");
      verify(agent.query(frame(550).put("roomId", roomId), 551), "ag1");

      sleep(1100); // a later second: the reconnect's credential expires later
      cu.close();
      TestClient back = s.connect("cu1");
      JsonObject again = back.awaitType(551);
      assertThat(again.getString("roomId")).isEqualTo(roomId);
      assertThat(verify(again, "cu1")).isGreaterThan(first);
    }
  }

  @Test
  @DisplayName("no turn section: every 551 has an empty iceServers")
  void notConfigured(Vertx vertx) {
    try (TestServer s = server(vertx, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      ok(cu, frame(400));
      cu.awaitType(410);
      ok(agent, frame(401));
      assertThat(cu.awaitType(551).getJsonArray("iceServers")).isEmpty();
      assertThat(agent.awaitType(551).getJsonArray("iceServers")).isEmpty();
      assertThat(cu.query(frame(550), 551).getJsonArray("iceServers")).isEmpty();
    }
  }

  @Test
  @DisplayName("STUN only: one entry without credentials")
  void stunOnly(Vertx vertx) {
    try (TestServer s = server(vertx, new JsonObject().put("stunUrls", new JsonArray().add("stun:stun.example.com:3478")))) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      ok(cu, frame(400));
      cu.awaitType(410);
      ok(agent, frame(401));
      assertThat(cu.awaitType(551).getJsonArray("iceServers"))
        .containsExactly(new JsonObject().put("urls", new JsonArray().add("stun:stun.example.com:3478")));
    }
  }
}
