package com.seedim.im.events;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.common.events.Events;
import com.seedim.im.testkit.Http;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Webhooks (docs/webhooks.md): message events from the outbox to a real receiver, signed; retries, pause, replay")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class WebhookDeliveryTest {
  /** Fast settings: scan after 10 s, poll every 50 ms, pause after 3 failures for 2 s, backoff at most 1 s. */
  static JsonObject fastEvents() {
    return new JsonObject().put("events", new JsonObject().put("undeliveredAfterSeconds", 10).put("pollMs", 50)
      .put("leaseSeconds", 5).put("pauseAfterFailures", 3).put("pauseSeconds", 2).put("maxBackoffSeconds", 1)
      .put("replaySettleMs", 0));
  }

  static JsonObject hooks(WebhookReceiver r, JsonArray events) {
    JsonObject w = new JsonObject().put("endpoints", new JsonArray().add(new JsonObject().put("url", r.eventsUrl())));
    if (events != null) {
      w.put("events", events);
    }
    return new JsonObject().put("requireChatSign", false).put("webhooks", w);
  }

  static TestServer server(Vertx vertx, boolean durable, JsonObject app) {
    return TestServer.builder().vertx(vertx).durable(durable).app(app).server(fastEvents())
      .verticle(ChatVerticle::new).verticle(EventsVerticle::new).start();
  }

  static String send(TestClient from, String to, String text) {
    JsonObject r = from.request(new JsonObject().put("msgType", 130).put("receiveUserId", to).put("message", text));
    assertThat(r.getInteger("msgType")).as(r.encode()).isEqualTo(30);
    return r.getString("messageId");
  }

  static List<JsonObject> ofType(List<JsonObject> events, String type) {
    return events.stream().filter(e -> type.equals(e.getString("type"))).toList();
  }

  static boolean has(List<JsonObject> events, String type, String field, String value) {
    return events.stream().anyMatch(e -> type.equals(e.getString("type")) && value.equals(e.getJsonObject("data").getString(field)));
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {true, false})
  @DisplayName("created, read, retracted and presence events arrive signed and in id order; undelivered only for the offline receiver")
  void messageEvents(boolean durable, Vertx vertx) {
    try (WebhookReceiver receiver = new WebhookReceiver(vertx, TestServer.SECRET);
         TestServer s = server(vertx, durable, hooks(receiver, new JsonArray().add("message.created").add("message.undelivered")
           .add("message.read").add("message.retracted").add("presence.changed")))) {
      TestClient alice = s.connect("alice");
      TestClient bob = s.connect("bob");
      String m1 = send(alice, "bob", "hello bob");
      bob.await(f -> f.getInteger("msgType") == 140 && m1.equals(f.getString("messageId")));
      String m2 = send(alice, "carol", "carol is offline");
      String m3 = send(alice, "bob", "oops");
      bob.await(f -> f.getInteger("msgType") == 140 && m3.equals(f.getString("messageId")));
      assertThat(bob.request(new JsonObject().put("msgType", 198).put("messageId", m1).put("receiveUserId", "alice"))
        .getInteger("msgType")).isEqualTo(30);
      assertThat(alice.request(new JsonObject().put("msgType", 190).put("messageId", m3).put("receiveUserId", "bob"))
        .getInteger("msgType")).isEqualTo(30);

      List<JsonObject> got = receiver.await(list -> has(list, "message.undelivered", "messageId", m2)
        && has(list, "message.retracted", "messageId", m3) && has(list, "message.read", "readMessageId", m1)
        && ofType(list, "message.created").size() >= 3 && has(list, "presence.changed", "userId", "bob"), Duration.ofSeconds(30));

      JsonObject created = ofType(got, "message.created").get(0);
      assertThat(created.getString("appId")).isEqualTo(TestServer.APP_ID);
      assertThat(created.getString("id")).matches("[0-9]+");
      assertThat(created.getLong("createdAt")).isPositive();
      assertThat(created.getJsonObject("data").getMap()).containsEntry("messageId", m1).containsEntry("userId", "alice")
        .containsEntry("receiveUserId", "bob").containsEntry("message", "hello bob").containsEntry("contentType", "text")
        .containsKeys("sendTime", "deviceId", "unique");
      JsonObject read = ofType(got, "message.read").get(0).getJsonObject("data");
      assertThat(read.getMap()).containsEntry("userId", "bob").containsEntry("peerId", "alice").containsEntry("readMessageId", m1);
      JsonObject undelivered = ofType(got, "message.undelivered").get(0).getJsonObject("data");
      assertThat(undelivered.getString("receiveUserId")).isEqualTo("carol");
      assertThat(undelivered.getLong("undeliveredForMs")).isGreaterThanOrEqualTo(10_000);
      assertThat(has(got, "presence.changed", "userId", "alice")).isTrue();

      // bob acked m1 and m3 in time: the scan passed them (m2 is newer than m1) without an event
      assertThat(ofType(got, "message.undelivered")).extracting(e -> e.getJsonObject("data").getString("messageId"))
        .containsExactly(m2);
      List<WebhookReceiver.Received> posts = receiver.received();
      assertThat(posts).allSatisfy(p -> {
        assertThat(p.signatureValid()).as("signed with the app secret: %s", p.body()).isTrue();
        assertThat(p.appId()).isEqualTo(TestServer.APP_ID);
        assertThat(p.attempt()).isEqualTo("1");
      });
      assertThat(posts.stream().map(WebhookReceiver.Received::nonce).distinct().count()).isEqualTo(posts.size());
      List<Long> ids = got.stream().map(e -> Long.parseLong(e.getString("id"))).toList();
      assertThat(ids).as("one endpoint gets its events in id order").isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  @DisplayName("an app without webhooks records nothing; an endpoint's filter keeps other types out")
  void filters(Vertx vertx) {
    try (WebhookReceiver receiver = new WebhookReceiver(vertx, TestServer.SECRET);
         TestServer s = TestServer.builder().vertx(vertx).durable(true).app(new JsonObject().put("requireChatSign", false)
             .put("webhooks", new JsonObject().put("endpoints", new JsonArray().add(new JsonObject().put("url", receiver.eventsUrl())
               .put("events", new JsonArray().add("message.retracted"))))))
           .server(fastEvents()).verticle(ChatVerticle::new).verticle(EventsVerticle::new).start()) {
      TestClient alice = s.connect("alice");
      s.connect("bob");
      String m = send(alice, "bob", "x");
      alice.request(new JsonObject().put("msgType", 190).put("messageId", m).put("receiveUserId", "bob"));
      List<JsonObject> got = receiver.await(list -> has(list, "message.retracted", "messageId", m), Duration.ofSeconds(10));
      assertThat(got).extracting(e -> e.getString("type")).containsOnly("message.retracted");
      // recorded all the same (replayable), only not sent to this endpoint
      List<JsonObject> all = Events.store(s.infra()).replay(TestServer.APP_ID, 0, Long.MAX_VALUE, null, 100).await();
      assertThat(all).extracting(e -> e.getString("type")).contains("message.created", "message.retracted");
    }
    try (TestServer s = TestServer.builder().vertx(vertx).durable(true).app(new JsonObject().put("requireChatSign", false))
      .verticle(ChatVerticle::new).verticle(EventsVerticle::new).start()) {
      TestClient alice = s.connect("alice");
      send(alice, "bob", "not recorded");
      assertThat(Events.store(s.infra()).replay(TestServer.APP_ID, 0, Long.MAX_VALUE, null, 100).await()).isEmpty();
    }
  }

  @Test
  @DisplayName("a failing receiver: retried with backoff, paused after 3 failures, then the same events (same ids) once it is back; nothing lost")
  void failingReceiver(Vertx vertx) throws Exception {
    long downMs = Long.getLong("seedim.webhooks.downSeconds", 6) * 1000;
    try (WebhookReceiver receiver = new WebhookReceiver(vertx, TestServer.SECRET);
         TestServer s = server(vertx, true, hooks(receiver, null))) {
      TestClient alice = s.connect("alice");
      s.connect("bob");
      receiver.status(503);
      String first = send(alice, "bob", "m0");
      // 3 failed attempts (1 s backoff), then a 2 s pause with no attempt
      long t0 = System.currentTimeMillis();
      while (receiver.failedAnswers() < 3 && System.currentTimeMillis() - t0 < 10_000) {
        Thread.sleep(20);
      }
      assertThat(receiver.failedAnswers()).isEqualTo(3);
      int atPause = receiver.received().size();
      Thread.sleep(1500);
      assertThat(receiver.received()).as("paused: no attempt").hasSize(atPause);
      JsonObject state = worker(s);
      assertThat(state.getInteger("failures")).isGreaterThanOrEqualTo(3);
      assertThat(state.getLong("pausedUntil")).isPositive();
      assertThat(state.getString("lastError")).contains("503");
      List<String> attempts = receiver.received().stream().map(WebhookReceiver.Received::attempt).toList();
      assertThat(attempts).startsWith("1", "2", "3");

      // then the receiver is down (connection refused) for a while, and messages keep coming
      receiver.down();
      List<String> sent = new ArrayList<>(List.of(first));
      long end = System.currentTimeMillis() + downMs;
      int i = 1;
      while (System.currentTimeMillis() < end) {
        sent.add(send(alice, "bob", "m" + i++));
        Thread.sleep(100);
      }
      receiver.status(200).up();
      List<JsonObject> got = receiver.await(list -> {
        Set<String> ids = new HashSet<>();
        list.forEach(e -> ids.add(e.getJsonObject("data").getString("messageId")));
        return ids.containsAll(sent);
      }, Duration.ofSeconds(30));
      Map<String, JsonObject> byId = new HashMap<>();
      for (JsonObject e : got) {
        JsonObject before = byId.putIfAbsent(e.getString("id"), e);
        assertThat(before == null || before.equals(e)).as("a repeated id is the same event").isTrue();
      }
      assertThat(ofType(got, "message.created")).hasSizeGreaterThanOrEqualTo(sent.size());
      long deadline = System.currentTimeMillis() + 5000;
      while (worker(s).getInteger("failures") != 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(worker(s).getInteger("failures")).as("recovered").isZero();
      assertThat(worker(s).getLong("pausedUntil")).isZero();
    }
  }

  private static JsonObject worker(TestServer s) {
    return Events.store(s.infra()).workers().await().stream()
      .filter(w -> w.getString("name").equals(EndpointWorker.leaseName(TestServer.APP_ID, "default"))).findFirst().orElseThrow();
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {true, false})
  @DisplayName("GET /api/v1/events replays in id order by pages, filters by type, and refuses a malformed cursor")
  void replay(boolean durable, Vertx vertx) {
    try (WebhookReceiver receiver = new WebhookReceiver(vertx, TestServer.SECRET);
         TestServer s = server(vertx, durable, hooks(receiver, null))) {
      TestClient alice = s.connect("alice");
      s.connect("bob");
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        sent.add(send(alice, "bob", "r" + i));
      }
      alice.request(new JsonObject().put("msgType", 190).put("messageId", sent.get(0)).put("receiveUserId", "bob"));
      List<JsonObject> all = new ArrayList<>();
      String after = "0";
      for (int page = 0; page < 10; page++) {
        Http.Response r = Http.api(s.port(), "GET", "/api/v1/events?after=" + after + "&limit=2", "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonObject body = r.json();
        body.getJsonArray("events").forEach(o -> all.add((JsonObject) o));
        after = body.getString("next");
        if (!body.getBoolean("hasMore")) {
          break;
        }
        assertThat(body.getJsonArray("events")).hasSize(2);
      }
      assertThat(ofType(all, "message.created")).extracting(e -> e.getJsonObject("data").getString("messageId"))
        .containsExactlyElementsOf(sent);
      assertThat(all.stream().map(e -> Long.parseLong(e.getString("id"))).toList()).isSorted().doesNotHaveDuplicates();
      Http.Response only = Http.api(s.port(), "GET", "/api/v1/events?types=message.retracted", "");
      assertThat(only.json().getJsonArray("events")).hasSize(1);
      assertThat(only.json().getJsonArray("events").getJsonObject(0).getString("type")).isEqualTo("message.retracted");
      Http.Response none = Http.api(s.port(), "GET", "/api/v1/events?after=" + after, "");
      assertThat(none.json().getJsonArray("events")).isEmpty();
      assertThat(none.json().getString("next")).isEqualTo(after);
      for (String bad : List.of("after=abc", "after=-1", "limit=0", "limit=501", "types=message.nope")) {
        Http.Response r = Http.api(s.port(), "GET", "/api/v1/events?" + bad, "");
        assertThat(r.status()).as(bad + ": " + r.body()).isEqualTo(400);
        assertThat(r.json().getString("code")).isEqualTo("INVALID_FIELD");
      }
    }
  }
}
