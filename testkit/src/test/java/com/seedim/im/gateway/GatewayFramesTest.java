package com.seedim.im.gateway;

import com.seedim.im.common.bus.msg.DeliveredAcks;
import com.seedim.im.common.bus.msg.SessionClosed;
import com.seedim.im.common.proto.NoticeCode;
import com.seedim.im.common.store.Route;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md §1, §3, §4 through a real gateway: routing, replies and their order, errors, limits, pushes. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayFramesTest {
  private Vertx vertx;
  private TestServer server;
  private final AtomicReference<ProbeService> probe = new AtomicReference<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
  }

  private TestServer start(boolean durable, JsonObject app, JsonObject srv) {
    server = TestServer.builder().vertx(vertx).standInServices().durable(durable).app(app).server(srv).verticle(infra -> {
      ProbeService p = new ProbeService(infra);
      probe.set(p);
      return p;
    }).start();
    return server;
  }

  private TestServer start() {
    return start(false, new JsonObject(), new JsonObject());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("pushes made in one event loop turn travel batched (coalesced route lookups, one bus message per gateway): "
    + "every user gets all of them, in order, and a user's other device is skipped when asked")
  void batchedPushes(boolean durable) {
    start(durable, new JsonObject(), new JsonObject());
    int users = 40;
    int each = 5;
    List<TestClient> clients = new java.util.ArrayList<>();
    for (int i = 0; i < users; i++) {
      clients.add(server.connect("bp" + i, "phone"));
    }
    TestClient second = server.connect("bp0", "web");
    String skip = server.infra().directory().routes(TestServer.APP_ID, "bp0").await().stream()
      .filter(r -> r.deviceId().equals("web")).findFirst().orElseThrow().connId();
    io.vertx.core.Promise<Void> sent = io.vertx.core.Promise.promise();
    server.vertx().runOnContext(v -> {
      List<io.vertx.core.Future<Integer>> all = new java.util.ArrayList<>();
      for (int k = 0; k < each; k++) {
        for (int i = 0; i < users; i++) {
          JsonObject f = new JsonObject().put("msgType", 410).put("queueId", "q").put("waitIndex", k).put("waitTotal", each);
          all.add(server.infra().pusher().toUser(TestServer.APP_ID, "bp" + i, f, false, i == 0 ? skip : null));
        }
      }
      io.vertx.core.Future.all(all).<Void>mapEmpty().onComplete(sent);
    });
    sent.future().await();
    for (TestClient c : clients) {
      for (int k = 0; k < each; k++) {
        int expected = k;
        JsonObject f = c.await(x -> x.getInteger("msgType") == 410);
        assertThat(f.getInteger("waitIndex")).as("push %d of %s", k, c).isEqualTo(expected);
        c.history().remove(f);
      }
    }
    second.assertNone(f -> f.getInteger("msgType") == 410, Duration.ofMillis(300));
  }

  @Test
  @DisplayName("more handshakes than maxConnecting at once wait for a connect slot instead of failing; beyond "
    + "maxConnectWaiting they get 503")
  void connectAdmission() {
    start(false, new JsonObject(), new JsonObject().put("maxConnecting", 2).put("maxConnectWaiting", 100));
    List<io.vertx.core.Future<TestClient>> many = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      many.add(server.connectRaw(TestServer.query("adm" + i, "phone", "user"), "adm" + i, "phone", null));
    }
    io.vertx.core.Future.all(many).await();
    for (io.vertx.core.Future<TestClient> f : many) {
      TestClient c = f.result();
      c.send(new JsonObject().put("msgType", 20).put("unique", "hb"));
      assertThat(c.awaitType(21).getString("unique")).isEqualTo("hb");
    }
    server.close();
    server = null;
    start(false, new JsonObject(), new JsonObject().put("maxConnecting", 1).put("maxConnectWaiting", 0));
    probe.get().connectDelayMs = 1000; // the first handshake holds the only slot for a second
    List<io.vertx.core.Future<TestClient>> burst = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      burst.add(server.connectRaw(TestServer.query("b" + i, "phone", "user"), "b" + i, "phone", null));
    }
    io.vertx.core.Future.join(burst).otherwiseEmpty().await();
    long refused = burst.stream().filter(io.vertx.core.Future::failed)
      .filter(f -> f.cause() instanceof io.vertx.core.http.UpgradeRejectedException u && u.getStatus() == 503).count();
    assertThat(refused).as("handshakes refused with 503 while the only slot is taken").isEqualTo(19);
    assertThat(burst.stream().filter(io.vertx.core.Future::succeeded).count()).isEqualTo(1);
  }

  @Test
  @DisplayName("20 → 21 echoing unique and mark, no 30")
  void heartbeat() {
    TestClient c = start().connect("alice");
    c.send(new JsonObject().put("msgType", "20").put("unique", "h1").put("mark", new JsonObject().put("x", 1)));
    JsonObject r = c.awaitType(21);
    assertThat(r.getString("unique")).isEqualTo("h1");
    assertThat(r.getJsonObject("mark").getInteger("x")).isEqualTo(1);
    c.assertNone(f -> f.getInteger("msgType") == 30, Duration.ofMillis(300));
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("a routed frame: 30, then the reply, then self pushes, in order; identity from the connection only")
  void routedOrder(boolean durable) {
    start(durable, new JsonObject(), new JsonObject());
    TestClient phone = server.connect("alice", "phone");
    TestClient web = server.connect("alice", "web");
    phone.send(new JsonObject().put("msgType", 430).put("unique", "q1").put("mark", "m").put("userId", "mallory").put("role", "admin"));
    JsonObject first = phone.await(f -> true);
    JsonObject second = phone.await(f -> true);
    JsonObject third = phone.await(f -> true);
    assertThat(first.getInteger("msgType")).isEqualTo(30);
    assertThat(first.getInteger("receiveMsgType")).isEqualTo(430);
    assertThat(first.getString("unique")).isEqualTo("q1");
    assertThat(first.getString("mark")).isEqualTo("m");
    assertThat(second.getInteger("msgType")).isEqualTo(431);
    assertThat(second.getString("unique")).isEqualTo("q1");
    assertThat(second.getString("askedBy")).isEqualTo("alice");
    assertThat(second.getString("role")).isEqualTo("user");
    assertThat(third.getInteger("msgType")).isEqualTo(410);
    assertThat(third.getString("unique")).isNotEqualTo("q1").startsWith("s");
    // the user's other device gets the push but not the reply
    JsonObject other = web.awaitType(410);
    assertThat(other.getString("unique")).isNotEqualTo(third.getString("unique"));
    web.assertNone(f -> f.getInteger("msgType") == 431, Duration.ofMillis(300));
  }

  @Test
  @DisplayName("every malformed frame gets exactly one 10 with the right code, echoing unique and mark where it can")
  void errors() {
    TestClient c = start().connect("bob");
    c.sendText("not json");
    assertError(c.awaitType(10), "INVALID_JSON", 0);
    c.socket().writeBinaryMessage(Buffer.buffer("{\"msgType\":20}"));
    assertError(c.awaitType(10), "INVALID_JSON", 0);
    c.sendText("[1,2]");
    assertError(c.awaitType(10), "INVALID_JSON", 0);
    c.send(new JsonObject().put("unique", "nt"));
    JsonObject missing = c.awaitType(10);
    assertError(missing, "MISSING_FIELD", 0);
    assertThat(missing.getString("unique")).isEqualTo("nt");
    c.send(new JsonObject().put("msgType", 9999).put("unique", "x9").put("mark", 5));
    JsonObject unknown = c.awaitType(10);
    assertError(unknown, "UNKNOWN_MSG_TYPE", 9999);
    assertThat(unknown.getString("unique")).isEqualTo("x9");
    assertThat(unknown.getInteger("mark")).isEqualTo(5);
    c.send(new JsonObject().put("msgType", 140).put("unique", "s2c"));
    assertError(c.awaitType(10), "UNKNOWN_MSG_TYPE", 140);
    c.send(new JsonObject().put("msgType", "abc"));
    assertError(c.awaitType(10), "INVALID_FIELD", 0);
    c.send(new JsonObject().put("msgType", 430).put("unique", "é"));
    assertError(c.awaitType(10), "INVALID_FIELD", 430);
    c.send(new JsonObject().put("msgType", 430).put("unique", "big").put("pad", "x".repeat(140_000)));
    assertError(c.awaitType(10), "TOO_LARGE", 0);
    // a handler's refusal carries its code
    c.send(new JsonObject().put("msgType", 540).put("unique", "l1").put("mark", "mk"));
    JsonObject forbidden = c.awaitType(10);
    assertError(forbidden, "FORBIDDEN", 540);
    assertThat(forbidden.getString("unique")).isEqualTo("l1");
    assertThat(forbidden.getString("mark")).isEqualTo("mk");
    // no service behind 130 in this server: UNAVAILABLE, never silence
    c.send(new JsonObject().put("msgType", 130).put("unique", "c1").put("receiveUserId", "x").put("message", "hi"));
    assertError(c.awaitType(10), "UNAVAILABLE", 130);
    // acks never get any reply, even malformed or stale
    c.send(new JsonObject().put("msgType", 31).put("unique", "nothing"));
    c.send(new JsonObject().put("msgType", 141).put("messageId", "garbage"));
    c.send(new JsonObject().put("msgType", 141).put("messageIds", new JsonArray().add("1").add("2")));
    c.assertNone(f -> true, Duration.ofMillis(400));
    assertThat(c.isClosed()).isFalse();
  }

  private static void assertError(JsonObject f, String code, int receiveMsgType) {
    assertThat(f.getString("code")).isEqualTo(code);
    assertThat(f.getInteger("receiveMsgType")).isEqualTo(receiveMsgType);
    assertThat(f.getString("message")).isNotBlank();
  }

  @Test
  @DisplayName("per-connection rate limit: RATE_LIMITED beyond the burst; heartbeats and acks are not counted")
  void rateLimit() {
    TestClient c = start(false, new JsonObject().put("framesPerSecond", 5).put("framesBurst", 5), new JsonObject()).connect("carol");
    for (int i = 0; i < 30; i++) {
      c.send(new JsonObject().put("msgType", 20).put("unique", "h" + i));
    }
    for (int i = 0; i < 30; i++) {
      c.awaitType(21);
    }
    for (int i = 0; i < 10; i++) {
      c.send(new JsonObject().put("msgType", 430).put("unique", "r" + i));
    }
    int ok = 0;
    int limited = 0;
    for (int i = 0; i < 10; i++) {
      String u = "r" + i;
      JsonObject f = c.await(x -> u.equals(x.getString("unique")) && (x.getInteger("msgType") == 30 || x.getInteger("msgType") == 10));
      if (f.getInteger("msgType") == 30) {
        ok++;
      } else {
        assertThat(f.getString("code")).isEqualTo("RATE_LIMITED");
        limited++;
      }
    }
    assertThat(ok).isEqualTo(5);
    assertThat(limited).isEqualTo(5);
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  @DisplayName("too many handshakes from one address get 429 RATE_LIMITED and no socket")
  void handshakeRateLimit() {
    start(false, new JsonObject(), new JsonObject().put("handshakesPerSecondPerAddress", 2));
    int refused = 0;
    for (int i = 0; i < 8; i++) {
      Throwable t = server.connectRaw(TestServer.query("u" + i, null, null), "u" + i, "default", null)
        .map(c -> (Throwable) null).otherwise(e -> e).await();
      if (t instanceof io.vertx.core.http.UpgradeRejectedException r) {
        assertThat(r.getStatus()).isEqualTo(429);
        refused++;
      }
    }
    assertThat(refused).isGreaterThanOrEqualTo(3);
  }

  @Test
  @DisplayName("20 abusive errors within 10 s close the socket with 1008")
  void abuseCloses() {
    TestClient c = start().connect("dave");
    for (int i = 0; i < 25; i++) {
      c.sendText("{oops");
    }
    assertThat(c.awaitClose(Duration.ofSeconds(5))).isEqualTo((short) 1008);
    assertThat(c.history().stream().filter(f -> f.getInteger("msgType") == 10).count()).isEqualTo(20);
  }

  @Test
  @DisplayName("no inbound traffic for idleTimeoutSeconds closes the socket with 1001; heartbeats keep it open")
  void idle() throws Exception {
    start(false, new JsonObject().put("idleTimeoutSeconds", 2), new JsonObject());
    TestClient quiet = server.connect("erin", "a");
    TestClient alive = server.connect("erin", "b");
    long t0 = System.currentTimeMillis();
    while (System.currentTimeMillis() - t0 < 4500) {
      alive.send(new JsonObject().put("msgType", 20));
      Thread.sleep(500);
    }
    assertThat(quiet.awaitClose(Duration.ofSeconds(1))).isEqualTo((short) 1001);
    assertThat(alive.isClosed()).isFalse();
  }

  @Test
  @DisplayName("251: 30, 252, close 1000, and the services learn it was a logout of the last device")
  void logout() {
    TestClient c = start().connect("frank");
    c.send(new JsonObject().put("msgType", 251).put("unique", "bye"));
    assertThat(c.awaitType(30).getInteger("receiveMsgType")).isEqualTo(251);
    assertThat(c.awaitType(252).getString("unique")).isEqualTo("bye");
    assertThat(c.awaitClose(Duration.ofSeconds(5))).isEqualTo((short) 1000);
    SessionClosed d = awaitDisconnect("frank");
    assertThat(d.logout()).isTrue();
    assertThat(d.lastDevice()).isTrue();
  }

  private SessionClosed awaitDisconnect(String user) {
    long deadline = System.currentTimeMillis() + 5000;
    while (System.currentTimeMillis() < deadline) {
      for (SessionClosed d : probe.get().disconnects) {
        if (user.equals(d.ctx().userId())) {
          return d;
        }
      }
      sleep(20);
    }
    throw new AssertionError("no disconnect event for " + user);
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("idempotent types: a repeated unique is processed once and gets the recorded 30 and reply again")
  void idempotency(boolean durable) {
    TestClient c = start(durable, new JsonObject(), new JsonObject()).connect("gina");
    JsonObject a = c.request(new JsonObject().put("msgType", 400).put("unique", "same"));
    JsonObject ra = c.awaitType(402);
    JsonObject b = c.request(new JsonObject().put("msgType", 400).put("unique", "same"));
    JsonObject rb = c.awaitType(402);
    assertThat(a.getInteger("msgType")).isEqualTo(30);
    assertThat(b.getInteger("call")).isEqualTo(a.getInteger("call")).isEqualTo(1);
    assertThat(rb.getInteger("call")).isEqualTo(ra.getInteger("call"));
    assertThat(probe.get().enterCalls.get()).isEqualTo(1);
    // another unique is processed
    c.request(new JsonObject().put("msgType", 400).put("unique", "other"));
    assertThat(probe.get().enterCalls.get()).isEqualTo(2);
    // a repeat from a second connection of the same device while the first is still running waits for its result
    probe.get().enterDelayMs = 700;
    c.send(new JsonObject().put("msgType", 400).put("unique", "slow"));
    sleep(150);
    TestClient again = server.connect("gina", "default");
    JsonObject replayed = again.request(new JsonObject().put("msgType", 400).put("unique", "slow"));
    assertThat(replayed.getInteger("msgType")).isEqualTo(30);
    assertThat(replayed.getInteger("call")).isEqualTo(3);
    assertThat(probe.get().enterCalls.get()).isEqualTo(3);
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("same device replaces the old socket (99 REPLACED, 4001); its late close never removes the new session")
  void replacement(boolean durable) {
    start(durable, new JsonObject().put("maxDevices", 2), new JsonObject());
    TestClient old = server.connect("hank", "phone");
    TestClient fresh = server.connect("hank", "phone");
    JsonObject n = old.awaitType(99);
    assertThat(n.getString("code")).isEqualTo(NoticeCode.REPLACED.name());
    assertThat(old.awaitClose(Duration.ofSeconds(5))).isEqualTo((short) 4001);
    sleep(200); // let the old socket's close run through the gateway
    List<Route> routes = server.infra().directory().routes(TestServer.APP_ID, "hank").await();
    assertThat(routes).hasSize(1);
    // pushes still reach the new socket
    server.infra().pusher().toUser(TestServer.APP_ID, "hank", new JsonObject().put("msgType", 200).put("friendUserId", "z")
      .put("isOnline", true)).await();
    assertThat(fresh.awaitType(200).getString("friendUserId")).isEqualTo("z");
    // beyond maxDevices the oldest connection is replaced
    TestClient web = server.connect("hank", "web");
    TestClient pad = server.connect("hank", "pad");
    assertThat(fresh.awaitClose(Duration.ofSeconds(5))).isEqualTo((short) 4001);
    assertThat(web.isClosed()).isFalse();
    // another role replaces every device
    TestClient agent = server.connect("hank", "desk", "agent");
    assertThat(web.awaitClose(Duration.ofSeconds(5))).isEqualTo((short) 4001);
    assertThat(pad.awaitClose(Duration.ofSeconds(5))).isEqualTo((short) 4001);
    agent.send(new JsonObject().put("msgType", 430).put("unique", "who"));
    assertThat(agent.awaitType(431).getString("role")).isEqualTo("agent");
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("reliable pushes are resent with the same unique until acked by the socket that received them")
  void resendAndAckOwnership(boolean durable) {
    start(durable, new JsonObject(), new JsonObject().put("resendDelaysMs", new JsonArray().add(400).add(800).add(1200)));
    TestClient phone = server.connect("ivy", "phone").autoAck(false);
    TestClient web = server.connect("ivy", "web").autoAck(false);
    JsonObject frame = new JsonObject().put("msgType", 131).put("messageId", "77").put("receiveUserId", "x");
    server.infra().pusher().toUser(TestServer.APP_ID, "ivy", frame).await();
    JsonObject p1 = phone.awaitType(131);
    JsonObject w1 = web.awaitType(131);
    String u = p1.getString("unique");
    assertThat(w1.getString("unique")).isNotEqualTo(u);
    // an ack from another socket does not count
    web.send(new JsonObject().put("msgType", 31).put("unique", u));
    JsonObject p2 = phone.awaitType(131);
    assertThat(p2.getString("unique")).isEqualTo(u);
    phone.send(new JsonObject().put("msgType", 31).put("unique", u));
    phone.assertNone(f -> f.getInteger("msgType") == 131, Duration.ofMillis(1500));
    // the web socket, which never acked, got all three resends
    assertThat(web.history().stream().filter(f -> f.getInteger("msgType") == 131).count()).isEqualTo(4);
  }

  @Test
  @DisplayName("141 from a receiver device that got the 140 is forwarded as delivered; from other sockets it is ignored")
  void pushAck141() {
    start();
    TestClient phone = server.connect("jack", "phone").autoAck(false);
    TestClient web = server.connect("jack", "web").autoAck(false);
    JsonObject push = new JsonObject().put("msgType", 140).put("messageId", "1234567").put("userId", "kim")
      .put("receiveUserId", "jack").put("message", "hi");
    server.vertx().eventBus().send(server.gateway().address(), new JsonObject().put("op", "push").put("appId", TestServer.APP_ID)
      .put("userId", "jack").put("frame", push).put("reliable", true).put("only", phoneConn()));
    phone.awaitType(140);
    web.send(new JsonObject().put("msgType", 141).put("messageId", "1234567"));
    sleep(300);
    assertThat(probe.get().delivered).isEmpty();
    phone.send(new JsonObject().put("msgType", 141).put("messageIds", new JsonArray().add("1234567")));
    long deadline = System.currentTimeMillis() + 3000;
    while (probe.get().delivered.isEmpty() && System.currentTimeMillis() < deadline) {
      sleep(20);
    }
    assertThat(probe.get().delivered).hasSize(1);
    DeliveredAcks.Acked d = probe.get().delivered.get(0);
    assertThat(d.messageIds()).containsExactly("1234567");
    assertThat(d.ctx().deviceId()).isEqualTo("phone");
  }

  private String phoneConn() {
    return server.infra().directory().routes(TestServer.APP_ID, "jack").await().stream()
      .filter(r -> r.deviceId().equals("phone")).findFirst().orElseThrow().connId();
  }

  @Test
  @DisplayName("more unacked pushes than maxUnackedPushes close the socket with 4002 (slow consumer)")
  void slowConsumer() {
    start(false, new JsonObject(), new JsonObject().put("maxUnackedPushes", 5));
    TestClient c = server.connect("kate").autoAck(false);
    for (int i = 0; i < 7; i++) {
      server.infra().pusher().toUser(TestServer.APP_ID, "kate", new JsonObject().put("msgType", 199).put("messageId", "" + (i + 1))).await();
    }
    assertThat(c.awaitClose(Duration.ofSeconds(5))).isEqualTo((short) 4002);
  }

  @Test
  @DisplayName("graceful shutdown: 99 SHUTDOWN with retryAfterMs to every socket, then close 1001")
  void shutdown() {
    start();
    TestClient a = server.connect("leo", "a");
    TestClient b = server.connect("mia", "b");
    server.vertx().undeploy(server.gateway().deploymentID()).await();
    for (TestClient c : List.of(a, b)) {
      JsonObject n = c.awaitType(99);
      assertThat(n.getString("code")).isEqualTo("SHUTDOWN");
      assertThat(n.getLong("retryAfterMs")).isBetween(1000L, 5000L);
      assertThat(c.awaitClose(Duration.ofSeconds(5))).isEqualTo((short) 1001);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
