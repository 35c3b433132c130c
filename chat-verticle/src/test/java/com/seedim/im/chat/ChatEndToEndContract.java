package com.seedim.im.chat;

import com.seedim.im.common.security.Signatures;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.Row;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PROTOCOL.md §5 end to end: the real gateway, real WebSocket clients, the chat verticle, on dev stores
 * or on MariaDB + Redis. One server per class; every test uses its own user names.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class ChatEndToEndContract {
  static final int RETRACT_SECONDS = 3;
  static final int MAX_CHARS = 200;
  private static final AtomicInteger TEST_SEQ = new AtomicInteger();
  private static final Duration QUIET = Duration.ofMillis(600);
  protected static TestServer server;

  /** As a node deploys chat on a 2-core machine: two instances on two event loops, one store, one sweeper. */
  static final int CHAT_INSTANCES = 2;

  protected static TestServer start(Vertx vertx, boolean durable) {
    return builder(vertx, durable).start();
  }

  /** The server every variant of this contract runs, before it starts (a variant may change its stores). */
  protected static TestServer.Builder builder(Vertx vertx, boolean durable) {
    return TestServer.builder().vertx(vertx).durable(durable).verticle(ChatVerticle::new, CHAT_INSTANCES)
      .app(app()).server(new JsonObject().put("maxMessageChars", MAX_CHARS));
  }

  /** Durable variants: every unread counter of {@code users} against the truth recomputed by SQL from chat_messages. */
  protected static void assertUnreadTruthBySql(List<String> users) {
    for (String owner : users) {
      for (Row r : server.infra().mysql().preparedQuery("SELECT c.peer, c.unread_count, (SELECT COUNT(*) FROM chat_messages m "
          + "WHERE m.app_id = c.app_id AND m.receiver = c.owner AND m.sender = c.peer AND m.message_id > c.read_message_id "
          + "AND m.retracted = 0) AS truth FROM chat_conversations c WHERE c.owner = ?").execute(Tuple.of(owner)).await()) {
        assertThat(r.getLong("unread_count")).as("unread of %s from %s", owner, r.getString("peer")).isEqualTo(r.getLong("truth"));
      }
    }
  }

  /** The app every variant of this contract runs. */
  static JsonObject app() {
    return new JsonObject().put("requireChatSign", true).put("sensitiveWords", new JsonArray().add("badword"))
      .put("framesPerSecond", 10_000) // the order test pipelines hundreds of 130s
      .put("presenceGraceSeconds", 1).put("retractSeconds", RETRACT_SECONDS);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** Recomputes every unread counter of {@code users} from the stored messages and compares. */
  protected abstract void assertUnreadTruth(List<String> users);

  private final String tag = "t" + TEST_SEQ.incrementAndGet() + "x" + Long.toString(System.nanoTime() % 100000, 36);

  String u(String name) {
    return name + "_" + tag;
  }

  static JsonObject msg(String to, String text) {
    return new JsonObject().put("msgType", 130).put("receiveUserId", to).put("message", text).mergeIn(TestServer.chatSign("", to));
  }

  @Test
  @DisplayName("two chat instances: pipelined 130s of one connection reach the receiver in send order, one sweeper runs")
  void instancesKeepConnectionOrder() {
    TestClient alice = server.connect(u("alice"));
    TestClient bob = server.connect(u("bob"));
    int n = 200; // under the 256 unacked pushes a receiver may hold
    for (int i = 0; i < n; i++) {
      alice.send(signed(alice, bob.userId, "m" + i).put("unique", "order-" + i));
    }
    List<String> received = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      received.add(bob.await(f -> f.getInteger("msgType") == 140 && f.getString("message").startsWith("m")).getString("message"));
    }
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sent.add("m" + i);
    }
    assertThat(received).containsExactlyElementsOf(sent);
    assertThat(server.infra().shared(ChatVerticle.SweeperClaim.class, ChatVerticle.SweeperClaim::new).claimed())
      .as("one of the %d instances runs the undelivered sweeper", CHAT_INSTANCES).isTrue();
  }

  static JsonObject signed(TestClient from, String to, String text) {
    return new JsonObject().put("msgType", 130).put("receiveUserId", to).put("message", text)
      .mergeIn(TestServer.chatSign(from.userId, to));
  }

  static JsonObject send(TestClient from, String to, String text) {
    JsonObject r = from.request(signed(from, to, text));
    assertThat(r.getInteger("msgType")).as("30 for %s", r.encode()).isEqualTo(30);
    return r;
  }

  static JsonObject awaitPush(TestClient c, int type, String messageId) {
    return c.await(f -> f.getInteger("msgType", 0) == type && messageId.equals(f.getString("messageId")));
  }

  static JsonObject error(TestClient c, JsonObject frame) {
    JsonObject r = c.request(frame);
    assertThat(r.getInteger("msgType")).as("error for %s", r.encode()).isEqualTo(10);
    return r;
  }

  @Test
  @DisplayName("130 → 30 with messageId/sendTime; 140 to the receiver and the sender's other device, not the sending socket; 141 → 131")
  void sendDeliverAck() {
    TestClient phone = server.connect(u("alice"), "phone");
    TestClient laptop = server.connect(u("alice"), "laptop");
    TestClient bob = server.connect(u("bob"), "phone");
    JsonObject ack = send(phone, bob.userId, "hello bob");
    String id = ack.getString("messageId");
    assertThat(id).matches("[1-9][0-9]*");
    assertThat(ack.getInteger("receiveMsgType")).isEqualTo(130);
    assertThat(ack.getLong("sendTime")).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(10_000L));
    JsonObject p = awaitPush(bob, 140, id);
    assertThat(p.getString("userId")).isEqualTo(phone.userId);
    assertThat(p.getString("receiveUserId")).isEqualTo(bob.userId);
    assertThat(p.getString("message")).isEqualTo("hello bob");
    assertThat(p.getString("contentType")).isEqualTo("text");
    assertThat(p.getLong("sendTime")).isEqualTo(ack.getLong("sendTime"));
    assertThat(p.getString("sendTimeDate")).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");
    awaitPush(laptop, 140, id);
    JsonObject d1 = awaitPush(phone, 131, id);
    assertThat(d1.getString("receiveUserId")).isEqualTo(bob.userId);
    awaitPush(laptop, 131, id);
    phone.assertNone(f -> f.getInteger("msgType") == 140, QUIET);
    long now = System.currentTimeMillis();
    for (TestClient c : List.of(phone, laptop, bob)) {
      assertThat(c.history()).as("every server frame carries the server's timestamp (§1)").isNotEmpty()
        .allSatisfy(f -> assertThat(f.getValue("timestamp")).isInstanceOf(Number.class)
          .satisfies(ts -> assertThat(((Number) ts).longValue()).isBetween(now - 60_000, now)));
    }
  }

  @Test
  @DisplayName("offline receiver: on connect 1170 heads (newest first), then the undelivered 140s oldest first")
  void offlineReplay() {
    TestClient alice = server.connect(u("alice"));
    TestClient carol = server.connect(u("carol"));
    String bob = u("bob");
    List<String> fromAlice = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      fromAlice.add(send(alice, bob, "a" + i).getString("messageId"));
    }
    String fromCarol = send(carol, bob, "c0").getString("messageId");
    TestClient b = server.connect(bob);
    List<JsonObject> got = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      got.add(b.await(f -> f.getInteger("msgType") == 1170 || f.getInteger("msgType") == 140));
    }
    assertThat(got).extracting(f -> f.getInteger("msgType")).containsExactly(1170, 1170, 140, 140, 140, 140);
    assertThat(got.get(0).getString("peerUserId")).isEqualTo(carol.userId);
    assertThat(got.get(0).getLong("unreadCount")).isEqualTo(1);
    assertThat(got.get(0).getString("messageId")).isEqualTo(fromCarol);
    assertThat(got.get(1).getString("peerUserId")).isEqualTo(alice.userId);
    assertThat(got.get(1).getLong("unreadCount")).isEqualTo(3);
    assertThat(got.get(1).getBoolean("retracted")).isFalse();
    assertThat(got.get(1).getString("peerReadMessageId")).isEqualTo("0");
    List<String> replayed = got.subList(2, 6).stream().map(f -> f.getString("messageId")).toList();
    List<String> expected = new ArrayList<>(fromAlice);
    expected.add(fromCarol);
    assertThat(replayed).containsExactlyElementsOf(expected);
    for (String id : fromAlice) {
      awaitPush(alice, 131, id); // every delivered mark committed (they are group-committed) before the next connect
    }
    awaitPush(carol, 131, fromCarol);
    b.close();
    // acked messages are not replayed again; the heads are
    TestClient again = server.connect(bob, "other");
    again.assertNone(f -> f.getInteger("msgType") == 140, QUIET);
    assertThat(again.history().stream().filter(f -> f.getInteger("msgType") == 1170).count()).isEqualTo(2);
  }

  @Test
  @DisplayName("headsSince limits the 1170 heads to conversations changed since")
  void headsSince() throws InterruptedException {
    TestClient alice = server.connect(u("alice"));
    send(alice, u("bob"), "old");
    Thread.sleep(20);
    long since = System.currentTimeMillis();
    Thread.sleep(20);
    send(alice, u("carol"), "new");
    TestClient c = server.connectRaw(TestServer.query(alice.userId, "tablet", null) + "&headsSince=" + since, alice.userId,
      "tablet", null).toCompletionStage().toCompletableFuture().join();
    JsonObject head = c.awaitType(1170);
    assertThat(head.getString("peerUserId")).isEqualTo(u("carol"));
    c.assertNone(f -> f.getInteger("msgType") == 1170, QUIET);
  }

  @Test
  @DisplayName("idempotent 130: the same unique and content returns the same messageId and stores one message")
  void idempotentResend() {
    TestClient alice = server.connect(u("alice"));
    TestClient bob = server.connect(u("bob"));
    JsonObject frame = signed(alice, bob.userId, "once").put("unique", "fixed-unique-1");
    JsonObject first = alice.request(frame.copy());
    JsonObject second = alice.request(frame.copy());
    assertThat(second.getString("messageId")).isEqualTo(first.getString("messageId"));
    assertThat(second.getLong("sendTime")).isEqualTo(first.getLong("sendTime"));
    awaitPush(bob, 140, first.getString("messageId"));
    bob.assertNone(f -> f.getInteger("msgType") == 140, QUIET);
    JsonObject page = alice.query(new JsonObject().put("msgType", 161).put("sender", bob.userId), 162);
    assertThat(page.getLong("total")).isEqualTo(1);
    JsonObject other = alice.request(signed(alice, bob.userId, "different").put("unique", "fixed-unique-1"));
    assertThat(other.getString("messageId")).isNotEqualTo(first.getString("messageId"));
  }

  @Test
  @DisplayName("chat sign: expired and forged → 132 echoing the 130, nothing stored; a valid sign is cached")
  void chatPermission() {
    TestClient alice = server.connect(u("alice"));
    String bob = u("bob");
    long old = System.currentTimeMillis() - 10 * 60_000;
    JsonObject expired = new JsonObject().put("msgType", 130).put("receiveUserId", bob).put("message", "hi").put("contentType", "text")
      .put("receiveSign", Signatures.chat(TestServer.SECRET, TestServer.APP_ID, alice.userId, bob, old))
      .put("timestamp", old).put("mark", new JsonObject().put("k", 1));
    JsonObject r = alice.request(expired);
    assertThat(r.getInteger("msgType")).isEqualTo(132);
    assertThat(r.getString("receiveUserId")).isEqualTo(bob);
    assertThat(r.getString("message")).isEqualTo("hi");
    assertThat(r.getString("contentType")).isEqualTo("text");
    assertThat(r.getJsonObject("mark")).isEqualTo(new JsonObject().put("k", 1));
    JsonObject forged = signed(alice, bob, "hi").put("receiveSign", TestServer.chatSign("mallory", bob).getString("receiveSign"));
    assertThat(alice.request(forged).getInteger("msgType")).isEqualTo(132);
    JsonObject unsigned = new JsonObject().put("msgType", 130).put("receiveUserId", bob).put("message", "hi");
    assertThat(alice.request(unsigned.copy()).getInteger("msgType")).isEqualTo(132);
    alice.assertNone(f -> f.getInteger("msgType") == 30, Duration.ofMillis(200));
    assertThat(alice.query(new JsonObject().put("msgType", 161).put("sender", bob), 162).getLong("total")).isZero();
    send(alice, bob, "signed");
    assertThat(alice.request(unsigned.copy()).getInteger("msgType")).as("permission cached").isEqualTo(30);
    assertThat(alice.request(new JsonObject().put("msgType", 130).put("receiveUserId", u("carol")).put("message", "x"))
      .getInteger("msgType")).as("only for that receiver").isEqualTo(132);
  }

  @Test
  @DisplayName("sensitive word (reject): 133 echoing the 130, no words revealed, nothing stored or pushed")
  void sensitiveReject() {
    TestClient alice = server.connect(u("alice"));
    TestClient bob = server.connect(u("bob"));
    JsonObject r = alice.request(signed(alice, bob.userId, "this is a ＢＡＤＷＯＲＤ!"));
    assertThat(r.getInteger("msgType")).isEqualTo(133);
    assertThat(r.getString("message")).isEqualTo("this is a ＢＡＤＷＯＲＤ!");
    assertThat(r.containsKey("words")).isFalse();
    bob.assertNone(f -> f.getInteger("msgType") == 140, QUIET);
    assertThat(alice.query(new JsonObject().put("msgType", 161).put("sender", bob.userId), 162).getLong("total")).isZero();
  }

  @Test
  @DisplayName("161 history: newest page first, oldest first within a page, hasMore, cursor, depth limit")
  void history() {
    TestClient alice = server.connect(u("alice"));
    TestClient bob = server.connect(u("bob"));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(send(i % 2 == 0 ? alice : bob, i % 2 == 0 ? bob.userId : alice.userId, "m" + i).getString("messageId"));
    }
    JsonObject p1 = alice.query(new JsonObject().put("msgType", 161).put("sender", bob.userId).put("pageSize", 10), 162);
    assertThat(p1.getLong("total")).isEqualTo(25);
    assertThat(p1.getInteger("pageIndex")).isEqualTo(1);
    assertThat(p1.getBoolean("hasMore")).isTrue();
    assertThat(p1.getJsonArray("messages").stream().map(o -> ((JsonObject) o).getString("messageId")).toList())
      .containsExactlyElementsOf(ids.subList(15, 25));
    JsonObject own = p1.getJsonArray("messages").getJsonObject(9);
    assertThat(own.getString("userId")).isEqualTo(alice.userId);
    assertThat(own.containsKey("delivered")).isTrue();
    assertThat(own.containsKey("read")).isTrue();
    JsonObject p3 = bob.query(new JsonObject().put("msgType", 161).put("sender", alice.userId).put("pageSize", "10").put("pageIndex", "3"), 162);
    assertThat(p3.getJsonArray("messages").stream().map(o -> ((JsonObject) o).getString("messageId")).toList())
      .containsExactlyElementsOf(ids.subList(0, 5));
    assertThat(p3.getBoolean("hasMore")).isFalse();
    JsonObject c = alice.query(new JsonObject().put("msgType", 161).put("sender", bob.userId).put("pageSize", 4)
      .put("pageIndex", 9).put("beforeMessageId", ids.get(10)), 162);
    assertThat(c.getInteger("pageIndex")).isZero();
    assertThat(c.getJsonArray("messages").stream().map(o -> ((JsonObject) o).getString("messageId")).toList())
      .containsExactlyElementsOf(ids.subList(6, 10));
    JsonObject deep = error(alice, new JsonObject().put("msgType", 161).put("sender", bob.userId).put("pageSize", 100).put("pageIndex", 101));
    assertThat(deep.getString("code")).isEqualTo("INVALID_FIELD");
    assertThat(error(alice, new JsonObject().put("msgType", 161)).getString("code")).isEqualTo("MISSING_FIELD");
  }

  @Test
  @DisplayName("190 retract: sender → 191 to all sender devices and 192 to the receiver; FORBIDDEN, NOT_FOUND, RETRACT_EXPIRED")
  void retract() throws InterruptedException {
    TestClient alice = server.connect(u("alice"), "phone");
    TestClient aliceTab = server.connect(u("alice"), "tab");
    TestClient bob = server.connect(u("bob"));
    TestClient carol = server.connect(u("carol"));
    String old = send(alice, bob.userId, "old one").getString("messageId");
    long sentAt = System.currentTimeMillis();
    String id = send(alice, bob.userId, "oops").getString("messageId");
    awaitPush(bob, 140, id);
    assertThat(error(bob, new JsonObject().put("msgType", 190).put("messageId", id).put("receiveUserId", alice.userId))
      .getString("code")).isEqualTo("FORBIDDEN");
    assertThat(error(carol, new JsonObject().put("msgType", 190).put("messageId", id)).getString("code")).isEqualTo("NOT_FOUND");
    assertThat(error(carol, new JsonObject().put("msgType", 190).put("messageId", "99")).getString("code")).isEqualTo("NOT_FOUND");
    JsonObject ok = alice.request(new JsonObject().put("msgType", 190).put("messageId", id).put("receiveUserId", bob.userId)
      .put("retractTime", 0));
    assertThat(ok.getInteger("msgType")).isEqualTo(30);
    JsonObject n191 = awaitPush(alice, 191, id);
    assertThat(n191.getString("receiveUserId")).isEqualTo(bob.userId);
    awaitPush(aliceTab, 191, id);
    JsonObject n192 = awaitPush(bob, 192, id);
    assertThat(n192.getString("userId")).isEqualTo(alice.userId);
    JsonObject page = bob.query(new JsonObject().put("msgType", 161).put("sender", alice.userId), 162);
    JsonObject item = page.getJsonArray("messages").getJsonObject(1);
    assertThat(item.getBoolean("retracted")).isTrue();
    assertThat(item.getString("message")).isEmpty();
    assertThat(bob.query(new JsonObject().put("msgType", 180), 180).getLong("total")).as("the old one only").isEqualTo(1);
    Thread.sleep(Math.max(0, sentAt + RETRACT_SECONDS * 1000L + 300 - System.currentTimeMillis()));
    assertThat(error(alice, new JsonObject().put("msgType", 190).put("messageId", old)).getString("code"))
      .isEqualTo("RETRACT_EXPIRED");
  }

  @Test
  @DisplayName("198 / 160 read: 199 to the peer's devices and the reader's other devices; unread drops")
  void readReceipts() {
    TestClient alice = server.connect(u("alice"));
    TestClient bobPhone = server.connect(u("bob"), "phone");
    TestClient bobPad = server.connect(u("bob"), "pad");
    String m1 = send(alice, bobPhone.userId, "1").getString("messageId");
    String m2 = send(alice, bobPhone.userId, "2").getString("messageId");
    String m3 = send(alice, bobPhone.userId, "3").getString("messageId");
    assertThat(bobPhone.query(new JsonObject().put("msgType", 180), 180).getLong("total")).isEqualTo(3);
    assertThat(bobPhone.request(new JsonObject().put("msgType", 198).put("messageId", m2).put("receiveUserId", alice.userId))
      .getInteger("msgType")).isEqualTo(30);
    JsonObject receipt = awaitPush(alice, 199, m2);
    assertThat(receipt.getString("userId")).isEqualTo(bobPhone.userId);
    assertThat(receipt.getString("receiveUserId")).isEqualTo(alice.userId);
    awaitPush(bobPad, 199, m2);
    bobPhone.assertNone(f -> f.getInteger("msgType") == 199, QUIET);
    assertThat(bobPhone.query(new JsonObject().put("msgType", 180), 180).getLong("total")).isEqualTo(1);
    bobPhone.request(new JsonObject().put("msgType", 198).put("messageId", m1).put("receiveUserId", alice.userId));
    alice.assertNone(f -> f.getInteger("msgType") == 199, QUIET);
    bobPad.request(new JsonObject().put("msgType", 160).put("receiveUserId", alice.userId));
    awaitPush(alice, 199, m3);
    awaitPush(bobPhone, 199, m3);
    assertThat(bobPad.query(new JsonObject().put("msgType", 180), 180).getLong("total")).isZero();
    JsonObject page = alice.query(new JsonObject().put("msgType", 161).put("sender", bobPhone.userId), 162);
    assertThat(page.getJsonArray("messages").stream().allMatch(o -> ((JsonObject) o).getBoolean("read"))).isTrue();
    assertThat(error(bobPhone, new JsonObject().put("msgType", 198).put("messageId", m1).put("receiveUserId", u("zed")))
      .getString("code")).isEqualTo("NOT_FOUND");
  }

  @Test
  @DisplayName("102 and 180 agree with the truth; 102 is oldest first and filters by peer")
  void unreadQueries() {
    TestClient carol = server.connect(u("carol"));
    TestClient dave = server.connect(u("dave"));
    TestClient bob = server.connect(u("bob"));
    String c1 = send(carol, bob.userId, "c1").getString("messageId");
    String d1 = send(dave, bob.userId, "d1").getString("messageId");
    String d2 = send(dave, bob.userId, "d2").getString("messageId");
    JsonObject all = bob.query(new JsonObject().put("msgType", 102), 102);
    assertThat(all.getLong("total")).isEqualTo(3);
    assertThat(all.getJsonArray("messages").stream().map(o -> ((JsonObject) o).getString("messageId")).toList())
      .containsExactly(c1, d1, d2);
    JsonObject fromDave = bob.query(new JsonObject().put("msgType", 102).put("receiveUserId", dave.userId), 102);
    assertThat(fromDave.getLong("total")).isEqualTo(2);
    JsonObject totals = bob.query(new JsonObject().put("msgType", 180), 180);
    assertThat(totals.getLong("total")).isEqualTo(3);
    assertThat(totals.getJsonObject("unreadCounts").getMap()).containsEntry(dave.userId, 2).containsEntry(carol.userId, 1);
    assertUnreadTruth(List.of(bob.userId, carol.userId, dave.userId));
  }

  @Test
  @DisplayName("101: online status; users sharing no conversation read false")
  void onlineStatus() {
    TestClient alice = server.connect(u("alice"));
    TestClient bob = server.connect(u("bob"));
    server.connect(u("stranger"));
    send(alice, bob.userId, "hi");
    JsonObject st = alice.query(new JsonObject().put("msgType", 101)
      .put("userIds", new JsonArray().add(bob.userId).add(u("stranger")).add(u("offline"))), 101).getJsonObject("statuses");
    assertThat(st.getMap()).containsEntry(bob.userId, true).containsEntry(u("stranger"), false).containsEntry(u("offline"), false);
    JsonObject one = alice.query(new JsonObject().put("msgType", 101).put("receiveUserId", bob.userId), 101);
    assertThat(one.getJsonObject("statuses").getBoolean(bob.userId)).isTrue();
  }

  @Test
  @DisplayName("200/210: first device → 200 to online contacts; last device gone → 210 after the grace; quick reconnect → nothing")
  void presenceNotices() throws InterruptedException {
    TestClient alice = server.connect(u("alice"));
    TestClient bob = server.connect(u("bob"));
    send(alice, bob.userId, "we are contacts");
    bob.close();
    JsonObject off = alice.await(f -> f.getInteger("msgType") == 210, Duration.ofSeconds(5));
    assertThat(off.getString("friendUserId")).isEqualTo(bob.userId);
    assertThat(off.getBoolean("isOnline")).isFalse();
    TestClient bob2 = server.connect(bob.userId);
    JsonObject on = alice.await(f -> f.getInteger("msgType") == 200, Duration.ofSeconds(5));
    assertThat(on.getString("friendUserId")).isEqualTo(bob.userId);
    assertThat(on.getBoolean("isOnline")).isTrue();
    bob2.close();
    TestClient bob3 = server.connect(bob.userId);
    alice.assertNone(f -> f.getInteger("msgType") == 200 || f.getInteger("msgType") == 210, Duration.ofMillis(1800));
    long before = System.currentTimeMillis();
    bob3.send(new JsonObject().put("msgType", 251).put("unique", "bye-" + before));
    alice.await(f -> f.getInteger("msgType") == 210, Duration.ofSeconds(5));
    assertThat(System.currentTimeMillis() - before).as("logout is immediate").isLessThan(900);
  }

  @Test
  @DisplayName("bad input gets one clear 10 and stores nothing")
  void badInput() {
    TestClient alice = server.connect(u("alice"));
    String bob = u("bob");
    assertThat(error(alice, new JsonObject().put("msgType", 130).put("message", "x")).getString("code")).isEqualTo("MISSING_FIELD");
    assertThat(error(alice, signed(alice, alice.userId, "me")).getString("code")).isEqualTo("INVALID_FIELD");
    assertThat(error(alice, signed(alice, "bad id!", "x")).getString("code")).isEqualTo("INVALID_FIELD");
    assertThat(error(alice, signed(alice, bob, "x".repeat(MAX_CHARS + 1))).getString("code")).isEqualTo("TOO_LARGE");
    assertThat(error(alice, signed(alice, bob, "x").put("contentType", "Bad Type")).getString("code")).isEqualTo("INVALID_FIELD");
    assertThat(error(alice, signed(alice, bob, "x").put("message", new JsonObject())).getString("code")).isEqualTo("INVALID_FIELD");
    assertThat(error(alice, signed(alice, bob, "x").putNull("message")).getString("code")).isEqualTo("MISSING_FIELD");
    assertThat(error(alice, new JsonObject().put("msgType", 198).put("messageId", "abc")).getString("code")).isEqualTo("INVALID_FIELD");
    assertThat(error(alice, new JsonObject().put("msgType", 190)).getString("code")).isEqualTo("MISSING_FIELD");
    JsonObject e = error(alice, new JsonObject().put("msgType", 101).put("userIds", "nope"));
    assertThat(e.getInteger("receiveMsgType")).isEqualTo(101);
    // exactly MAX_CHARS code points (astral characters count once) is accepted
    assertThat(alice.request(signed(alice, bob, "\uD83D\uDE00".repeat(MAX_CHARS))).getInteger("msgType")).isEqualTo(30);
    assertThat(alice.query(new JsonObject().put("msgType", 161).put("sender", bob), 162).getLong("total")).isEqualTo(1);
  }

  @Test
  @DisplayName("concurrent senders and readers: afterwards every unread count equals the truth from the messages")
  void concurrency() throws Exception {
    List<TestClient> clients = new ArrayList<>();
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      TestClient c = server.connect(u("p" + i));
      clients.add(c);
      users.add(c.userId);
    }
    ExecutorService pool = Executors.newFixedThreadPool(clients.size());
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (TestClient c : clients) {
        jobs.add(pool.submit(() -> {
          ThreadLocalRandom rnd = ThreadLocalRandom.current();
          for (int i = 0; i < 15; i++) {
            String peer = users.get(rnd.nextInt(users.size()));
            if (peer.equals(c.userId)) {
              continue;
            }
            if (rnd.nextInt(4) == 0) {
              c.request(new JsonObject().put("msgType", 160).put("receiveUserId", peer));
            } else {
              assertThat(c.request(signed(c, peer, "x" + i)).getInteger("msgType")).isEqualTo(30);
            }
          }
          return null;
        }));
      }
      for (Future<?> j : jobs) {
        j.get(40, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertUnreadTruth(users);
    for (TestClient c : clients) {
      JsonObject t = c.query(new JsonObject().put("msgType", 180), 180);
      JsonObject list = c.query(new JsonObject().put("msgType", 102), 102);
      assertThat(list.getLong("total")).isEqualTo(t.getLong("total"));
      assertThat(list.getJsonArray("messages").size()).isEqualTo(t.getLong("total").intValue());
    }
  }
}
