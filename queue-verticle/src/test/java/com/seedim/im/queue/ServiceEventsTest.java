package com.seedim.im.queue;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.events.Events;
import com.seedim.im.common.infra.Metrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.sqlclient.Tuple;
import com.seedim.im.room.RoomVerticle;
import com.seedim.im.signaling.SignalingVerticle;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static com.seedim.im.testkit.Cs.await;
import static com.seedim.im.testkit.Cs.frame;
import static com.seedim.im.testkit.Cs.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The customer-service webhook events (issue 17, docs/webhooks.md) of a real flow over WebSocket clients: queue,
 * take, calls, transfers to an agent and to a queue, hangup, a max-wait timeout, a queue grace, agent availability;
 * read back from the outbox the way the replay API reads it, on memory (dev) and on MariaDB + Redis.
 */
@DisplayName("issue 17: customer-service events in the outbox")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class ServiceEventsTest {
  private static final String APP = TestServer.APP_ID;
  private static final Duration SETTLE = Duration.ofSeconds(15);

  /** The chat service is there for the outbox's tables (its migrations create them). */
  private static TestServer server(Vertx vertx, boolean durable, JsonObject app) {
    return TestServer.builder().vertx(vertx).durable(durable).app(app).verticle(ChatVerticle::new)
      .verticle(QueueVerticle::new).verticle(RoomVerticle::new).verticle(SignalingVerticle::new).start();
  }

  private static JsonObject app(boolean webhooks) {
    JsonObject app = new JsonObject().put("queueGraceSeconds", 1).put("queues", new JsonArray()
      .add(new JsonObject().put("id", "default").put("agents", "all"))
      .add(new JsonObject().put("id", "vip").put("agents", "all").put("maxWaitSeconds", 1)));
    return webhooks ? app.put("webhooks", new JsonObject()) : app;
  }

  private static List<JsonObject> events(TestServer s) {
    return Events.store(s.infra()).replay(APP, 0, Long.MAX_VALUE, null, 1000).await();
  }

  private static long count(List<JsonObject> events, String type) {
    return events.stream().filter(e -> type.equals(e.getString("type"))).count();
  }

  /** Polls the outbox until {@code done} holds (records are written after the frames are answered). */
  private static List<JsonObject> eventsWhen(TestServer s, Predicate<List<JsonObject>> done) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    List<JsonObject> all = events(s);
    while (!done.test(all) && System.nanoTime() < deadline) {
      s.vertx().timer(50).await();
      all = events(s);
    }
    return all;
  }

  /** The index of the first event after {@code from} of that type whose data matches. */
  private static int find(List<JsonObject> events, int from, String type, Predicate<JsonObject> data) {
    for (int i = from + 1; i < events.size(); i++) {
      JsonObject e = events.get(i);
      if (type.equals(e.getString("type")) && data.test(e.getJsonObject("data"))) {
        return i;
      }
    }
    throw new AssertionError("no " + type + " after index " + from + " matching in " + types(events));
  }

  private static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("type") + e.getJsonObject("data").encode()).toList();
  }

  private static Predicate<JsonObject> is(String key, Object value) {
    return d -> value.equals(d.getValue(key));
  }

  private static JsonObject offer() {
    return new JsonObject().put("type", "offer").put("sdp", "v=0 offer");
  }

  private static JsonObject answer() {
    return new JsonObject().put("type", "answer").put("sdp", "v=0 answer");
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("an app with \"webhooks\": {} records every customer-service event, with its data, in the order of the changes")
  void flow(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable, app(true))) {
      TestClient ag1 = s.connect("ag1", null, "agent");
      TestClient ag2 = s.connect("ag2", null, "agent");
      TestClient u1 = s.connect("u1");

      // agent.status: twice for a change, not for the same status again
      ok(ag2, frame(600).put("status", "away"));
      ok(ag2, frame(600).put("status", "away"));
      ok(ag2, frame(600).put("status", "available"));

      // queue.entered, then a take: queue.left taken, room.created
      ok(u1, frame(400));
      await(u1, 410);
      ok(ag1, frame(401));
      String room1 = await(ag1, 402).getString("roomId");
      await(u1, 551);

      // an answered call, ended by a transfer to ag2: call.started, call.answered, call.ended, room.transferred
      String call1 = ok(ag1, frame(300).put("message", offer())).getString("callId");
      await(u1, 301);
      ok(u1, frame(310).put("callId", call1).put("message", answer()));
      await(ag1, 311);
      ok(ag1, frame(610).put("toUserId", "ag2"));
      await(u1, 611);
      await(ag2, 611);

      // back to a queue: room.transferred {toQueueId}, room.closed transferred, queue.entered
      ok(ag2, frame(610).put("queueId", "default"));
      u1.await(f -> f.getInteger("msgType") == 560 && room1.equals(f.getString("roomId")));
      u1.await(f -> f.getInteger("msgType") == 410);

      // taken again; a rejected call, then an answered one the agent hangs up (the room closes with it)
      ok(ag2, frame(401));
      String room2 = ag2.await(f -> f.getInteger("msgType") == 402).getString("roomId");
      u1.await(f -> f.getInteger("msgType") == 551 && room2.equals(f.getString("roomId")));
      String call2 = ok(u1, frame(300).put("message", offer())).getString("callId");
      await(ag2, 301);
      ok(ag2, frame(320).put("callId", call2));
      u1.await(f -> f.getInteger("msgType") == 321 && call2.equals(f.getString("callId")));
      String call3 = ok(ag2, frame(300).put("message", offer())).getString("callId");
      u1.await(f -> f.getInteger("msgType") == 301 && call3.equals(f.getString("callId")));
      ok(u1, frame(310).put("callId", call3).put("message", answer()));
      await(ag2, 311);
      ok(ag2, frame(330).put("callId", call3));
      u1.await(f -> f.getInteger("msgType") == 560 && room2.equals(f.getString("roomId")));

      // queue.left moved (400 into another queue), then left (420)
      TestClient u4 = s.connect("u4");
      ok(u4, frame(400).put("queueId", "sales"));
      await(u4, 410);
      ok(u4, frame(400).put("queueId", "default"));
      ok(u4, frame(420));

      // a max wait (620: queue.timed_out) and a grace that runs out (queue.left grace), at the same time
      TestClient u2 = s.connect("u2");
      ok(u2, frame(400).put("queueId", "vip"));
      TestClient u3 = s.connect("u3");
      ok(u3, frame(400));
      await(u3, 410);
      u3.close();
      await(u2, 620, Duration.ofSeconds(10));

      List<JsonObject> all = eventsWhen(s, e -> count(e, "room.closed") >= 2 && count(e, "call.ended") >= 3
        && count(e, "queue.timed_out") >= 1 && e.stream().anyMatch(x -> "queue.left".equals(x.getString("type"))
          && "grace".equals(x.getJsonObject("data").getString("reason"))));

      // every type of the customer service, and nothing else
      Set<String> seen = new TreeSet<>();
      all.forEach(e -> seen.add(e.getString("type")));
      assertThat(seen).containsExactlyInAnyOrder("agent.status", "queue.entered", "queue.left", "queue.timed_out",
        "room.created", "room.transferred", "room.closed", "call.started", "call.answered", "call.ended");
      // envelopes in id order
      long last = 0;
      for (JsonObject e : all) {
        assertThat(e.getString("appId")).isEqualTo(APP);
        long id = Long.parseLong(e.getString("id"));
        assertThat(id).isGreaterThan(last);
        last = id;
        assertThat(e.getLong("createdAt")).isPositive();
      }
      // exactly once each (a second close or end of the same record reports nothing)
      assertThat(count(all, "agent.status")).isEqualTo(2);
      assertThat(count(all, "room.created")).isEqualTo(2);
      assertThat(count(all, "room.transferred")).isEqualTo(2);
      assertThat(count(all, "room.closed")).isEqualTo(2);
      assertThat(count(all, "call.started")).isEqualTo(3);
      assertThat(count(all, "call.answered")).isEqualTo(2);
      assertThat(count(all, "call.ended")).isEqualTo(3);
      assertThat(count(all, "queue.timed_out")).isEqualTo(1);

      // u1's story, in this order
      List<Integer> at = new ArrayList<>();
      int i = find(all, -1, "agent.status", is("status", "away"));
      JsonObject d = all.get(i).getJsonObject("data");
      assertThat(d.fieldNames()).containsExactlyInAnyOrder("userId", "status", "previous");
      assertThat(d.getString("userId")).isEqualTo("ag2");
      assertThat(d.getString("previous")).isEqualTo("available");
      at.add(i);
      i = find(all, i, "agent.status", is("status", "available"));
      assertThat(all.get(i).getJsonObject("data").getString("previous")).isEqualTo("away");
      at.add(i);

      i = find(all, i, "queue.entered", is("userId", "u1"));
      d = all.get(i).getJsonObject("data");
      assertThat(d).isEqualTo(new JsonObject().put("queueId", "default").put("userId", "u1").put("position", 1));
      at.add(i);

      i = find(all, i, "queue.left", is("userId", "u1"));
      d = all.get(i).getJsonObject("data");
      assertThat(d.fieldNames()).containsExactlyInAnyOrder("queueId", "userId", "reason", "waitedMs", "agentId", "roomId");
      assertThat(d.getString("reason")).isEqualTo("taken");
      assertThat(d.getString("queueId")).isEqualTo("default");
      assertThat(d.getString("agentId")).isEqualTo("ag1");
      assertThat(d.getString("roomId")).isEqualTo(room1);
      assertThat(d.getLong("waitedMs")).isBetween(0L, 10_000L);
      at.add(i);

      i = find(all, i, "room.created", is("roomId", room1));
      d = all.get(i).getJsonObject("data");
      assertThat(d.fieldNames()).containsExactlyInAnyOrder("roomId", "queueId", "customerId", "agentId", "waitedMs");
      assertThat(d.getString("queueId")).isEqualTo("default");
      assertThat(d.getString("customerId")).isEqualTo("u1");
      assertThat(d.getString("agentId")).isEqualTo("ag1");
      assertThat(d.getLong("waitedMs")).isBetween(0L, 10_000L);
      at.add(i);

      i = find(all, i, "call.started", is("callId", call1));
      assertThat(all.get(i).getJsonObject("data")).isEqualTo(new JsonObject().put("roomId", room1).put("callId", call1)
        .put("callerId", "ag1").put("calleeId", "u1"));
      at.add(i);

      i = find(all, i, "call.answered", is("callId", call1));
      d = all.get(i).getJsonObject("data");
      assertThat(d.fieldNames()).containsExactlyInAnyOrder("roomId", "callId", "callerId", "calleeId", "ringMs");
      assertThat(d.getString("roomId")).isEqualTo(room1);
      assertThat(d.getString("callerId")).isEqualTo("ag1");
      assertThat(d.getString("calleeId")).isEqualTo("u1");
      assertThat(d.getLong("ringMs")).isBetween(0L, 10_000L);
      at.add(i);

      i = find(all, i, "call.ended", is("callId", call1));
      d = all.get(i).getJsonObject("data");
      assertThat(d.fieldNames()).containsExactlyInAnyOrder("roomId", "callId", "callerId", "calleeId", "outcome", "reason",
        "durationMs");
      assertThat(d.getString("roomId")).isEqualTo(room1);
      assertThat(d.getString("outcome")).isEqualTo("completed");
      assertThat(d.getString("reason")).isEqualTo("transferred");
      assertThat(d.getLong("durationMs")).isBetween(0L, 10_000L);
      at.add(i);

      i = find(all, i, "room.transferred", is("toAgentId", "ag2"));
      assertThat(all.get(i).getJsonObject("data")).isEqualTo(new JsonObject().put("roomId", room1).put("fromAgentId", "ag1")
        .put("toAgentId", "ag2").put("byUserId", "ag1"));
      at.add(i);

      i = find(all, i, "room.transferred", is("toQueueId", "default"));
      assertThat(all.get(i).getJsonObject("data")).isEqualTo(new JsonObject().put("roomId", room1).put("fromAgentId", "ag2")
        .put("toQueueId", "default").put("byUserId", "ag2"));
      at.add(i);

      i = find(all, i, "room.closed", is("roomId", room1));
      d = all.get(i).getJsonObject("data");
      assertThat(d.fieldNames()).containsExactlyInAnyOrder("roomId", "queueId", "customerId", "agentId", "reason",
        "waitedMs", "handledMs");
      assertThat(d.getString("queueId")).isEqualTo("default");
      assertThat(d.getString("customerId")).isEqualTo("u1");
      assertThat(d.getString("agentId")).as("the last agent").isEqualTo("ag2");
      assertThat(d.getString("reason")).isEqualTo("transferred");
      assertThat(d.getLong("waitedMs")).isBetween(0L, 10_000L);
      assertThat(d.getLong("handledMs")).isBetween(0L, 30_000L);
      at.add(i);

      i = find(all, i, "queue.entered", is("userId", "u1"));
      assertThat(all.get(i).getJsonObject("data")).isEqualTo(new JsonObject().put("queueId", "default").put("userId", "u1")
        .put("position", 1));
      at.add(i);

      i = find(all, i, "queue.left", is("userId", "u1").and(is("reason", "taken")).and(is("agentId", "ag2")));
      assertThat(all.get(i).getJsonObject("data").getString("roomId")).isEqualTo(room2);
      at.add(i);
      i = find(all, i, "room.created", is("roomId", room2).and(is("agentId", "ag2")));
      at.add(i);

      i = find(all, i, "call.started", is("callId", call2).and(is("callerId", "u1")).and(is("calleeId", "ag2")));
      at.add(i);
      i = find(all, i, "call.ended", is("callId", call2));
      assertThat(all.get(i).getJsonObject("data")).isEqualTo(new JsonObject().put("callId", call2).put("reason", "rejected")
        .put("roomId", room2).put("callerId", "u1").put("calleeId", "ag2").put("outcome", "rejected").put("durationMs", 0));
      at.add(i);
      i = find(all, i, "call.started", is("callId", call3).and(is("callerId", "ag2")));
      at.add(i);
      i = find(all, i, "call.answered", is("callId", call3));
      at.add(i);
      i = find(all, i, "call.ended", is("callId", call3).and(is("outcome", "completed")).and(is("reason", "hangup")));
      at.add(i);
      i = find(all, i, "room.closed", is("roomId", room2).and(is("reason", "hangup")).and(is("agentId", "ag2")));
      at.add(i);
      assertThat(at).isSorted();

      // u4: entered sales, moved to default, left
      i = find(all, -1, "queue.entered", is("userId", "u4").and(is("queueId", "sales")));
      i = find(all, i, "queue.left", is("userId", "u4").and(is("queueId", "sales")).and(is("reason", "moved")));
      assertThat(all.get(i).getJsonObject("data").fieldNames()).containsExactlyInAnyOrder("queueId", "userId", "reason",
        "waitedMs");
      i = find(all, i, "queue.entered", is("userId", "u4").and(is("queueId", "default")));
      find(all, i, "queue.left", is("userId", "u4").and(is("queueId", "default")).and(is("reason", "left")));

      // u2: the max wait of vip
      i = find(all, -1, "queue.entered", is("userId", "u2").and(is("queueId", "vip")));
      i = find(all, i, "queue.timed_out", is("userId", "u2"));
      d = all.get(i).getJsonObject("data");
      assertThat(d.fieldNames()).containsExactlyInAnyOrder("queueId", "userId", "waitedMs");
      assertThat(d.getString("queueId")).isEqualTo("vip");
      assertThat(d.getLong("waitedMs")).isBetween(1000L, 15_000L);

      // u3: gone beyond the queue grace
      i = find(all, -1, "queue.entered", is("userId", "u3"));
      i = find(all, i, "queue.left", is("userId", "u3").and(is("reason", "grace")));
      assertThat(all.get(i).getJsonObject("data").getLong("waitedMs")).isBetween(1000L, 15_000L);
      assertThat(all).filteredOn(e -> "queue.left".equals(e.getString("type"))
        && "u3".equals(e.getJsonObject("data").getString("userId"))).hasSize(1);

      // the records themselves are as before: the grace counts as an abandoned wait, like the max wait
      JsonObject stats = s.vertx().eventBus().<JsonObject>request(Addresses.QUEUE_API_STATS,
        new JsonObject().put("appId", APP).put("queueId", "default")).await().body();
      assertThat(stats.getLong("served")).isEqualTo(2);
      assertThat(stats.getLong("abandoned")).as(stats.encode()).isEqualTo(2); // u4 left, u3's grace
    }
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("an app without webhooks records nothing (the records are written as before)")
  void noWebhooks(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable, app(false))) {
      TestClient ag1 = s.connect("ag1", null, "agent");
      TestClient u1 = s.connect("u1");
      ok(ag1, frame(600).put("status", "away"));
      ok(ag1, frame(600).put("status", "available"));
      ok(u1, frame(400));
      await(u1, 410);
      ok(ag1, frame(401));
      String roomId = await(ag1, 402).getString("roomId");
      String callId = ok(ag1, frame(300).put("message", offer())).getString("callId");
      await(u1, 301);
      ok(u1, frame(310).put("callId", callId).put("message", answer()));
      await(ag1, 311);
      ok(u1, frame(330).put("callId", callId));
      u1.await(f -> f.getInteger("msgType") == 560 && roomId.equals(f.getString("roomId")));
      TestClient u2 = s.connect("u2");
      ok(u2, frame(400).put("queueId", "vip"));
      await(u2, 620, Duration.ofSeconds(10));

      // once the room's record shows it closed, every record of the flow was written
      long deadline = System.nanoTime() + SETTLE.toNanos();
      JsonObject closed = closedRooms(s);
      while (closed.getLong("total") < 1 && System.nanoTime() < deadline) {
        vertx.timer(50).await();
        closed = closedRooms(s);
      }
      assertThat(closed.getLong("total")).isEqualTo(1);
      assertThat(closed.getJsonArray("rooms").getJsonObject(0).getString("reason")).isEqualTo("hangup");
      vertx.timer(300).await();
      assertThat(events(s)).isEmpty();
    }
  }

  private static double failures(String type) {
    Counter c = Metrics.registry().find("im_events_record_failures").tag("type", type).counter();
    return c == null ? 0 : c.count();
  }

  private static long rows(TestServer s, String sql, Object... args) {
    return s.infra().mysql().preparedQuery(sql).execute(Tuple.from(args)).await().iterator().next().getLong(0);
  }

  @Test
  @DisplayName("MariaDB: a record and its event are written in one transaction — the event cannot be written, neither is the record")
  void oneTransaction(Vertx vertx) {
    try (TestServer s = server(vertx, true, app(true))) {
      TestClient ag1 = s.connect("ag1", null, "agent");
      TestClient u1 = s.connect("u1");
      ok(u1, frame(400));
      await(u1, 410);
      eventsWhen(s, e -> count(e, "queue.entered") == 1);
      assertThat(rows(s, "SELECT COUNT(*) FROM cs_queue_entry WHERE user_id = ? AND ended_at IS NULL", "u1")).isEqualTo(1);

      // the outbox is gone: the take's records (the wait's end, the room) fail with their events
      s.infra().mysql().query("RENAME TABLE event_log TO event_log_off").execute().await();
      double left = failures("queue.left");
      double created = failures("room.created");
      ok(ag1, frame(401));
      String roomId = await(ag1, 402).getString("roomId");
      long deadline = System.nanoTime() + SETTLE.toNanos();
      while ((failures("queue.left") <= left || failures("room.created") <= created) && System.nanoTime() < deadline) {
        vertx.timer(50).await();
      }
      s.infra().mysql().query("RENAME TABLE event_log_off TO event_log").execute().await();
      assertThat(failures("queue.left")).isEqualTo(left + 1);
      assertThat(failures("room.created")).isEqualTo(created + 1);
      assertThat(rows(s, "SELECT COUNT(*) FROM cs_room WHERE room_id = ?", Long.parseLong(roomId))).as("no room record")
        .isZero();
      assertThat(rows(s, "SELECT COUNT(*) FROM cs_queue_entry WHERE user_id = ? AND ended_at IS NULL", "u1"))
        .as("the wait's record not ended").isEqualTo(1);

      // the outbox is back: records and events again (the room without a record closes without an event)
      ok(u1, frame(420));
      u1.await(f -> f.getInteger("msgType") == 560 && roomId.equals(f.getString("roomId")));
      TestClient u2 = s.connect("u2");
      ok(u2, frame(400));
      List<JsonObject> all = eventsWhen(s, e -> e.stream().anyMatch(x -> "u2".equals(x.getJsonObject("data").getString("userId"))));
      assertThat(all).extracting(e -> e.getString("type")).containsExactly("queue.entered", "queue.entered");
      assertThat(rows(s, "SELECT COUNT(*) FROM cs_queue_entry WHERE user_id = ?", "u2")).isEqualTo(1);
      assertThat(rows(s, "SELECT COUNT(*) FROM cs_room")).isZero();
    }
  }

  private static JsonObject closedRooms(TestServer s) {
    return s.vertx().eventBus().<JsonObject>request(Addresses.ROOM_API_LIST,
      new JsonObject().put("appId", APP).put("state", "closed")).await().body();
  }
}
