package com.seedim.im.queue;

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

  static void none(TestClient c, int type, Duration d) {
    c.assertNone(f -> f.getInteger("msgType", 0) == type, d);
  }
}
