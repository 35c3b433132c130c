package com.seedim.im.testkit;

import io.vertx.core.json.JsonObject;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Frame helpers for customer-service tests (queue, room, signaling). */
public final class Cs {
  private Cs() {
  }

  public static JsonObject frame(int type) {
    return new JsonObject().put("msgType", type);
  }

  /** Sends and asserts a 30. */
  public static JsonObject ok(TestClient c, JsonObject f) {
    JsonObject r = c.request(f);
    assertThat(r.getInteger("msgType")).as("answer to %s: %s", f.encode(), r.encode()).isEqualTo(30);
    return r;
  }

  /** Sends and asserts a 10 with that code. */
  public static JsonObject error(TestClient c, JsonObject f, String code) {
    JsonObject r = c.request(f);
    assertThat(r.getInteger("msgType")).as("answer to %s: %s", f.encode(), r.encode()).isEqualTo(10);
    assertThat(r.getString("code")).as(r.encode()).isEqualTo(code);
    return r;
  }

  public static JsonObject await(TestClient c, int type) {
    return c.awaitType(type);
  }

  public static JsonObject await(TestClient c, int type, Duration d) {
    return c.await(f -> f.getInteger("msgType", 0) == type, d);
  }

  /** A customer enters, the agent takes it: returns the room id, with every take frame consumed. */
  public static String openRoom(TestClient agent, TestClient customer) {
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

  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void none(TestClient c, int type, Duration d) {
    c.assertNone(f -> f.getInteger("msgType", 0) == type, d);
  }
}
