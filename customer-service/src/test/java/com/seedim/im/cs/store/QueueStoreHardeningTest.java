package com.seedim.im.cs.store;

import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.redis.RedisRoomStore;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Audit M8 (room id collision), M9 (dynamic queues) and L6 (template placeholders) on the real Redis, standalone and Cluster. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class QueueStoreHardeningTest {
  private static final String APP = "app1";
  private static TestRedis redis;
  private static TestRedisCluster cluster;

  @BeforeAll
  static void setUp(Vertx vertx) {
    redis = new TestRedis(vertx, "hard");
    cluster = new TestRedisCluster(vertx);
  }

  @AfterAll
  static void tearDown() {
    redis.close();
    cluster.close();
  }

  private static RoomStore store(boolean onCluster) {
    return onCluster ? new RedisRoomStore(cluster.api(), cluster.freshPrefix())
      : new RedisRoomStore(redis.api(), redis.freshPrefix());
  }

  private static QueueStore.RoomSpec spec(String roomId, String agent, String queue) {
    return QueueStore.RoomSpec.of(APP, roomId, agent, queue, 1000L, 5000L);
  }

  @ParameterizedTest(name = "cluster={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("M8: a take whose room id already exists is a conflict and overwrites nothing")
  void takeRefusesAnExistingRoomId(boolean onCluster) {
    RoomStore rooms = store(onCluster);
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

  @ParameterizedTest(name = "cluster={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("M9: 500 dynamic queues entered and left leave qids empty; the per-app cap refuses more")
  void dynamicQueuesDoNotAccumulate(boolean onCluster) {
    QueueStore q = store(onCluster).queues();
    for (int i = 0; i < 500; i++) {
      q.enter(APP, "dq" + i, "c" + i, 100, i, QueueStore.MAX_DYNAMIC_QUEUES).await();
      q.leave(APP, "c" + i).await();
    }
    assertThat(q.queueIds(APP).await()).as("queue ids kept after every queue emptied").hasSizeLessThan(5);

    QueueStore capped = store(onCluster).queues();
    for (int i = 0; i < 3; i++) {
      assertThat(capped.enter(APP, "cq" + i, "w" + i, 100, i, 3).await().outcome()).isEqualTo(QueueStore.EnterOutcome.ENTERED);
    }
    assertThat(capped.enter(APP, "cq3", "w3", 100, 3, 3).await().outcome()).isEqualTo(QueueStore.EnterOutcome.TOO_MANY_QUEUES);
    // an existing queue still takes customers
    assertThat(capped.enter(APP, "cq0", "w4", 100, 4, 3).await().outcome()).isEqualTo(QueueStore.EnterOutcome.ENTERED);
  }

  @ParameterizedTest(name = "cluster={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("M9: candidates across many queues are found (read in chunks)")
  void candidatesAcrossManyQueues(boolean onCluster) {
    QueueStore q = store(onCluster).queues();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ids.add("mq" + i);
    }
    q.enter(APP, "mq299", "late", 100, 50).await();
    q.enter(APP, "mq150", "early", 100, 40).await();
    assertThat(q.candidates(APP, ids, 16).await()).extracting(QueueStore.Waiter::userId).containsExactly("early", "late");
  }

  @ParameterizedTest(name = "cluster={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("L6: an agent whose id is the old customer placeholder keeps its creator field")
  void agentNamedLikeThePlaceholder(boolean onCluster) {
    RoomStore rooms = store(onCluster);
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
