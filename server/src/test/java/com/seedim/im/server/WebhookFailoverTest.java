package com.seedim.im.server;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.hooks.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Webhook delivery across real node processes ({@code seedim --roles events}) sharing one MariaDB: the node delivering
 * is killed (-9) in the middle of a batch, and later restarted; nothing recorded is lost and repeats carry the same
 * event id (docs/webhooks.md, "Guarantees").
 */
@DisplayName("webhooks: the delivering node killed mid-batch, and restarted")
@Timeout(value = 150, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class WebhookFailoverTest {
  /** A batch's answer is late by this much, so the kill lands while it is in flight. */
  static final long ANSWER_DELAY_MS = 2500;

  @Test
  void killedMidBatchThenRestarted(Vertx vertx, @TempDir Path dir) throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(vertx, TestServer.SECRET).delay(ANSWER_DELAY_MS)) {
      JsonObject app = new JsonObject().put("requireChatSign", false).put("webhooks", new JsonObject()
        .put("events", new JsonArray().add("message.created"))
        .put("endpoints", new JsonArray().add(new JsonObject().put("url", receiver.eventsUrl()).put("timeoutMs", 3000)
          .put("maxBatch", 8))));
      JsonObject events = new JsonObject().put("pollMs", 50).put("leaseSeconds", 5).put("maxBackoffSeconds", 1);
      // the chat node, in this JVM, without the events role
      try (TestServer s = TestServer.builder().vertx(vertx).durable(true).app(app).server(new JsonObject().put("events", events))
        .verticle(ChatVerticle::new).start()) {
        TestClient alice = s.connect("alice");
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          sent.add(send(alice, "m" + i));
        }
        Path cfg = LauncherTest.write(dir, new JsonObject().put("mode", "prod").put("host", "127.0.0.1").put("port", 0)
          .put("managementPort", 0).put("events", events)
          .put("mysql", new JsonObject().put("host", TestServer.MYSQL_HOST).put("port", 3306).put("user", "root")
            .put("password", "").put("database", s.database()))
          .put("redis", new JsonObject().put("connectionString", TestServer.REDIS_URI).put("prefix", s.redisPrefix()))
          .put("apps", new JsonArray().add(new JsonObject().put("appId", TestServer.APP_ID).put("secret", TestServer.SECRET)
            .mergeIn(app))));

        LauncherTest.Launch a = LauncherTest.Launch.start(dir, "--config", cfg.toString(), "--roles", "events");
        try {
          long t0 = System.currentTimeMillis();
          while (receiver.arrived() == 0 && System.currentTimeMillis() - t0 < 60_000) {
            Thread.sleep(10);
          }
          assertThat(receiver.arrived()).as("node A posted its first batch; its log: %s", a.stdout()).isPositive();
        } finally {
          a.kill(); // -9 while the batch's answer is still on its way
        }
        receiver.delay(0);
        for (int i = 20; i < 30; i++) {
          sent.add(send(alice, "m" + i));
        }
        LauncherTest.Launch b = LauncherTest.Launch.start(dir, "--config", cfg.toString(), "--roles", "events");
        try {
          awaitAll(receiver, sent);
          List<JsonObject> got = receiver.acceptedEvents();
          Map<String, Integer> copies = new HashMap<>();
          got.forEach(e -> copies.merge(e.getString("id"), 1, Integer::sum));
          assertThat(copies.values()).as("the batch in flight when A died came again from B").contains(2);
          sameIdSameEvent(got);
        } finally {
          b.process().destroy(); // a clean stop gives the lease up
          b.process().waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(b.stdout()).contains("shutting down");

        // nothing delivers while no events node runs; the next one takes over at once and catches up
        for (int i = 30; i < 40; i++) {
          sent.add(send(alice, "m" + i));
        }
        LauncherTest.Launch c = LauncherTest.Launch.start(dir, "--config", cfg.toString(), "--roles", "events");
        try {
          awaitAll(receiver, sent);
          sameIdSameEvent(receiver.acceptedEvents());
        } finally {
          c.kill();
        }
      }
    }
  }

  private static String send(TestClient c, String text) {
    JsonObject r = c.request(new JsonObject().put("msgType", 130).put("receiveUserId", "bob").put("message", text));
    assertThat(r.getInteger("msgType")).as(r.encode()).isEqualTo(30);
    return r.getString("messageId");
  }

  private static void awaitAll(WebhookReceiver receiver, List<String> messageIds) {
    receiver.await(list -> {
      Set<String> ids = new HashSet<>();
      list.forEach(e -> ids.add(e.getJsonObject("data").getString("messageId")));
      return ids.containsAll(messageIds);
    }, Duration.ofSeconds(60));
  }

  /** Duplicates only ever repeat an event: the same id always carries the same event. */
  private static void sameIdSameEvent(List<JsonObject> got) {
    Map<String, JsonObject> byId = new HashMap<>();
    for (JsonObject e : got) {
      JsonObject first = byId.putIfAbsent(e.getString("id"), e);
      assertThat(first == null || first.equals(e)).as("id %s repeated with other content", e.getString("id")).isTrue();
    }
    Set<String> messages = new HashSet<>();
    byId.values().forEach(e -> assertThat(messages.add(e.getJsonObject("data").getString("messageId")))
      .as("one event per message").isTrue());
  }
}
