package com.seedim.im.room;

import com.seedim.im.testkit.TestClient;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Frame helpers for customer-service tests. */
final class Cs {
  private Cs() {
  }

  static JsonObject frame(int type) {
    return new JsonObject().put("msgType", type);
  }

  /** Sends and asserts a 30. */
  static JsonObject ok(TestClient c, JsonObject f) {
    JsonObject r = c.request(f);
    assertThat(r.getInteger("msgType")).as("answer to %s: %s", f.encode(), r.encode()).isEqualTo(30);
    return r;
  }

  /** Sends and asserts a 10 with that code. */
  static JsonObject error(TestClient c, JsonObject f, String code) {
    JsonObject r = c.request(f);
    assertThat(r.getInteger("msgType")).as("answer to %s: %s", f.encode(), r.encode()).isEqualTo(10);
    assertThat(r.getString("code")).as(r.encode()).isEqualTo(code);
    return r;
  }

  static JsonObject await(TestClient c, int type) {
    return c.awaitType(type);
  }

  static JsonObject await(TestClient c, int type, Duration d) {
    return c.await(f -> f.getInteger("msgType", 0) == type, d);
  }

  /** A customer enters, the agent takes it: returns the room id, with every take frame consumed. */
  static String openRoom(TestClient agent, TestClient customer) {
    ok(customer, frame(400));
    customer.awaitType(410);
    JsonObject take = frame(401);
    ok(agent, take);
    JsonObject reply = agent.await(f -> f.getInteger("msgType") == 402 && take.getValue("unique").equals(f.getValue("unique")));
    String roomId = reply.getString("roomId");
    customer.await(f -> f.getInteger("msgType") == 402 && roomId.equals(f.getString("roomId")));
    customer.await(f -> f.getInteger("msgType") == 551 && roomId.equals(f.getString("roomId")));
    agent.await(f -> f.getInteger("msgType") == 551 && roomId.equals(f.getString("roomId")));
    return roomId;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void none(TestClient c, int type, Duration d) {
    c.assertNone(f -> f.getInteger("msgType", 0) == type, d);
  }
}
