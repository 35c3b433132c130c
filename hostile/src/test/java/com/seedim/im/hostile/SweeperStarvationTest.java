package com.seedim.im.hostile;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Audit M7: the undelivered sweeper read the 500 oldest undelivered messages of its window, all apps together, so
 * ordinary traffic to offline users (which stays undelivered) hid a newer message whose push to an online receiver
 * was lost. Now it pages through the whole window. Real MariaDB and Redis; the sweep runs every second here.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SweeperStarvationTest {
  @Test
  @DisplayName("M7: 600 older messages to offline users do not keep the sweeper from re-pushing to an online receiver")
  void sweeperReachesOnlineReceiverPastOfflineBacklog(Vertx vertx) throws Exception {
    try (TestServer server = TestServer.builder().vertx(vertx).durable(true)
      .app(new JsonObject().put("requireChatSign", false).put("framesPerSecond", 2000).put("framesBurst", 2000))
      .server(new JsonObject().put("chat", new JsonObject().put("sweepPeriodMs", 1000).put("sweepMinAgeMs", 1500)))
      .verticle(ChatVerticle::new)
      .start()) {
      TestClient spammer = server.connect("spammer");
      for (int i = 0; i < 600; i++) {
        spammer.send(new JsonObject().put("msgType", 130).put("unique", "s" + i).put("receiveUserId", "offline" + (i % 7))
          .put("message", "backlog " + i));
      }
      for (int i = 0; i < 600; i++) {
        spammer.await(f -> f.getInteger("msgType", 0) == 30, Duration.ofSeconds(30));
      }
      TestClient bob = server.connect("bob").autoAck(false); // online, but its first 140 is "lost": never acked
      TestClient alice = server.connect("alice");
      JsonObject sent = alice.request(new JsonObject().put("msgType", 130).put("unique", "m1").put("receiveUserId", "bob")
        .put("message", "hello"));
      String id = String.valueOf(sent.getValue("messageId"));
      JsonObject first = bob.await(f -> f.getInteger("msgType", 0) == 140 && id.equals(String.valueOf(f.getValue("messageId"))));
      long t0 = System.currentTimeMillis();
      // the sweeper's re-push is a new push (a fresh unique); the gateway's own resends (5 s, 15 s) repeat the first one's
      JsonObject again = bob.await(f -> f.getInteger("msgType", 0) == 140 && id.equals(String.valueOf(f.getValue("messageId")))
        && !first.getString("unique").equals(f.getString("unique")), Duration.ofSeconds(20));
      System.out.printf("[hostile] sweeper: re-pushed to the online receiver %d ms after its first push, past 600 offline rows%n",
        System.currentTimeMillis() - t0);
      assertThat(again.getString("message")).isEqualTo("hello");
    }
  }
}
