package com.seedim.im.gateway;

import com.seedim.im.testkit.Http;
import com.seedim.im.common.proto.Versions;
import com.seedim.im.common.security.Signatures;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md §7: the signed business API, dev endpoints, health, readiness and metrics. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpApiTest {
  static TestServer prod;
  static TestServer dev;

  @BeforeAll
  static void start(Vertx vertx) {
    prod = TestServer.builder().vertx(vertx).durable(true).start();
    // on its own Vert.x: servers sharing one event bus would see each other's kick and Redis-reset notices
    dev = TestServer.builder().durable(false).start();
  }

  @AfterAll
  static void stop() {
    prod.close();
    dev.close();
  }

  @Test
  @DisplayName("POST /api/v1/sign returns a connect URL that a WebSocket client can open")
  void signThenConnect() {
    Http.Response r = Http.api(prod.port(), "POST", "/api/v1/sign",
      new JsonObject().put("userId", "alice").put("deviceId", "phone").put("role", "kefu").encode());
    assertThat(r.status()).isEqualTo(200);
    JsonObject b = r.json();
    assertThat(b.getString("role")).isEqualTo("agent");
    assertThat(b.getString("loginId")).isEqualTo("phone");
    assertThat(b.getInteger("msgType")).isEqualTo(10);
    assertThat(b.getInteger("heartbeatSeconds")).isEqualTo(30);
    String url = b.getString("url");
    assertThat(url).startsWith("ws://127.0.0.1:" + prod.port() + "/ws?");
    TestClient c = prod.connectRaw(url.substring(url.indexOf("/ws")), "alice", "phone", null).await();
    c.send(new JsonObject().put("msgType", 20).put("unique", "x"));
    assertThat(c.awaitType(21).getString("unique")).isEqualTo("x");
  }

  @Test
  @DisplayName("bad signature, replayed nonce, stale timestamp and missing headers are 401 problem+json")
  void refusals() {
    String body = new JsonObject().put("userId", "bob").encode();
    Http.Response wrong = Http.api(prod.port(), "POST", "/api/v1/sign", body, "x".repeat(40), System.currentTimeMillis(), "n1");
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.contentType()).startsWith("application/problem+json");
    assertThat(wrong.json().getString("code")).isEqualTo("UNAUTHORIZED");
    String nonce = UUID.randomUUID().toString();
    long now = System.currentTimeMillis();
    assertThat(Http.api(prod.port(), "POST", "/api/v1/sign", body, TestServer.SECRET, now, nonce).status()).isEqualTo(200);
    assertThat(Http.api(prod.port(), "POST", "/api/v1/sign", body, TestServer.SECRET, now, nonce).status()).isEqualTo(401);
    assertThat(Http.api(prod.port(), "POST", "/api/v1/sign", body, TestServer.SECRET, now - 400_000, "n2").status()).isEqualTo(401);
    assertThat(Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + prod.port() + "/api/v1/sign"))
      .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build()).status()).isEqualTo(401);
    // a body changed after signing is refused
    String sig = Signatures.api(TestServer.SECRET, "POST", TestServer.APP_ID, "/api/v1/sign", Long.toString(now), "n3", body);
    Http.Response tampered = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + prod.port() + "/api/v1/sign"))
      .header("X-App-Id", TestServer.APP_ID).header("X-Timestamp", Long.toString(now)).header("X-Nonce", "n3").header("X-Signature", sig)
      .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new JsonObject().put("userId", "mallory").encode())).build());
    assertThat(tampered.status()).isEqualTo(401);
  }

  @Test
  @DisplayName("bad input is a clear 400 problem: malformed JSON, missing or invalid fields")
  void badInput() {
    Http.Response malformed = Http.api(prod.port(), "POST", "/api/v1/sign", "{nope");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().getString("code")).isEqualTo("INVALID_JSON");
    Http.Response missing = Http.api(prod.port(), "POST", "/api/v1/chat-sign", new JsonObject().put("userId", "a").encode());
    assertThat(missing.json().getString("code")).isEqualTo("MISSING_FIELD");
    Http.Response invalid = Http.api(prod.port(), "POST", "/api/v1/sign", new JsonObject().put("userId", "a b").encode());
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.json().getString("code")).isEqualTo("INVALID_FIELD");
  }

  @Test
  @DisplayName("POST /api/v1/chat-sign returns the §5 HMAC bound to sender and receiver")
  void chatSign() {
    Http.Response r = Http.api(prod.port(), "POST", "/api/v1/chat-sign",
      new JsonObject().put("userId", "alice").put("receiveUserId", "bob").encode());
    JsonObject b = r.json();
    long ts = b.getLong("timestamp");
    assertThat(b.getString("receiveSign")).isEqualTo(Signatures.chat(TestServer.SECRET, TestServer.APP_ID, "alice", "bob", ts));
    assertThat(b.getLong("expiresAt")).isEqualTo(ts + 120_000);
  }

  @Test
  @DisplayName("dev endpoints and the demo page exist in dev mode only; health, ready and metrics answer")
  void devAndOps() {
    Http.Response devSign = Http.get(dev.port(), "/dev/sign?userId=alice&deviceId=web");
    assertThat(devSign.status()).isEqualTo(200);
    assertThat(devSign.json().getString("url")).contains("userId=alice");
    assertThat(Http.get(dev.port(), "/dev/chat-sign?userId=alice&receiveUserId=bob").json().getString("receiveSign")).hasSize(64);
    assertThat(Http.get(dev.port(), "/").status()).isEqualTo(200);
    assertThat(Http.get(prod.port(), "/dev/sign?userId=alice").status()).isEqualTo(404);
    assertThat(Http.get(prod.port(), "/health").status()).isEqualTo(200);
    for (int port : new int[] {prod.port(), prod.managementPort()}) {
      JsonObject health = Http.get(port, "/health").json();
      assertThat(health.getString("status")).isEqualTo("UP");
      assertThat(health.getString("protocol")).isEqualTo(Versions.PROTOCOL);
      assertThat(health.getString("version")).as("the build's version, filled in by Maven").matches("\\d+\\.\\d+\\.\\d+.*");
    }
    assertThat(Http.get(prod.managementPort(), "/ready").json().getString("status")).isEqualTo("READY");
    assertThat(Http.get(prod.managementPort(), "/metrics").body()).contains("im_gateway_connections");
  }
}
