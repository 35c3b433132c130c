package com.seedim.im.room;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.msg.TeardownReason;
import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.msg.TeardownRequest;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.store.DeskGrants;
import com.seedim.im.cs.CustomerService;
import com.seedim.im.cs.Rooms;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.ServiceRecords;
import com.seedim.im.testkit.Http;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static com.seedim.im.testkit.Cs.error;
import static com.seedim.im.testkit.Cs.frame;
import static com.seedim.im.testkit.Cs.ok;
import static com.seedim.im.testkit.Cs.sleep;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§14.5 a customer's records: 650 rooms, 652 transcripts, GET /api/v1/rooms/{roomId}/transcript")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class CustomerRecordsTest {
  private static final String APP = TestServer.APP_ID;
  /** Message ids are time-ordered by the millisecond: a pause keeps a message out of a neighbouring room's window. */
  private static final long TICK_MS = 5;

  static TestServer server(Vertx vertx, boolean durable) {
    return TestServer.builder().vertx(vertx).durable(durable).app(new JsonObject().put("htmlEscapeContent", true))
      .verticle(RoomVerticle::new).verticle(ChatVerticle::new).start();
  }

  private static ServiceRecords records(TestServer s) {
    return CustomerService.of(s.infra()).records();
  }

  /** A query answered by its reply: the 30, then the reply with the same unique. */
  private static JsonObject query(TestClient c, JsonObject f, int replyType) {
    return c.query(f, replyType);
  }

  /** Asks again until the (asynchronously written) records satisfy {@code done}. */
  private static JsonObject until(TestClient c, JsonObject f, int replyType, Predicate<JsonObject> done) {
    JsonObject last = null;
    for (int i = 0; i < 50; i++) {
      last = query(c, f.copy(), replyType);
      if (done.test(last)) {
        return last;
      }
      sleep(100);
    }
    throw new AssertionError("records never satisfied the condition: " + last);
  }

  private static String send(TestClient from, String to, String text, boolean signed) {
    JsonObject f = frame(130).put("receiveUserId", to).put("message", text);
    if (signed) {
      f.mergeIn(TestServer.chatSign(from.userId, to));
    }
    String id = ok(from, f).getString("messageId");
    sleep(TICK_MS);
    return id;
  }

  private static List<String> texts(JsonObject transcript) {
    List<String> out = new ArrayList<>();
    transcript.getJsonArray("messages").forEach(o -> out.add(((JsonObject) o).getString("message")));
    return out;
  }

  private static void close(TestServer s, String roomId) {
    RequestContext system = new RequestContext(APP, "", "", RequestContext.ROLE_ADMIN, null, null);
    s.vertx().eventBus().request(Addresses.ROOM_TEARDOWN, new TeardownRequest(system, APP, roomId, TeardownReason.LEFT, "cu1"))
      .await();
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("a room transferred and given back: 651 names the last agent, 653 every agent in order and exactly the room's messages, the HTTP transcript")
  void roomsAndTranscript(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable)) {
      TestClient ag1 = s.connect("ag1", null, "agent");
      TestClient ag2 = s.connect("ag2", null, "agent");
      TestClient cu1 = s.connect("cu1");
      TestClient admin = s.connect("boss", null, "admin");
      send(cu1, "ag1", "before the room", true);
      String roomId = Rooms.open(s.infra(), APP, "ag1", "cu1");
      sleep(TICK_MS);
      send(cu1, "ag1", "my order <b>late</b>", false);
      send(ag1, "cu1", "let me check", false);

      JsonObject open = until(ag1, frame(650).put("userId", "cu1"), 651, r -> r.getJsonArray("rooms").size() == 1);
      assertThat(open.getString("userId")).isEqualTo("cu1");
      JsonObject item = open.getJsonArray("rooms").getJsonObject(0);
      assertThat(item.getString("roomId")).isEqualTo(roomId);
      assertThat(item.getString("agentId")).isEqualTo("ag1");
      assertThat(item.getString("queueId")).isEqualTo("default");
      assertThat(item.getValue("closedAt")).isNull();
      assertThat(item.getValue("reason")).isNull();

      // the lead's transfer (§14.2) records the new agent; ag2 then talks to the customer
      records(s).roomTransferred(APP, roomId, "ag1", "ag2", "ag1", System.currentTimeMillis());
      send(ag2, "cu1", "ag2 here", true);
      // ... and gives it back: ag1 serves the room again (and is listed again)
      records(s).roomTransferred(APP, roomId, "ag2", "ag1", "ag2", System.currentTimeMillis());
      close(s, roomId);
      sleep(TICK_MS);
      send(cu1, "ag1", "after the room", true);

      JsonObject closed = until(admin, frame(650).put("userId", "cu1"), 651,
        r -> r.getJsonArray("rooms").getJsonObject(0).getValue("closedAt") != null
          && "ag1".equals(r.getJsonArray("rooms").getJsonObject(0).getString("agentId")));
      assertThat(closed.getJsonArray("rooms").getJsonObject(0).getString("reason")).isEqualTo("left");

      JsonObject t = until(cu1, frame(652).put("roomId", roomId), 653, r -> r.getJsonArray("agents").size() == 3);
      assertThat(t.getString("roomId")).isEqualTo(roomId);
      assertThat(t.getString("customer")).isEqualTo("cu1");
      assertThat(t.getJsonArray("agents")).containsExactly("ag1", "ag2", "ag1");
      assertThat(t.getLong("closedAt")).isGreaterThanOrEqualTo(t.getLong("createdAt"));
      assertThat(texts(t)).containsExactly("my order &lt;b&gt;late&lt;/b&gt;", "let me check", "ag2 here");
      JsonObject first = t.getJsonArray("messages").getJsonObject(0);
      assertThat(first.getString("userId")).isEqualTo("cu1");
      assertThat(first.getString("receiveUserId")).isEqualTo("ag1");
      assertThat(first.getBoolean("retracted")).isFalse();
      assertThat(first.containsKey("delivered")).isFalse();
      // every member the room had reads it: both agents (neither serves cu1 any more)
      assertThat(texts(query(ag1, frame(652).put("roomId", roomId), 653))).hasSize(3);
      assertThat(texts(query(ag2, frame(652).put("roomId", roomId), 653))).hasSize(3);

      Http.Response r = Http.api(s.port(), "GET", "/api/v1/rooms/" + roomId + "/transcript", null);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonObject expected = t.copy();
      expected.remove("msgType");
      expected.remove("unique");
      expected.remove("timestamp");
      assertThat(r.json()).isEqualTo(expected);
      Http.Response unknown = Http.api(s.port(), "GET", "/api/v1/rooms/12345/transcript", null);
      assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
      assertThat(unknown.json().getString("code")).isEqualTo("NOT_FOUND");
    }
  }

  @Test
  @DisplayName("who may read: admins, the agent now serving the customer, an agent with a left-message grant; others FORBIDDEN")
  void whoMayRead(Vertx vertx) {
    try (TestServer s = server(vertx, false)) {
      TestClient ag1 = s.connect("ag1", null, "agent");
      TestClient ag3 = s.connect("ag3", null, "agent");
      TestClient ag4 = s.connect("ag4", null, "agent");
      TestClient cu1 = s.connect("cu1");
      TestClient cu2 = s.connect("cu2");
      String first = Rooms.open(s.infra(), APP, "ag1", "cu1");
      send(cu1, "ag1", "first room", false);
      close(s, first);
      sleep(TICK_MS);
      String second = Rooms.open(s.infra(), APP, "ag4", "cu1");

      // the agent serving cu1 now reads every room of cu1, newest first; pageSize limits
      JsonObject both = query(ag4, frame(650).put("userId", "cu1"), 651);
      assertThat(both.getJsonArray("rooms").stream().map(o -> ((JsonObject) o).getString("roomId")))
        .containsExactly(second, first);
      assertThat(query(ag4, frame(650).put("userId", "cu1").put("pageSize", 1), 651).getJsonArray("rooms")).hasSize(1);
      assertThat(texts(query(ag4, frame(652).put("roomId", first), 653))).containsExactly("first room");

      // ag1 served cu1 once, but no longer: the room list is refused, its own room's transcript is not
      error(ag1, frame(650).put("userId", "cu1"), "FORBIDDEN");
      assertThat(texts(query(ag1, frame(652).put("roomId", first), 653))).containsExactly("first room");
      error(ag1, frame(652).put("roomId", second), "FORBIDDEN");
      // an agent who never served cu1
      error(ag3, frame(650).put("userId", "cu1"), "FORBIDDEN");
      error(ag3, frame(652).put("roomId", first), "FORBIDDEN");
      // customers: never the room list, even their own; their own rooms' transcripts, not another customer's
      error(cu1, frame(650).put("userId", "cu1"), "FORBIDDEN");
      assertThat(query(cu1, frame(652).put("roomId", first), 653).getString("customer")).isEqualTo("cu1");
      error(cu2, frame(652).put("roomId", first), "FORBIDDEN");
      // a left-message take (§14.4) grants ag3 the records of cu1
      DeskGrants.grant(s.infra().kv(), APP, "ag3", "cu1", 60_000).await();
      assertThat(query(ag3, frame(650).put("userId", "cu1"), 651).getJsonArray("rooms")).hasSize(2);
      assertThat(texts(query(ag3, frame(652).put("roomId", first), 653))).containsExactly("first room");
      // admins read everything
      TestClient admin = s.connect("boss", null, "admin");
      assertThat(query(admin, frame(650).put("userId", "cu1"), 651).getJsonArray("rooms")).hasSize(2);
      assertThat(query(admin, frame(652).put("roomId", second), 653).getJsonArray("messages")).isEmpty();
      // a customer with no rooms: an empty list for an admin
      assertThat(query(admin, frame(650).put("userId", "nobody"), 651).getJsonArray("rooms")).isEqualTo(new JsonArray());
    }
  }

  @Test
  @DisplayName("a room whose record is not written yet (records lag the take) is listed and read from the open rooms")
  void openRoomBeforeItsRecord(Vertx vertx) {
    try (TestServer s = server(vertx, false)) {
      TestClient ag1 = s.connect("ag1", null, "agent");
      TestClient cu1 = s.connect("cu1");
      CustomerService cs = CustomerService.of(s.infra());
      AppConfig app = s.config().apps().require(APP);
      long now = System.currentTimeMillis();
      cs.queues().enter(APP, AppConfig.DEFAULT_QUEUE, "cu1", app.maxQueueLength(), now).await();
      String roomId = Long.toString(s.infra().ids().next());
      QueueStore.Take take = cs.queues().take(APP, "ag1", app.maxRoomsPerAgent(),
        List.of(new QueueStore.Waiter(AppConfig.DEFAULT_QUEUE, "cu1", now)),
        QueueStore.RoomSpec.of(APP, roomId, "ag1", AppConfig.DEFAULT_QUEUE, now, now + 600_000)).await();
      assertThat(take.outcome()).isEqualTo(QueueStore.TakeOutcome.TAKEN);
      assertThat(records(s).room(APP, roomId).await()).as("no record yet").isNull();
      send(cu1, "ag1", "right after the take", false);

      JsonObject item = query(ag1, frame(650).put("userId", "cu1"), 651).getJsonArray("rooms").getJsonObject(0);
      assertThat(item.getString("roomId")).isEqualTo(roomId);
      assertThat(item.getString("agentId")).isEqualTo("ag1");
      assertThat(item.getValue("closedAt")).isNull();
      JsonObject t = query(cu1, frame(652).put("roomId", roomId), 653);
      assertThat(t.getJsonArray("agents")).containsExactly("ag1");
      assertThat(texts(t)).containsExactly("right after the take");
    }
  }

  @Test
  @DisplayName("bad input: missing or malformed fields, pageSize beyond 1–50, unknown rooms; nothing is answered but the error")
  void refusals(Vertx vertx) {
    try (TestServer s = server(vertx, false)) {
      TestClient admin = s.connect("boss", null, "admin");
      error(admin, frame(650), "MISSING_FIELD");
      error(admin, frame(650).put("userId", "a b"), "INVALID_FIELD");
      error(admin, frame(650).put("userId", "cu1").put("pageSize", 0), "INVALID_FIELD");
      error(admin, frame(650).put("userId", "cu1").put("pageSize", 51), "INVALID_FIELD");
      error(admin, frame(650).put("userId", "cu1").put("pageSize", "many"), "INVALID_FIELD");
      assertThat(query(admin, frame(650).put("userId", "cu1").put("pageSize", 50), 651).getJsonArray("rooms")).isEmpty();
      error(admin, frame(652), "MISSING_FIELD");
      error(admin, frame(652).put("roomId", "12345"), "NOT_FOUND");
      error(admin, frame(652).put("roomId", "not-a-room"), "NOT_FOUND");
      TestClient cu = s.connect("cu1");
      error(cu, frame(652).put("roomId", "12345"), "NOT_FOUND");
      // the socket still serves queries after the refusals
      assertThat(query(admin, frame(650).put("userId", "cu1"), 651).getString("userId")).isEqualTo("cu1");
    }
  }
}
