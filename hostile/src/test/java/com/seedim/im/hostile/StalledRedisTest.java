package com.seedim.im.hostile;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.queue.QueueVerticle;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.faults.BlackholeProxy;
import com.seedim.im.testkit.faults.PrivateRedis;
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

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Audit M5: a stalled (SIGSTOPped, not refused) Redis must give UNAVAILABLE within the bus timeout, never a hang,
 * and everything recovers after SIGCONT. The Redis is a private redis-server this test starts and signals.
 */
@DisplayName("M5: a stalled Redis fails requests in time and recovers")
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StalledRedisTest {
  private static final long BUS_TIMEOUT_MS = 5000;

  private Vertx vertx;
  private PrivateRedis redis;
  private TestServer server;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    redis = PrivateRedis.start();
    server = TestServer.builder().vertx(vertx).durable(true).redisUri(redis.uri())
      .verticle(ChatVerticle::new).verticle(QueueVerticle::new)
      .app(new JsonObject().put("requireChatSign", true))
      .server(new JsonObject().put("busTimeoutMs", BUS_TIMEOUT_MS))
      .start();
  }

  @AfterEach
  void stop() {
    try {
      if (redis != null) {
        redis.resume();
      }
      if (server != null) {
        server.close();
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  /**
   * A signed 130 from alice. The first sign for a pair is written to the shared permission record in Redis, so that
   * send needs Redis; later ones to the same receiver are known in the chat process and need only MariaDB (their 30
   * during a Redis stall is correct: the message is durably stored; see {@link #knownPermissionStoresDuringTheStall}).
   */
  private static JsonObject send(String to, String text) {
    return new JsonObject().put("msgType", 130).put("receiveUserId", to).put("message", text).put("unique", TestClient.newUnique())
      .mergeIn(TestServer.chatSign("alice", to));
  }

  /** The first answer to {@code frame} (a 30 or a 10), waiting at most {@code ms}. */
  private static JsonObject answer(TestClient c, JsonObject frame, long ms) {
    Object u = frame.getValue("unique");
    c.send(frame);
    return c.await(f -> u.equals(f.getValue("unique")) && f.getInteger("msgType", 0) != 140, Duration.ofMillis(ms));
  }

  @Test
  void chatSendGetsUnavailableWithinTheBusTimeoutAndRecovers() throws Exception {
    TestClient alice = server.connect("alice");
    server.connect("bob");
    assertThat(answer(alice, send("bob", "before"), 5000).getInteger("msgType")).isEqualTo(30);

    redis.pause();
    long t0 = System.nanoTime();
    // a receiver alice has no permission for yet: the new sign must be written to Redis
    JsonObject r = answer(alice, send("carol", "during the stall"), BUS_TIMEOUT_MS + 1000);
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.getInteger("msgType")).as("answer %s after %d ms", r.encode(), tookMs).isEqualTo(10);
    assertThat(r.getString("code")).as(r.encode()).isEqualTo("UNAVAILABLE");

    redis.resume();
    long t1 = System.nanoTime();
    JsonObject after = answer(alice, send("bob", "after"), 5000);
    assertThat(after.getInteger("msgType")).as("%s after %d ms", after.encode(), (System.nanoTime() - t1) / 1_000_000)
      .isEqualTo(30);
  }

  @Test
  void deskFramesGetUnavailableWithinTheBusTimeoutAndRecover() {
    TestClient agent = server.connect("ag1", null, "agent");
    TestClient admin = server.connect("boss", null, "admin");
    redis.pause();
    // availability, a transfer and the supervisor view all wait on the customer-service store
    for (JsonObject f : java.util.List.of(new JsonObject().put("msgType", 600).put("status", "away"),
      new JsonObject().put("msgType", 610).put("toUserId", "ag2"))) {
      long t0 = System.nanoTime();
      JsonObject r = answer(agent, f.put("unique", TestClient.newUnique()), BUS_TIMEOUT_MS + 1000);
      assertThat(r.getString("code")).as("%s after %d ms", r.encode(), (System.nanoTime() - t0) / 1_000_000)
        .isEqualTo("UNAVAILABLE");
    }
    JsonObject view = answer(admin, new JsonObject().put("msgType", 670).put("unique", TestClient.newUnique()),
      BUS_TIMEOUT_MS + 1000);
    assertThat(view.getString("code")).as(view.encode()).isEqualTo("UNAVAILABLE");
    redis.resume();
    JsonObject status = new JsonObject().put("msgType", 600).put("unique", TestClient.newUnique());
    agent.send(status);
    assertThat(agent.await(f -> status.getValue("unique").equals(f.getValue("unique")) && f.getInteger("msgType") == 601,
      Duration.ofSeconds(10)).getString("status")).as("the stalled 600 changed nothing").isEqualTo("available");
    assertThat(admin.query(new JsonObject().put("msgType", 670), 671).getJsonArray("queues")).isNotNull();
  }

  @Test
  void newHandshakeDuringTheStallFailsCleanly() {
    server.connect("warm"); // lanes connected
    redis.pause();
    long t0 = System.nanoTime();
    Throwable failure = null;
    try {
      TestClient c = server.connectRaw(TestServer.query("carol", null, null), "carol", "default", null)
        .toCompletionStage().toCompletableFuture().get(7, TimeUnit.SECONDS);
      // accepted: its first frame must then not hang either (the connect sequence is the gateway's)
      c.close();
    } catch (TimeoutException e) {
      throw new AssertionError("the handshake hung for 7 s during a Redis stall");
    } catch (Exception e) {
      failure = e.getCause() != null ? e.getCause() : e;
    }
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(tookMs).isLessThan(6500);
    if (failure instanceof UpgradeRejectedException ure) {
      assertThat(ure.getStatus()).isEqualTo(503);
    }
  }

  /**
   * A permission known in the chat process needs no Redis: during the stall the message is stored and answered 30
   * (within the bus timeout; its push fails with the route lookup), and nothing is lost: the receiver gets it when it
   * reconnects after the stall.
   */
  @Test
  void knownPermissionStoresDuringTheStall() {
    TestClient alice = server.connect("alice");
    TestClient bob = server.connect("bob");
    assertThat(answer(alice, send("bob", "before"), 5000).getInteger("msgType")).isEqualTo(30);
    redis.pause();
    long t0 = System.nanoTime();
    JsonObject r = answer(alice, send("bob", "stored during the stall"), BUS_TIMEOUT_MS + 1000);
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.getInteger("msgType")).as("answer %s after %d ms", r.encode(), tookMs).isEqualTo(30);
    String id = r.getString("messageId");
    redis.resume();
    bob.close();
    TestClient again = server.connect("bob");
    JsonObject replayed = again.await(f -> f.getInteger("msgType", 0) == 140 && id.equals(f.getString("messageId")),
      Duration.ofSeconds(10));
    assertThat(replayed.getString("message")).isEqualTo("stored during the stall");
  }

  @Test
  void heartbeatOnAnExistingSocketIsAnsweredRightAfterTheStall() {
    TestClient alice = server.connect("alice");
    server.connect("bob");
    redis.pause();
    JsonObject r = answer(alice, send("bob", "during the stall"), BUS_TIMEOUT_MS + 1000);
    assertThat(r.getInteger("msgType")).isEqualTo(10);
    redis.resume();
    String u = "hb-" + TestClient.newUnique();
    alice.send(new JsonObject().put("msgType", 20).put("unique", u));
    alice.await(f -> f.getInteger("msgType", 0) == 21 && u.equals(f.getString("unique")), Duration.ofMillis(2000));
  }

  /**
   * A partition: the lanes' connections go silent for good (no RST). Commands on them must time out and the lanes
   * must be dropped and reconnected, or Redis stays unusable on this node after the network heals.
   */
  @Test
  void lanesStuckOnADeadConnectionAreDroppedAndReconnected() {
    server.close();
    server = null;
    BlackholeProxy proxy = new BlackholeProxy("127.0.0.1", redis.port());
    try {
      server = TestServer.builder().vertx(vertx).durable(true).redisUri(proxy.redisUri())
        .verticle(ChatVerticle::new).verticle(QueueVerticle::new)
        .app(new JsonObject().put("requireChatSign", true))
        .server(new JsonObject().put("busTimeoutMs", BUS_TIMEOUT_MS))
        .start();
      TestClient alice = server.connect("alice");
      server.connect("bob");
      assertThat(answer(alice, send("bob", "before"), 5000).getInteger("msgType")).isEqualTo(30);
      proxy.blackhole();
      JsonObject r = answer(alice, send("carol", "during the partition"), BUS_TIMEOUT_MS + 1000);
      assertThat(r.getInteger("msgType")).isEqualTo(10);
      proxy.heal();
      // within a few command deadlines every lane has been dropped and reconnected
      long until = System.currentTimeMillis() + 15_000;
      JsonObject last = null;
      while (System.currentTimeMillis() < until) {
        last = answer(alice, send("bob", "after"), BUS_TIMEOUT_MS + 1000);
        if (last.getInteger("msgType") == 30) {
          return;
        }
      }
      throw new AssertionError("Redis still unusable 15 s after the partition healed; last answer " + last);
    } finally {
      proxy.heal();
      closeWithin(server, 20_000);
      server = null;
      proxy.close();
    }
  }

  /** Closes a server on another thread, giving up after {@code ms} (a close stuck on dead lanes must not hang the build). */
  private static void closeWithin(TestServer s, long ms) {
    if (s == null) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        s.close();
      } catch (RuntimeException e) {
        // the blackholed lanes may fail the close
      }
    }, "close-" + System.nanoTime());
    t.setDaemon(true);
    t.start();
    try {
      t.join(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
