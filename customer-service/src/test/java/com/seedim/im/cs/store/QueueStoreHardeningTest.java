package com.seedim.im.cs.store;

import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.redis.RedisRoomStore;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Audit M8 (room id collision), M9 (dynamic queues) and L6 (template placeholders) on the real Redis. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class QueueStoreHardeningTest {
  private static final String APP = "app1";
  private static Vertx vertx;
  private static Redis redis;
  private static RedisAPI api;
  private static String prefix;

  @BeforeAll
  static void setUp(Vertx v) {
    vertx = v;
    redis = Redis.createClient(vertx, TestServer.REDIS_URI);
    api = RedisAPI.api(redis);
    prefix = "imt:hard:" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  @AfterAll
  static void tearDown() {
    String script = "local c = 0 local cur = '0' repeat local r = redis.call('SCAN', cur, 'MATCH', ARGV[1], 'COUNT', 1000) "
      + "cur = r[1] for _, k in ipairs(r[2]) do redis.call('DEL', k) c = c + 1 end until cur == '0' return c";
    api.eval(List.of(script, "0", prefix + "*")).await();
    redis.close();
  }

  private static String p() {
    return prefix + UUID.randomUUID().toString().substring(0, 6) + ":";
  }

  private static QueueStore.RoomSpec spec(String roomId, String agent, String queue) {
    String tpl = RoomState.create(roomId, agent, QueueStore.CUSTOMER_PLACEHOLDER, queue, 1000L).encode();
    return new QueueStore.RoomSpec(roomId, tpl, 1000L, Timer.idle(APP, roomId).encode(), 5000L);
  }

  @Test
  @DisplayName("M8: a take whose room id already exists is a conflict and overwrites nothing")
  void takeRefusesAnExistingRoomId() {
    String pre = p();
    RoomStore rooms = new RedisRoomStore(api, pre);
    QueueStore q = rooms.queues();
    q.enter(APP, "a", "c1", 100, 10).await();
    q.enter(APP, "a", "c2", 100, 11).await();
    QueueStore.Take first = q.take(APP, "agent1", 1, List.of(new QueueStore.Waiter("a", "c1", 10)), spec("777", "agent1", "a")).await();
    assertThat(first.outcome()).isEqualTo(QueueStore.TakeOutcome.TAKEN);
    // a second node with the same id node number issues the same room id
    QueueStore.Take dup = q.take(APP, "agent2", 1, List.of(new QueueStore.Waiter("a", "c2", 11)), spec("777", "agent2", "a")).await();
    assertThat(dup.outcome()).isEqualTo(QueueStore.TakeOutcome.CONFLICT);
    JsonObject room = rooms.get(APP, "777").await();
    assertThat(room.getString(RoomState.CREATOR)).isEqualTo("agent1");
    assertThat(room.getString(RoomState.CUSTOMER)).isEqualTo("c1");
    assertThat(q.position(APP, "c2").await()).as("c2 still waits").isNotNull();
    assertThat(q.agentRooms(APP, "agent2").await()).isZero();
  }

  @Test
  @DisplayName("M9: 500 dynamic queues entered and left leave qids empty; the per-app cap refuses more")
  void dynamicQueuesDoNotAccumulate() {
    QueueStore q = new RedisRoomStore(api, p()).queues();
    for (int i = 0; i < 500; i++) {
      q.enter(APP, "dq" + i, "c" + i, 100, i, QueueStore.MAX_DYNAMIC_QUEUES).await();
      q.leave(APP, "c" + i).await();
    }
    assertThat(q.queueIds(APP).await()).as("queue ids kept after every queue emptied").hasSizeLessThan(5);

    QueueStore capped = new RedisRoomStore(api, p()).queues();
    for (int i = 0; i < 3; i++) {
      assertThat(capped.enter(APP, "cq" + i, "w" + i, 100, i, 3).await().outcome()).isEqualTo(QueueStore.EnterOutcome.ENTERED);
    }
    assertThat(capped.enter(APP, "cq3", "w3", 100, 3, 3).await().outcome()).isEqualTo(QueueStore.EnterOutcome.TOO_MANY_QUEUES);
    // an existing queue still takes customers
    assertThat(capped.enter(APP, "cq0", "w4", 100, 4, 3).await().outcome()).isEqualTo(QueueStore.EnterOutcome.ENTERED);
  }

  @Test
  @DisplayName("M9: candidates across many queues are found (read in chunks)")
  void candidatesAcrossManyQueues() {
    QueueStore q = new RedisRoomStore(api, p()).queues();
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ids.add("mq" + i);
    }
    q.enter(APP, "mq299", "late", 100, 50).await();
    q.enter(APP, "mq150", "early", 100, 40).await();
    assertThat(q.candidates(APP, ids, 16).await()).extracting(QueueStore.Waiter::userId).containsExactly("early", "late");
  }

  @Test
  @DisplayName("L6: an agent whose id is the old customer placeholder keeps its creator field")
  void agentNamedLikeThePlaceholder() {
    String pre = p();
    RoomStore rooms = new RedisRoomStore(api, pre);
    QueueStore q = rooms.queues();
    q.enter(APP, "a", "c1", 100, 10).await();
    String agent = "@@customer@@";
    QueueStore.Take t = q.take(APP, agent, 1, List.of(new QueueStore.Waiter("a", "c1", 10)), spec("888", agent, "a")).await();
    assertThat(t.outcome()).isEqualTo(QueueStore.TakeOutcome.TAKEN);
    JsonObject room = rooms.get(APP, "888").await();
    assertThat(room.getString(RoomState.CREATOR)).isEqualTo(agent);
    assertThat(room.getString(RoomState.CUSTOMER)).isEqualTo("c1");
  }
}
