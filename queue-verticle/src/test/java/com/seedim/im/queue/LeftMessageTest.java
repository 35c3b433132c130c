package com.seedim.im.queue;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.store.DeskGrants;
import com.seedim.im.room.RoomVerticle;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static com.seedim.im.testkit.Cs.await;
import static com.seedim.im.testkit.Cs.error;
import static com.seedim.im.testkit.Cs.frame;
import static com.seedim.im.testkit.Cs.none;
import static com.seedim.im.testkit.Cs.ok;
import static com.seedim.im.testkit.Cs.openRoom;
import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md §14.4: 630 leave a message, 640 take one, and the chat the take permits, through the real gateway. */
@DisplayName("§14.4 left messages through the real gateway")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class LeftMessageTest {
  private static final Logger LOG = LoggerFactory.getLogger(LeftMessageTest.class);

  private static TestServer.Builder builder(Vertx vertx, boolean durable, JsonObject app) {
    return TestServer.builder().vertx(vertx).durable(durable).app(app).verticle(RoomVerticle::new).verticle(ChatVerticle::new);
  }

  /** Queue, room and chat services: 630/640 and the 130s the take permits. */
  private static TestServer server(Vertx vertx, boolean durable, JsonObject app) {
    return builder(vertx, durable, app).verticle(QueueVerticle::new).start();
  }

  private static JsonObject leave(String message) {
    return frame(630).put("message", message);
  }

  /** A 630 that must succeed: its 631. */
  private static JsonObject left(TestClient c, JsonObject f) {
    JsonObject reply = c.query(f, 631);
    assertThat(reply.getString("messageId")).matches("[1-9][0-9]*");
    return reply;
  }

  /** A 640 that must succeed: its 641. */
  private static JsonObject take(TestClient agent, JsonObject f) {
    JsonObject reply = agent.query(f, 641);
    assertThat(reply.getString("unique")).isEqualTo(f.getString("unique"));
    return reply;
  }

  private static JsonObject chat(String to, String text) {
    return frame(130).put("receiveUserId", to).put("message", text);
  }

  private static void position(JsonObject f, String queueId, int index, int total) {
    assertThat(f.getInteger("msgType")).isEqualTo(410);
    assertThat(f.getString("queueId")).isEqualTo(queueId);
    assertThat(f.getInteger("waitIndex")).as(f.encode()).isEqualTo(index);
    assertThat(f.getInteger("waitTotal")).as(f.encode()).isEqualTo(total);
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("a waiting customer leaves a message: it leaves the queue (the next waiter moves up), the agent takes it "
    + "and may then chat with the customer both ways without a chat sign; refused (132) before the take")
  void leaveTakeAndAnswer(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable, new JsonObject().put("leftMessageReplyDays", 2))) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient u1 = s.connect("u1");
      TestClient u2 = s.connect("u2");
      ok(u1, frame(400));
      position(await(u1, 410), "default", 1, 1);
      ok(u2, frame(400));
      position(await(u2, 410), "default", 2, 2);

      JsonObject lm = leave("Please call me back about order 1234");
      JsonObject reply = left(u1, lm);
      assertThat(reply.getString("queueId")).isEqualTo("default");
      assertThat(reply.getString("unique")).isEqualTo(lm.getString("unique"));
      position(await(u2, 410), "default", 1, 1);
      assertThat(u1.query(frame(430), 431).getInteger("waitIndex")).as("u1 no longer waits").isEqualTo(-1);

      JsonObject early = agent.request(chat("u1", "hello?"));
      assertThat(early.getInteger("msgType")).as("no permission before the take: %s", early.encode()).isEqualTo(132);

      long before = System.currentTimeMillis();
      JsonObject t = take(agent, frame(640).put("unique", "mt-1"));
      assertThat(t.getString("messageId")).isEqualTo(reply.getString("messageId"));
      assertThat(t.getString("queueId")).isEqualTo("default");
      assertThat(t.getString("userId")).isEqualTo("u1");
      assertThat(t.getString("message")).isEqualTo("Please call me back about order 1234");
      assertThat(t.getLong("createdAt")).isBetween(before - 60_000, before);
      error(agent, frame(640), "QUEUE_EMPTY");
      // the grant: record access (§14.5) for this agent only, for leftMessageReplyDays
      assertThat(DeskGrants.mayRead(s.infra().kv(), TestServer.APP_ID, "ag1", "u1").await()).isTrue();
      assertThat(DeskGrants.mayRead(s.infra().kv(), TestServer.APP_ID, "ag2", "u1").await()).isFalse();
      if (durable) {
        for (String key : List.of(DeskGrants.replyKey(TestServer.APP_ID, "ag1", "u1"), DeskGrants.replyKey(TestServer.APP_ID, "u1", "ag1"))) {
          long ttl = s.infra().redis().pttl(s.redisPrefix() + "kv:" + key).await().toLong();
          assertThat(ttl).as("ttl of %s", key).isBetween(TimeUnit.DAYS.toMillis(2) - 60_000, TimeUnit.DAYS.toMillis(2));
        }
      }

      ok(agent, chat("u1", "Hello, this is about your order"));
      JsonObject pushed = await(u1, 140);
      assertThat(pushed.getString("userId")).isEqualTo("ag1");
      assertThat(pushed.getString("message")).isEqualTo("Hello, this is about your order");
      ok(u1, chat("ag1", "thanks"));
      assertThat(await(agent, 140).getString("message")).isEqualTo("thanks");
      // the other waiter is still served the usual way
      assertThat(agent.query(frame(401), 402).getString("receiveUserId")).isEqualTo("u2");
    }
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("640 needs status available (away/offline: INVALID_STATE, nothing taken); agents and admins see the "
    + "count in 431 messagesWaiting (replies and pushes) and in 671, customers do not")
  void availabilityAndCounts(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient admin = s.connect("boss", null, "admin");
      TestClient u1 = s.connect("u1");
      TestClient u2 = s.connect("u2");
      assertThat(agent.query(frame(430), 431).getInteger("messagesWaiting")).isZero();
      left(u1, leave("one"));
      agent.await(f -> f.getInteger("msgType") == 431 && "default".equals(f.getString("queueId"))
        && f.getInteger("messagesWaiting", -1) == 1);
      left(u2, leave("two"));
      assertThat(agent.query(frame(430), 431).getInteger("messagesWaiting")).isEqualTo(2);
      assertThat(u1.query(frame(430), 431).containsKey("messagesWaiting")).as("not for customers").isFalse();
      JsonObject view = admin.query(frame(670), 671);
      JsonObject q = view.getJsonArray("queues").stream().map(o -> (JsonObject) o)
        .filter(o -> "default".equals(o.getString("queueId"))).findFirst().orElseThrow();
      assertThat(q.getInteger("messagesWaiting")).isEqualTo(2);

      ok(agent, frame(600).put("status", "away"));
      assertThat(error(agent, frame(640), "INVALID_STATE").getString("message")).contains("away");
      ok(agent, frame(600).put("status", "offline"));
      error(agent, frame(640), "INVALID_STATE");
      assertThat(admin.query(frame(430), 431).getInteger("messagesWaiting")).as("nothing taken").isEqualTo(2);
      ok(agent, frame(600).put("status", "available"));
      assertThat(take(agent, frame(640)).getString("userId")).isEqualTo("u1");
      agent.await(f -> f.getInteger("msgType") == 431 && "default".equals(f.getString("queueId"))
        && f.getInteger("messagesWaiting", -1) == 1);
    }
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("a customer who left a message and went offline gets the agent's answer when it connects again")
  void answerReachesOfflineCustomer(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient u3 = s.connect("u3");
      String messageId = left(u3, leave("no one there?")).getString("messageId");
      u3.close();
      JsonObject t = take(agent, frame(640));
      assertThat(t.getString("messageId")).isEqualTo(messageId);
      assertThat(t.getString("userId")).isEqualTo("u3");
      String answerId = agent.query(chat("u3", "We are back: how can we help?"), 30).getString("messageId");
      TestClient back = s.connect("u3");
      JsonObject replayed = back.await(f -> f.getInteger("msgType") == 140 && answerId.equals(f.getString("messageId")));
      assertThat(replayed.getString("userId")).isEqualTo("ag1");
      assertThat(replayed.getString("message")).isEqualTo("We are back: how can we help?");
    }
  }

  @Test
  @DisplayName("630 refusals: roles, message missing/empty/not a string/too long, unknown queue, in a room, too many "
    + "messages not taken; a refused customer keeps its place")
  void leaveRefusals(Vertx vertx) {
    JsonObject app = new JsonObject().put("dynamicQueues", false).put("maxLeftMessagesPerUser", 2)
      .put("queues", new JsonArray().add(new JsonObject().put("id", "default").put("agents", "all")));
    try (TestServer s = server(vertx, false, app)) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient admin = s.connect("boss", null, "admin");
      TestClient u1 = s.connect("u1");
      error(agent, leave("hi"), "FORBIDDEN");
      error(admin, leave("hi"), "FORBIDDEN");
      error(u1, frame(630), "MISSING_FIELD");
      error(u1, leave(""), "INVALID_FIELD");
      error(u1, frame(630).put("message", 42), "INVALID_FIELD");
      error(u1, leave("x".repeat(2001)), "TOO_LARGE");
      error(u1, leave("hi").put("queueId", "nope"), "NOT_FOUND");
      error(u1, leave("hi").put("queueId", "bad id!"), "INVALID_FIELD");
      error(agent, frame(640), "QUEUE_EMPTY"); // nothing was stored by any refusal

      // the limit counts characters: 2000 of them, even outside the BMP, are accepted
      String longest = "\uD83D\uDE00".repeat(2000);
      left(u1, leave(longest));
      ok(u1, frame(400));
      position(await(u1, 410), "default", 1, 1);
      left(u1, leave("second"));
      ok(u1, frame(400));
      position(await(u1, 410), "default", 1, 1);
      error(u1, leave("third"), "RATE_LIMITED");
      assertThat(u1.query(frame(430), 431).getInteger("waitIndex")).as("a refused 630 keeps the place").isEqualTo(1);
      JsonObject first = take(agent, frame(640));
      assertThat(first.getString("message")).isEqualTo(longest);
      assertThat(agent.query(frame(401), 402).getString("receiveUserId")).isEqualTo("u1");
      await(u1, 551);
      error(u1, leave("in a room"), "INVALID_STATE");
    }
  }

  @Test
  @DisplayName("once a message is taken the customer may leave another; an unknown queue is NOT_FOUND only without dynamic queues")
  void limitCountsMessagesNotTaken(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject().put("maxLeftMessagesPerUser", 1))) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient u1 = s.connect("u1");
      left(u1, leave("one"));
      error(u1, leave("two").put("queueId", "elsewhere"), "RATE_LIMITED");
      take(agent, frame(640));
      JsonObject again = left(u1, leave("two").put("queueId", "elsewhere"));
      assertThat(again.getString("queueId")).isEqualTo("elsewhere");
      // a dynamic queue with no waiter left: a 640 without queueId still finds its message
      JsonObject t = take(agent, frame(640));
      assertThat(t.getString("queueId")).isEqualTo("elsewhere");
      assertThat(t.getString("message")).isEqualTo("two");
    }
  }

  @Test
  @DisplayName("640 refusals and choice: customers FORBIDDEN, unknown queue NOT_FOUND, unserved queue FORBIDDEN, oldest "
    + "first of the queues served, QUEUE_EMPTY when none")
  void takeRefusalsAndOrder(Vertx vertx) {
    JsonObject app = new JsonObject().put("dynamicQueues", false)
      .put("queues", new JsonArray().add(new JsonObject().put("id", "vip").put("agents", new JsonArray().add("agV")))
        .add(new JsonObject().put("id", "default").put("agents", "all")));
    try (TestServer s = server(vertx, false, app)) {
      TestClient all = s.connect("agA", null, "agent");
      TestClient vip = s.connect("agV", null, "agent");
      TestClient u1 = s.connect("u1");
      TestClient u2 = s.connect("u2");
      TestClient u3 = s.connect("u3");
      error(u1, frame(640), "FORBIDDEN");
      error(all, frame(640).put("queueId", "nope"), "NOT_FOUND");
      error(all, frame(640).put("queueId", "vip"), "FORBIDDEN");
      error(all, frame(640), "QUEUE_EMPTY");
      String v1 = left(u1, leave("vip first").put("queueId", "vip")).getString("messageId");
      String d1 = left(u2, leave("default first")).getString("messageId");
      String d2 = left(u3, leave("default second").put("queueId", "default")).getString("messageId");
      error(all, frame(640).put("queueId", "vip"), "FORBIDDEN");
      assertThat(take(all, frame(640)).getString("messageId")).as("agA does not serve vip").isEqualTo(d1);
      assertThat(take(vip, frame(640)).getString("messageId")).as("oldest of vip and default").isEqualTo(v1);
      assertThat(take(vip, frame(640).put("queueId", "default")).getString("messageId")).isEqualTo(d2);
      error(vip, frame(640), "QUEUE_EMPTY");
      error(all, frame(640).put("queueId", "default"), "QUEUE_EMPTY");
      // the take grants chat with that customer only
      ok(vip, chat("u1", "about vip"));
      assertThat(vip.request(chat("u2", "not mine")).getInteger("msgType")).isEqualTo(132);
    }
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("630 and 640 repeated with the same unique: the same reply, nothing else stored or taken")
  void idempotentRepeats(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient u1 = s.connect("u1");
      TestClient u2 = s.connect("u2");
      JsonObject lm = leave("once").put("unique", "lm-1");
      JsonObject first = left(u1, lm.copy());
      JsonObject second = left(u1, lm.copy());
      assertThat(second.getString("messageId")).isEqualTo(first.getString("messageId"));
      String other = left(u2, leave("from u2")).getString("messageId");

      JsonObject mt = frame(640).put("unique", "mt-1");
      JsonObject t1 = take(agent, mt.copy());
      JsonObject t2 = take(agent, mt.copy());
      assertThat(t1.getString("messageId")).isEqualTo(first.getString("messageId"));
      assertThat(t2.copy().put("timestamp", 0)).isEqualTo(t1.copy().put("timestamp", 0));
      assertThat(take(agent, frame(640)).getString("messageId")).as("the repeat took nothing else").isEqualTo(other);
      error(agent, frame(640), "QUEUE_EMPTY");
    }
  }

  @Test
  @DisplayName("a left message survives a restart of the queue service: a new process on the same MariaDB takes it")
  void survivesRestart(Vertx vertx) {
    try (TestServer s = builder(vertx, true, new JsonObject()).start()) {
      String first = s.vertx().deployVerticle(new QueueVerticle(s.infra())).await();
      TestClient u1 = s.connect("u1");
      String messageId = left(u1, leave("still there after a restart?")).getString("messageId");
      s.vertx().undeploy(first).await();

      Infra restarted = Infra.create(s.vertx(), s.config()).await();
      String again = s.vertx().deployVerticle(new QueueVerticle(restarted)).await();
      try {
        TestClient agent = s.connect("ag1", null, "agent");
        JsonObject t = take(agent, frame(640));
        assertThat(t.getString("messageId")).isEqualTo(messageId);
        assertThat(t.getString("message")).isEqualTo("still there after a restart?");
        assertThat(t.getString("userId")).isEqualTo("u1");
      } finally {
        s.vertx().undeploy(again).await();
        restarted.close().await();
      }
    }
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("exactly once: agents taking concurrently (durable: through two queue services with their own MariaDB "
    + "and Redis clients) take every message once")
  void exactlyOnce(boolean durable, Vertx vertx) throws Exception {
    int customers = 60;
    int agents = 6;
    try (TestServer s = builder(vertx, durable, new JsonObject()).start()) {
      Infra second = durable ? Infra.create(s.vertx(), s.config()).await() : s.infra();
      s.vertx().deployVerticle(new QueueVerticle(s.infra())).await();
      String onSecond = s.vertx().deployVerticle(new QueueVerticle(second)).await();
      try {
        Set<String> left = new HashSet<>();
        List<TestClient> users = new ArrayList<>();
        for (int i = 0; i < customers; i++) {
          users.add(s.connect("c" + i));
        }
        for (TestClient u : users) {
          left.add(left(u, leave("message of " + u.userId).put("queueId", "q" + (u.userId.hashCode() & 1)))
            .getString("messageId"));
        }
        List<TestClient> takers = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
          takers.add(s.connect("ag" + i, null, "agent"));
        }
        Map<String, String> takenBy = new ConcurrentHashMap<>();
        AtomicInteger duplicates = new AtomicInteger();
        Map<String, String> endings = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(agents);
        List<Future<?>> runs = new ArrayList<>();
        for (TestClient a : takers) {
          runs.add(pool.submit(() -> {
            while (true) {
              JsonObject f = frame(640);
              JsonObject answer = a.request(f);
              if (answer.getInteger("msgType") == 10) {
                endings.put(a.userId, answer.getString("code"));
                return;
              }
              JsonObject t = a.await(x -> x.getInteger("msgType") == 641 && f.getValue("unique").equals(x.getValue("unique")));
              if (takenBy.putIfAbsent(t.getString("messageId"), a.userId) != null) {
                duplicates.incrementAndGet();
              }
            }
          }));
        }
        for (Future<?> f : runs) {
          f.get(90, TimeUnit.SECONDS);
        }
        pool.shutdown();
        LOG.info("exactly-once message take: {} messages, {} agents, durable {}: {} taken, {} duplicates, endings {}",
          customers, agents, durable, takenBy.size(), duplicates.get(), endings);
        assertThat(duplicates.get()).isZero();
        assertThat(takenBy.keySet()).isEqualTo(left);
        assertThat(endings.values()).containsOnly("QUEUE_EMPTY");
        assertThat(new HashSet<>(takenBy.values()).size()).as("more than one agent took messages").isGreaterThan(1);
      } finally {
        s.vertx().undeploy(onSecond).await();
        if (durable) {
          second.close().await();
        }
      }
    }
  }

  @Test
  @DisplayName("leaving and taking a message push nothing: the answers are replies to the sender only")
  void nothingPushed(Vertx vertx) {
    try (TestServer s = server(vertx, false, new JsonObject())) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient u1 = s.connect("u1");
      left(u1, leave("quiet"));
      none(agent, 641, Duration.ofMillis(300));
      none(u1, 641, Duration.ofMillis(1));
      take(agent, frame(640));
      none(u1, 641, Duration.ofMillis(300));
    }
  }
}
