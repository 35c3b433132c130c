package com.seedim.im.queue;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.room.RoomVerticle;
import com.seedim.im.signaling.SignalingVerticle;
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
import static com.seedim.im.testkit.Cs.ok;
import static com.seedim.im.testkit.Cs.openRoom;
import static org.assertj.core.api.Assertions.assertThat;

/** 420 in a room (PROTOCOL.md §6): the queue service asks the room service to end it, whatever the call's state. */
@DisplayName("§6 420 ends rooms, through the real gateway")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class LeaveRoomTest {

  static TestServer server(Vertx vertx, boolean durable) {
    return TestServer.builder().vertx(vertx).durable(durable).verticle(QueueVerticle::new).verticle(RoomVerticle::new)
      .verticle(SignalingVerticle::new).start();
  }

  private static JsonObject awaitFor(TestClient c, int type, String roomId, Duration d) {
    return c.await(f -> f.getInteger("msgType") == type && roomId.equals(f.getString("roomId")), d);
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("420 in a room: the other member gets 421 then 560 left, the leaver 30 then 560; the agent is free again")
  void leave(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable)) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      String roomId = openRoom(agent, cu);
      JsonObject leave = frame(420);
      ok(cu, leave);
      JsonObject bye = awaitFor(cu, 560, roomId, Duration.ofSeconds(5));
      assertThat(bye.getString("reason")).isEqualTo("left");
      JsonObject left = agent.await(f -> f.getInteger("msgType") == 421 || f.getInteger("msgType") == 560);
      assertThat(left.getInteger("msgType")).as("421 comes before 560").isEqualTo(421);
      assertThat(left.getString("userId")).isEqualTo("cu1");
      assertThat(left.getString("roomId")).isEqualTo(roomId);
      assertThat(awaitFor(agent, 560, roomId, Duration.ofSeconds(5)).getString("reason")).isEqualTo("left");
      error(cu, frame(550), "NOT_FOUND");
      TestClient cu2 = s.connect("cu2");
      assertThat(openRoom(agent, cu2)).isNotEqualTo(roomId);
      // the room's service record is closed after the teardown's pushes went out, not before: wait for it
      JsonObject closed = closedRooms(s);
      for (long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
           closed.getLong("total") < 1 && System.nanoTime() < deadline; closed = closedRooms(s)) {
        vertx.timer(50).await();
      }
      assertThat(closed.getLong("total")).isEqualTo(1);
      assertThat(closed.getJsonArray("rooms").getJsonObject(0).getString("reason")).isEqualTo("left");
    }
  }

  private static JsonObject closedRooms(TestServer s) {
    return s.vertx().eventBus().<JsonObject>request(Addresses.ROOM_API_LIST,
      new JsonObject().put("appId", TestServer.APP_ID).put("state", "closed")).await().body();
  }

  @Test
  @DisplayName("420 during an active call: the other member gets 321 left, 421, then 560")
  void leaveDuringCall(Vertx vertx) {
    try (TestServer s = server(vertx, false)) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      String roomId = openRoom(agent, cu);
      JsonObject ack = ok(cu, frame(300).put("message", new JsonObject().put("type", "offer").put("sdp", "v=0 offer")));
      String callId = ack.getString("callId");
      agent.awaitType(301);
      ok(agent, frame(310).put("callId", callId));
      cu.awaitType(311);
      ok(agent, frame(420));
      JsonObject first = cu.await(f -> List.of(321, 421, 560).contains(f.getInteger("msgType")));
      assertThat(first.getInteger("msgType")).isEqualTo(321);
      assertThat(first.getString("reason")).isEqualTo("left");
      assertThat(cu.await(f -> List.of(421, 560).contains(f.getInteger("msgType"))).getInteger("msgType")).isEqualTo(421);
      JsonObject bye = cu.awaitType(560);
      assertThat(bye.getString("roomId")).isEqualTo(roomId);
      assertThat(bye.getString("reason")).isEqualTo("left");
      assertThat(agent.awaitType(560).getString("reason")).isEqualTo("left");
    }
  }
}
