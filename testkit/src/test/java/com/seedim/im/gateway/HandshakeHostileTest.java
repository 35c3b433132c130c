package com.seedim.im.gateway;

import com.seedim.im.testkit.Http;
import com.seedim.im.common.security.Signatures;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile handshake and key-construction tests against a real gateway (memory stores): security audit H6
 * (leading zeros shift the legacy MD5 sign between userId and txNo) and M3 (':' in ids made idempotency keys
 * of different users collide).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandshakeHostileTest {
  static final String LEGACY_APP = "2000000001";
  static final String LEGACY_SECRET = "legacy-secret-0123456789-0123456789-abc";

  private Vertx vertx;
  private TestServer server;
  private final AtomicReference<ProbeService> probe = new AtomicReference<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private TestServer start() {
    server = TestServer.builder().vertx(vertx).standInServices()
      .extraApp(new JsonObject().put("appId", LEGACY_APP).put("secret", LEGACY_SECRET).put("legacySign", true))
      .verticle(infra -> {
        ProbeService p = new ProbeService(infra);
        probe.set(p);
        return p;
      }).start();
    return server;
  }

  private int status(String pathAndQuery) {
    Throwable t = server.connectRaw(pathAndQuery, "x", "x", null).map(c -> {
      c.close();
      return (Throwable) null;
    }).otherwise(e -> e).await();
    if (t == null) {
      return 101;
    }
    assertThat(t).isInstanceOf(UpgradeRejectedException.class);
    return ((UpgradeRejectedException) t).getStatus();
  }

  private static String legacyQuery(String userId, String txNo, String sign) {
    return "/ws?appId=" + LEGACY_APP + "&userId=" + userId + "&msgType=10&txNo=" + txNo + "&sign=" + sign;
  }

  @Test
  @DisplayName("H6: user 10's legacy sign does not open user 1 through txNo=0T; non-canonical txNo is 400; the normal case works")
  void legacyLeadingZeroShift() {
    start();
    long now = System.currentTimeMillis();
    String t = Long.toString(now);
    String sign10 = Signatures.legacyLogin(LEGACY_SECRET, LEGACY_APP, "10", null, t);
    // the MD5 input "10" + app + "1" + "0T" + secret equals the one for user "10" at T
    // (refused 400 like every malformed parameter, before any sign is checked: PROTOCOL.md §2 order)
    assertThat(status(legacyQuery("1", "0" + t, sign10))).as("user 10's sign opening user 1").isEqualTo(400);
    assertThat(status(legacyQuery("10", "0" + t, sign10))).as("non-canonical txNo").isEqualTo(400);
    Http.Response plain = Http.get(server.port(), legacyQuery("10", "0" + t, sign10));
    assertThat(plain.status()).isEqualTo(400);
    assertThat(plain.json().getString("code")).isEqualTo("INVALID_FIELD");
    // legacy apps take exactly 13 digits (epoch ms): a 12-digit txNo is refused before the sign is checked
    String short12 = "999999999999";
    assertThat(status(legacyQuery("10", short12, Signatures.legacyLogin(LEGACY_SECRET, LEGACY_APP, "10", null, short12))))
      .isEqualTo(400);
    // the normal case still works
    TestClient ok = server.connectRaw(legacyQuery("10", t, sign10), "10", "default", null).await();
    ok.send(new JsonObject().put("msgType", 20).put("unique", "hb"));
    assertThat(ok.awaitType(21).getString("unique")).isEqualTo("hb");
  }

  @Test
  @DisplayName("a malformed percent escape in the connect URL is a 400 (found by fuzzing: the decoder threw, no answer)")
  void malformedEscapeIs400() {
    start();
    for (String q : new String[] {"/ws?appId=%zz&userId=u", "/ws?appId=1&userId=u%", "/login?sign=%4"}) {
      for (boolean upgrade : new boolean[] {true, false}) {
        String answer = rawGet(q, upgrade); // client libraries refuse to send such a URL: a raw socket does
        assertThat(answer).as("%s (upgrade %s)", q, upgrade).startsWith("HTTP/1.1 400").contains("INVALID_FIELD");
      }
    }
  }

  private String rawGet(String pathAndQuery, boolean upgrade) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + (upgrade ? "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" : "")
        + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("H6: HMAC apps also refuse non-canonical txNo and headsSince (400, whatever the sign); headsSince=0 is fine")
  void canonicalNumbers() {
    start();
    long now = System.currentTimeMillis();
    String u = "canon";
    String base = "/ws?appId=" + TestServer.APP_ID + "&userId=" + u + "&msgType=10&txNo=0" + now + "&sign=";
    // a non-canonical txNo is malformed (400) whether the sign covers "0T" or "T"
    assertThat(status(base + Signatures.login(TestServer.SECRET, TestServer.APP_ID, u, "", "", "0" + now))).isEqualTo(400);
    assertThat(status(base + TestServer.sign(u, null, null, now))).isEqualTo(400);
    String good = TestServer.query(u, null, null);
    assertThat(status(good + "&headsSince=00")).isEqualTo(400);
    assertThat(status(good + "&headsSince=0" + now)).isEqualTo(400);
    assertThat(status(good + "&headsSince=0")).isEqualTo(101);
    assertThat(status(good + "&headsSince=" + now)).isEqualTo(101);
  }

  @Test
  @DisplayName("M3: user x:y on device default and user x on device y:default keep separate idempotency records")
  void idempotencyKeysDoNotCollide() {
    start();
    TestClient victim = server.connect("x:y", "default");
    TestClient attacker = server.connect("x", "y:default");
    JsonObject a = attacker.request(new JsonObject().put("msgType", 400).put("unique", "k"));
    JsonObject v = victim.request(new JsonObject().put("msgType", 400).put("unique", "k"));
    assertThat(a.getInteger("msgType")).isEqualTo(30);
    assertThat(v.getInteger("msgType")).isEqualTo(30);
    assertThat(v.getInteger("call")).as("the victim's frame must run, not get the attacker's record")
      .isNotEqualTo(a.getInteger("call"));
    assertThat(probe.get().enterCalls.get()).isEqualTo(2);
    // a real repeat of one's own unique is still answered from the record
    JsonObject again = victim.request(new JsonObject().put("msgType", 400).put("unique", "k"));
    assertThat(again.getInteger("call")).isEqualTo(v.getInteger("call"));
    assertThat(probe.get().enterCalls.get()).isEqualTo(2);
  }
}
