package com.seedim.im.hostile;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.queue.QueueVerticle;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.faults.PrivateMariaDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MariaDB paused (SIGSTOP) and then stopped (SIGKILL, restarted on its data), on a private mariadbd this test starts
 * (never the shared one), under chat and queue load with a healthy client timed alongside. Frames get
 * {@code 10 UNAVAILABLE} within the bus timeout (never a hang, never a 30 for a message that is then lost), a
 * handshake is refused 503 while the connect sequence cannot read, heartbeats stay prompt, and everything recovers
 * by itself. The fault windows are {@code -Dfault.windowMs} (default 3000; the bench runs longer ones).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MariaDbFaultTest {
  static final long WINDOW_MS = Long.getLong("fault.windowMs", 3000);
  static final long BUS_TIMEOUT_MS = 3000;

  private static boolean is(JsonObject f, int type) {
    return f.getInteger("msgType", 0) == type;
  }

  private static int handshakeStatus(TestServer server, String user) {
    try {
      server.connectRaw(TestServer.query(user, null, null), user, "default", null).await();
      return 101;
    } catch (Throwable e) {
      String m = String.valueOf(e.getMessage());
      return m.contains("503") ? 503 : m.contains("401") ? 401 : -1;
    }
  }

  @Test
  @DisplayName("MariaDB paused, then killed and restarted, under chat and queue load: UNAVAILABLE in time, 503 handshakes, recovery, nothing acked lost")
  void mariaDbPausedThenKilled(Vertx vertx) throws Exception {
    try (PrivateMariaDb db = PrivateMariaDb.start();
         TestServer server = TestServer.builder().vertx(vertx).durable(true).mysql("127.0.0.1", db.port())
           .app(new JsonObject().put("requireChatSign", false).put("framesPerSecond", 200).put("framesBurst", 200))
           .server(new JsonObject().put("busTimeoutMs", BUS_TIMEOUT_MS)
             .put("chat", new JsonObject().put("sweepPeriodMs", 1000).put("sweepMinAgeMs", 2000)))
           .verticle(ChatVerticle::new).verticle(QueueVerticle::new)
           .start()) {
      TestClient bob = server.connect("bob");
      TestClient alice = server.connect("alice");
      TestClient customer = server.connect("c1");
      HealthyClient healthy = new HealthyClient(server, "healthy");
      ChatStream chat = new ChatStream(alice, bob, "bob", 20);
      Thread.sleep(1000);

      for (String fault : new String[] {"paused", "killed"}) {
        int before = chat.unavailable.get();
        if (fault.equals("paused")) {
          db.pause();
        } else {
          db.kill();
        }
        long t0 = System.currentTimeMillis();
        Thread.sleep(300);
        int during = handshakeStatus(server, "during-" + fault);
        long handshakeMs = System.currentTimeMillis() - t0 - 300;
        // queue churn keeps working: queue state is in Redis
        customer.request(new JsonObject().put("msgType", 400).put("unique", "q-" + fault).put("queueId", "sales"));
        customer.await(f -> is(f, 410));
        customer.request(new JsonObject().put("msgType", 420).put("unique", "l-" + fault));
        Thread.sleep(Math.max(0, WINDOW_MS - (System.currentTimeMillis() - t0)));
        if (fault.equals("paused")) {
          db.resume();
        } else {
          db.restart();
        }
        long back = System.currentTimeMillis();
        int after = chat.acked.size();
        while (chat.acked.size() == after && System.currentTimeMillis() - back < 30_000) {
          Thread.sleep(50);
        }
        long recoveryMs = System.currentTimeMillis() - back;
        System.out.printf("[hostile] MariaDB %s for %d ms: handshake during it %d in %d ms, %d sends UNAVAILABLE, "
          + "slowest answer %d ms, sends acked again %d ms after it came back%n", fault, WINDOW_MS, during, handshakeMs,
          chat.unavailable.get() - before, chat.slowestAnswerMs.get(), recoveryMs);
        assertThat(during).as("a handshake while MariaDB is %s", fault).isEqualTo(503);
        assertThat(chat.unavailable.get()).as("sends refused while MariaDB was %s", fault).isGreaterThan(before);
        assertThat(recoveryMs).as("recovery by itself").isLessThan(30_000);
        assertThat(handshakeStatus(server, "after-" + fault)).isEqualTo(101);
      }
      Thread.sleep(1000);
      chat.stop();
      Set<String> missing = chat.missing(Duration.ofSeconds(30));
      String health = healthy.stopAndCheck();
      healthy.close();
      System.out.printf("[hostile] MariaDB faults: %d acked, %d UNAVAILABLE, %d other, %d missing at the online receiver; "
        + "healthy: %s%n", chat.acked.size(), chat.unavailable.get(), chat.other.get(), missing.size(), health);
      assertThat(chat.slowestAnswerMs.get()).as("no send waited past the bus timeout + 1 s").isLessThan(BUS_TIMEOUT_MS + 1000);
      assertThat(chat.other.get()).as("answers other than 30 and UNAVAILABLE (or none)").isZero();
      assertThat(missing).as("acked messages never delivered to the online receiver").isEmpty();
    }
  }
}
