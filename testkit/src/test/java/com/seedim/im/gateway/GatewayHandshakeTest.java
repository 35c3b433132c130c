package com.seedim.im.gateway;

import com.seedim.im.testkit.Http;
import com.seedim.im.common.proto.Versions;
import com.seedim.im.common.security.Signatures;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md §2: the handshake matrix against a real gateway on the real Redis. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayHandshakeTest {
  static final String LEGACY_APP = "2000000001";
  static final String LEGACY_SECRET = "legacy-secret-0123456789-0123456789-abc";
  static final String ORIGIN_APP = "3000000001";
  static final String ORIGIN_SECRET = "origin-secret-0123456789-0123456789-abc";
  static TestServer server;

  @BeforeAll
  static void start(Vertx vertx) {
    server = TestServer.builder().vertx(vertx).durable(true)
      .extraApp(new JsonObject().put("appId", LEGACY_APP).put("secret", LEGACY_SECRET).put("legacySign", true))
      .extraApp(new JsonObject().put("appId", ORIGIN_APP).put("secret", ORIGIN_SECRET)
        .put("allowedOrigins", new JsonArray().add("https://good.example")))
      .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String user() {
    return "u" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static int refusedStatus(String pathAndQuery, String origin) {
    Throwable t = server.connectRaw(pathAndQuery, "x", "x", origin).map(c -> (Throwable) null)
      .otherwise(e -> e).await();
    assertThat(t).as("handshake must be refused").isInstanceOf(UpgradeRejectedException.class);
    return ((UpgradeRejectedException) t).getStatus();
  }

  @ParameterizedTest(name = "path {0}")
  @ValueSource(strings = {"/ws", "/login", "/"})
  @DisplayName("a signed connect is accepted on /ws, /login and /")
  void acceptsOnAllPaths(String path) {
    String u = user();
    String q = TestServer.query(u, "phone", null).replaceFirst("^/ws", path);
    TestClient c = server.connectRaw(q, u, "phone", null).await();
    assertThat(c.socket().headers().get(Versions.PROTOCOL_HEADER)).as("upgrade response header").isEqualTo(Versions.PROTOCOL);
    assertThat(c.socket().headers().get(Versions.VERSION_HEADER)).isEqualTo(Versions.PRODUCT).isNotEqualTo("unknown");
    c.send(new JsonObject().put("msgType", 20).put("unique", "hb1"));
    JsonObject r = c.awaitType(21);
    assertThat(r.getString("unique")).isEqualTo("hb1");
  }

  @Test
  @DisplayName("wrong sign, expired or future txNo, and unknown app all get 401 UNAUTHORIZED and no socket")
  void unauthorized() {
    String u = user();
    long now = System.currentTimeMillis();
    String bad = "/ws?appId=" + TestServer.APP_ID + "&userId=" + u + "&msgType=10&txNo=" + now + "&sign=" + "0".repeat(64);
    assertThat(refusedStatus(bad, null)).isEqualTo(401);
    Http.Response plain = Http.get(server.port(), bad);
    assertThat(plain.status()).isEqualTo(401);
    assertThat(plain.json().getString("code")).isEqualTo("UNAUTHORIZED");
    assertThat(plain.json().getInteger("msgType")).isEqualTo(10);

    long old = now - 400_000;
    String expired = "/ws?appId=" + TestServer.APP_ID + "&userId=" + u + "&msgType=10&txNo=" + old
      + "&sign=" + TestServer.sign(u, null, null, old);
    assertThat(refusedStatus(expired, null)).isEqualTo(401);
    long future = now + 60_000;
    String early = "/ws?appId=" + TestServer.APP_ID + "&userId=" + u + "&msgType=10&txNo=" + future
      + "&sign=" + TestServer.sign(u, null, null, future);
    assertThat(refusedStatus(early, null)).isEqualTo(401);
    // within the 30 s clock skew is fine
    long skew = now + 10_000;
    String ok = "/ws?appId=" + TestServer.APP_ID + "&userId=" + u + "&msgType=10&txNo=" + skew
      + "&sign=" + TestServer.sign(u, null, null, skew);
    server.connectRaw(ok, u, "default", null).await().close();

    String unknownApp = "/ws?appId=999&userId=" + u + "&msgType=10&txNo=" + now + "&sign=" + "a".repeat(64);
    assertThat(Http.get(server.port(), unknownApp).json().getString("code")).isEqualTo("UNAUTHORIZED");
  }

  @Test
  @DisplayName("a sign for one device or role does not open another (fields are not concatenated)")
  void signBindsFields() {
    long now = System.currentTimeMillis();
    String sign = TestServer.sign("4805", "7abc", null, now);
    String moved = "/ws?appId=" + TestServer.APP_ID + "&userId=48057&loginId=abc&msgType=10&txNo=" + now + "&sign=" + sign;
    assertThat(refusedStatus(moved, null)).isEqualTo(401);
    String asAgent = "/ws?appId=" + TestServer.APP_ID + "&userId=4805&loginId=7abc&role=agent&msgType=10&txNo=" + now + "&sign=" + sign;
    assertThat(refusedStatus(asAgent, null)).isEqualTo(401);
  }

  @Test
  @DisplayName("missing or malformed parameters get 400 with MISSING_FIELD / INVALID_FIELD; a good URL without upgrade gets 426")
  void badRequests() {
    long now = System.currentTimeMillis();
    Http.Response missing = Http.get(server.port(), "/ws?appId=" + TestServer.APP_ID + "&msgType=10&txNo=" + now + "&sign=ab");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().getString("code")).isEqualTo("MISSING_FIELD");
    assertThat(refusedStatus("/ws?appId=" + TestServer.APP_ID + "&msgType=10&txNo=" + now + "&sign=ab", null)).isEqualTo(400);
    Http.Response invalid = Http.get(server.port(), "/ws?appId=" + TestServer.APP_ID + "&userId=a%20b&msgType=10&txNo=" + now + "&sign=ab");
    assertThat(invalid.status()).isEqualTo(400);
    assertThat(invalid.json().getString("code")).isEqualTo("INVALID_FIELD");
    Http.Response role = Http.get(server.port(), "/ws?appId=" + TestServer.APP_ID + "&userId=a&role=boss&msgType=10&txNo=" + now + "&sign=ab");
    assertThat(role.json().getString("code")).isEqualTo("INVALID_FIELD");
    Http.Response good = Http.get(server.port(), TestServer.query(user(), "phone", "agent"));
    assertThat(good.status()).isEqualTo(426);
  }

  @Test
  @DisplayName("allowedOrigins: a foreign Origin gets 403, a listed or absent one is accepted")
  void origins() {
    String u = user();
    long now = System.currentTimeMillis();
    String q = "/ws?appId=" + ORIGIN_APP + "&userId=" + u + "&msgType=10&txNo=" + now
      + "&sign=" + Signatures.login(ORIGIN_SECRET, ORIGIN_APP, u, "", "", Long.toString(now));
    // the plain GET of a connect URL answers what the upgrade would (browsers cannot read a refused upgrade)
    assertThat(get(q, "https://evil.example").status()).isEqualTo(403);
    assertThat(get(q, "https://evil.example").json().getString("code")).isEqualTo("ORIGIN_FORBIDDEN");
    assertThat(get(q, "https://good.example").status()).isEqualTo(426);
    assertThat(get(q, null).status()).isEqualTo(426);
    server.connectRaw(q, u, "default", null).await().close();
  }

  private static Http.Response get(String pathAndQuery, String origin) {
    var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).GET();
    if (origin != null) {
      b.header("Origin", origin);
    }
    return Http.send(b.build());
  }

  @Test
  @DisplayName("legacy MD5 sign works for legacy apps, which refuse a role and non-numeric user ids")
  void legacy() {
    long now = System.currentTimeMillis();
    String dev = UUID.randomUUID().toString();
    String sign = Signatures.legacyLogin(LEGACY_SECRET, LEGACY_APP, "4805", dev, Long.toString(now));
    String q = "/ws?appId=" + LEGACY_APP + "&userId=4805&loginId=" + dev + "&msgType=10&txNo=" + now + "&sign=" + sign;
    TestClient c = server.connectRaw(q, "4805", dev, null).await();
    c.send(new JsonObject().put("msgType", 20));
    c.awaitType(21);
    assertThat(refusedStatus(q + "&role=user", null)).isEqualTo(400);
    String nonNumeric = "/ws?appId=" + LEGACY_APP + "&userId=abc&msgType=10&txNo=" + now + "&sign="
      + Signatures.legacyLogin(LEGACY_SECRET, LEGACY_APP, "abc", null, Long.toString(now));
    assertThat(refusedStatus(nonNumeric, null)).isEqualTo(400);
    String notUuid = "/ws?appId=" + LEGACY_APP + "&userId=4805&loginId=abc&msgType=10&txNo=" + now + "&sign="
      + Signatures.legacyLogin(LEGACY_SECRET, LEGACY_APP, "4805", "abc", Long.toString(now));
    assertThat(refusedStatus(notUuid, null)).isEqualTo(400);
  }

  @Test
  @DisplayName("kick: 99 KICKED and close 4001 on every device; signs issued before the kick are refused, newer ones work")
  void kick() throws Exception {
    String u = user();
    String oldQuery = TestServer.query(u, "phone", null);
    TestClient phone = server.connectRaw(oldQuery, u, "phone", null).await();
    TestClient web = server.connect(u, "web");
    Thread.sleep(20);
    Http.Response r = Http.api(server.port(), "POST", "/api/v1/kick", new JsonObject().put("userId", u).encode());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getInteger("kicked")).isEqualTo(2);
    for (TestClient c : new TestClient[] {phone, web}) {
      JsonObject n = c.awaitType(99);
      assertThat(n.getString("code")).isEqualTo("KICKED");
      assertThat(c.awaitClose(Duration.ofSeconds(5))).isEqualTo((short) 4001);
    }
    assertThat(refusedStatus(oldQuery, null)).isEqualTo(401);
    Thread.sleep(5);
    server.connect(u, "phone").close();
  }
}
