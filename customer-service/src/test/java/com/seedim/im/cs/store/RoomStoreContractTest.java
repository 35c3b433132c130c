package com.seedim.im.cs.store;

import com.seedim.im.cs.store.DeadlineStore;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.memory.MemoryRoomStore;
import com.seedim.im.cs.store.redis.RedisRoomStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("RoomStore / QueueStore / DeadlineStore contract: memory, standalone Redis and a real Redis Cluster")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class RoomStoreContractTest {
  private static final String APP = "app1";
  private static TestRedis redis;
  private static TestRedisCluster cluster;

  @BeforeAll
  static void setUp(Vertx vertx) {
    redis = new TestRedis(vertx, "store");
    cluster = new TestRedisCluster(vertx);
  }

  @AfterAll
  static void tearDown() {
    redis.close();
    cluster.close();
  }

  private static RoomStore store(Backend backend) {
    return switch (backend) {
      case MEMORY -> new MemoryRoomStore();
      case REDIS -> new RedisRoomStore(redis.api(), redis.freshPrefix());
      case CLUSTER -> new RedisRoomStore(cluster.api(), cluster.freshPrefix());
    };
  }

  private static QueueStore.RoomSpec spec(String roomId, String agent, String queue) {
    return QueueStore.RoomSpec.of(APP, roomId, agent, queue, 1000L, 5000L);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  @DisplayName("enter/same/move/full, positions, absent waiters skipped, take opens the room once, capacity")
  void queues(Backend backend) {
    RoomStore rooms = store(backend);
    QueueStore q = rooms.queues();
    assertThat(q.enter(APP, "a", "u1", 2, 10).await().outcome()).isEqualTo(QueueStore.EnterOutcome.ENTERED);
    assertThat(q.enter(APP, "a", "u2", 2, 11).await().waitIndex()).isEqualTo(2);
    assertThat(q.enter(APP, "a", "u3", 2, 12).await().outcome()).isEqualTo(QueueStore.EnterOutcome.FULL);
    assertThat(q.enter(APP, "a", "u1", 2, 13).await().outcome()).isEqualTo(QueueStore.EnterOutcome.SAME);
    QueueStore.Enter moved = q.enter(APP, "b", "u1", 2, 14).await();
    assertThat(moved.outcome()).isEqualTo(QueueStore.EnterOutcome.MOVED);
    assertThat(moved.previousQueue()).isEqualTo("a");
    assertThat(q.position(APP, "u2").await().waitIndex()).isEqualTo(1);
    assertThat(q.enter(APP, "a", "u1", 2, 15).await().waitIndex()).isEqualTo(2);
    assertThat(q.waiters(APP, "a").await()).extracting(QueueStore.Waiter::userId).containsExactly("u2", "u1");
    assertThat(q.markAbsent(APP, "u2").await()).isEqualTo("a");
    List<QueueStore.Waiter> cands = q.candidates(APP, List.of("a", "b"), 5).await();
    assertThat(cands).extracting(QueueStore.Waiter::userId).containsExactly("u1");
    // an absent waiter is never taken, even when named
    QueueStore.Take none = q.take(APP, "ag", 1, List.of(new QueueStore.Waiter("a", "u2", 11)), spec("100", "ag", "a")).await();
    assertThat(none.outcome()).isEqualTo(QueueStore.TakeOutcome.NONE);
    QueueStore.Take t = q.take(APP, "ag", 1, cands, spec("101", "ag", "a")).await();
    assertThat(t.outcome()).isEqualTo(QueueStore.TakeOutcome.TAKEN);
    assertThat(t.waiter().userId()).isEqualTo("u1");
    assertThat(q.take(APP, "ag2", 1, cands, spec("102", "ag2", "a")).await().outcome()).isEqualTo(QueueStore.TakeOutcome.NONE);
    assertThat(q.take(APP, "ag", 1, List.of(), spec("103", "ag", "a")).await().outcome()).isEqualTo(QueueStore.TakeOutcome.AGENT_BUSY);
    assertThat(rooms.roomIdOf(APP, "u1").await()).isEqualTo("101");
    assertThat(rooms.roomIdOf(APP, "ag").await()).isEqualTo("101");
    assertThat(rooms.get(APP, "101").await().getJsonArray("members")).containsExactly("ag", "u1");
    assertThat(rooms.shareRoom(APP, "ag", "u1").await()).isTrue();
    assertThat(rooms.shareRoom(APP, "ag", "u2").await()).isFalse();
    assertThat(q.enter(APP, "a", "u1", 2, 20).await().outcome()).isEqualTo(QueueStore.EnterOutcome.IN_ROOM);
    assertThat(rooms.deadlines().dueAt(APP, RoomStore.ROOM_DEADLINES, Timer.idle(APP, "101").encode()).await()).isEqualTo(5000L);
    assertThat(q.removeIfAbsent(APP, "u2").await().queueId()).isEqualTo("a");
    assertThat(q.position(APP, "u2").await()).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  @DisplayName("rooms: compare-and-set on the version, exactly one close, listing newest first")
  void rooms(Backend backend) {
    RoomStore rooms = store(backend);
    QueueStore q = rooms.queues();
    for (int i = 1; i <= 3; i++) {
      q.enter(APP, "a", "c" + i, 10, i).await();
      q.take(APP, "ag" + i, 1, List.of(new QueueStore.Waiter("a", "c" + i, i)), spec(Integer.toString(200 + i), "ag" + i, "a")).await();
    }
    RoomStore.Page page = rooms.list(APP, 0, 2).await();
    assertThat(page.total()).isEqualTo(3);
    assertThat(page.rooms()).extracting(r -> r.getString("roomId")).containsExactly("203", "202");
    RoomStore.Versioned v = rooms.load(APP, "201").await();
    assertThat(rooms.replace(APP, "201", v.version(), v.room().put("callState", "ringing")).await()).isTrue();
    assertThat(rooms.replace(APP, "201", v.version(), v.room().put("callState", "active")).await()).isFalse();
    assertThat(rooms.get(APP, "201").await().getString("callState")).isEqualTo("ringing");
    assertThat(rooms.close(APP, "201").await().getString("customer")).isEqualTo("c1");
    assertThat(rooms.close(APP, "201").await()).isNull();
    assertThat(rooms.roomIdOf(APP, "c1").await()).isNull();
    assertThat(rooms.roomsOf(APP, "ag1").await()).isEmpty();
    assertThat(q.agentRooms(APP, "ag1").await()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  @DisplayName("deadlines: due members are claimed once with a lease, re-claimed when the lease ends, rescheduled ones survive done")
  void deadlines(Backend backend) {
    DeadlineStore d = store(backend).deadlines();
    d.schedule(APP, "s", "m1", 100).await();
    d.schedule(APP, "s", "m2", 200).await();
    d.schedule(APP, "s", "m3", 10_000).await();
    List<DeadlineStore.Claim> c = d.claimDue(APP, "s", 300, 1000, 10).await();
    assertThat(c).extracting(DeadlineStore.Claim::member).containsExactly("m1", "m2");
    assertThat(d.claimDue(APP, "s", 301, 1000, 10).await()).isEmpty();
    // m1 handled; m2's node died: claimed again after the lease
    d.done(APP, "s", c.get(0)).await();
    assertThat(d.claimDue(APP, "s", 1400, 1000, 10).await()).extracting(DeadlineStore.Claim::member).containsExactly("m2");
    // rescheduled while being handled: done keeps it
    DeadlineStore.Claim again = new DeadlineStore.Claim("m2", 2400);
    d.schedule(APP, "s", "m2", 5000).await();
    d.done(APP, "s", again).await();
    assertThat(d.dueAt(APP, "s", "m2").await()).isEqualTo(5000L);
    assertThat(d.dueAt(APP, "s", "m1").await()).isNull();
    // timers are kept per app: another app's set is its own
    assertThat(d.claimDue("app2", "s", 1_000_000, 1000, 10).await()).isEmpty();
    assertThat(d.dueAt("app2", "s", "m3").await()).isNull();
    assertThat(d.dueAt(APP, "s", "m3").await()).isEqualTo(10_000L);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  @DisplayName("a take given candidates of several queues skips the absent, the gone and the busy and takes the first left")
  void takeAcrossQueues(Backend backend) {
    RoomStore rooms = store(backend);
    QueueStore q = rooms.queues();
    q.enter(APP, "a", "absent", 10, 1).await();
    q.enter(APP, "b", "gone", 10, 2).await();
    q.enter(APP, "c", "inroom", 10, 3).await();
    q.enter(APP, "d", "next", 10, 4).await();
    q.enter(APP, "e", "last", 10, 5).await();
    q.markAbsent(APP, "absent").await();
    q.leave(APP, "gone").await();
    List<QueueStore.Waiter> cands = q.candidates(APP, List.of("a", "b", "c", "d", "e"), 10).await();
    assertThat(cands).extracting(QueueStore.Waiter::userId).containsExactly("inroom", "next", "last");
    // "inroom" is taken by another agent between the candidates and this take
    assertThat(q.take(APP, "other", 1, List.of(cands.get(0)), spec("300", "other", "c")).await().outcome())
      .isEqualTo(QueueStore.TakeOutcome.TAKEN);
    List<QueueStore.Waiter> stale = List.of(new QueueStore.Waiter("a", "absent", 1), new QueueStore.Waiter("b", "gone", 2),
      cands.get(0), cands.get(1), cands.get(2));
    QueueStore.Take t = q.take(APP, "ag", 2, stale, spec("301", "ag", "d")).await();
    assertThat(t.outcome()).isEqualTo(QueueStore.TakeOutcome.TAKEN);
    assertThat(t.waiter()).isEqualTo(new QueueStore.Waiter("d", "next", 4));
    assertThat(rooms.get(APP, "301").await().getJsonArray(RoomState.MEMBERS)).containsExactly("ag", "next");
    assertThat(q.queueIds(APP).await()).containsExactlyInAnyOrder("a", "e");
    assertThat(q.position(APP, "last").await().waitIndex()).isEqualTo(1);
    assertThat(q.position(APP, "absent").await().queueId()).isEqualTo("a");
    assertThat(rooms.roomsOf(APP, "ag").await()).containsExactly("301");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  @DisplayName("leave and position of a waiter, of one who moved and of one not waiting; sent positions follow")
  void leaveAndPosition(Backend backend) {
    QueueStore q = store(backend).queues();
    assertThat(q.leave(APP, "u1").await()).isNull();
    assertThat(q.position(APP, "u1").await()).isNull();
    q.enter(APP, "a", "u0", 10, 5).await();
    q.enter(APP, "a", "u1", 10, 10).await();
    assertThat(q.sentPositions(APP, "a").await()).containsEntry("u1", QueueStore.positionValue(2, 2));
    assertThat(q.enter(APP, "b", "u1", 10, 20).await().previousQueue()).isEqualTo("a");
    assertThat(q.sentPositions(APP, "a").await()).doesNotContainKey("u1");
    assertThat(q.sentPositions(APP, "b").await()).containsEntry("u1", QueueStore.positionValue(1, 1));
    QueueStore.Position p = q.position(APP, "u1").await();
    assertThat(p).isEqualTo(new QueueStore.Position("b", 1, 1, 20));
    assertThat(q.position(APP, "u1", "a").await()).as("a wrong hint").isEqualTo(p);
    assertThat(q.position(APP, "u1", "b").await()).as("a right hint").isEqualTo(p);
    assertThat(q.position(APP, "nobody", "b").await()).isNull();
    assertThat(q.leave(APP, "u1").await()).isEqualTo(new QueueStore.Waiter("b", "u1", 20));
    assertThat(q.leave(APP, "u1").await()).isNull();
    assertThat(q.sentPositions(APP, "b").await()).isEmpty();
    assertThat(q.queueIds(APP).await()).containsExactly("a");
    assertThat(q.removeIfAbsent(APP, "u0").await()).as("u0 is present").isNull();
    assertThat(q.position(APP, "u0").await().waitIndex()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  @DisplayName("dirty queues are claimed at most once per throttle window")
  void dirty(Backend backend) {
    QueueStore q = store(backend).queues();
    q.markDirty("pos", APP, "a").await();
    assertThat(q.claimDirty("pos", 10_000, 10).await()).containsExactly(APP + "|a");
    q.markDirty("pos", APP, "a").await();
    assertThat(q.claimDirty("pos", 10_000, 10).await()).isEmpty();
    assertThat(q.claimDirty("info", 10_000, 10).await()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Backend.class)
  @DisplayName("moves, leaves and positions of one customer racing each other leave it in at most one line, consistently")
  void racingMovesStayConsistent(Backend backend) {
    QueueStore q = store(backend).queues();
    List<String> queues = List.of("a", "b", "c");
    List<Future<?>> ops = new ArrayList<>();
    // waves of concurrent operations, within the test clients' pool wait limits
    for (int wave = 0; wave < 6; wave++) {
      List<Future<?>> now = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String queue = queues.get((wave + i) % queues.size());
        now.add(switch (i % 4) {
          case 0, 1 -> q.enter(APP, queue, "u", 100, wave * 12 + i);
          case 2 -> q.leave(APP, "u");
          default -> q.position(APP, "u");
        });
      }
      Future.join(now).otherwiseEmpty().await();
      ops.addAll(now);
    }
    for (Future<?> op : ops) {
      if (op.failed()) {
        // the only failure allowed: a re-read that kept losing the race, which changed nothing
        assertThat(op.cause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("kept changing");
      }
    }
    QueueStore.Position p = q.position(APP, "u").await();
    List<String> holding = new ArrayList<>();
    for (String queue : queues) {
      if (q.waiters(APP, queue).await().stream().anyMatch(w -> w.userId().equals("u"))) {
        holding.add(queue);
      }
    }
    if (p == null) {
      assertThat(holding).isEmpty();
      assertThat(q.queueIds(APP).await()).isEmpty();
    } else {
      assertThat(holding).containsExactly(p.queueId());
      assertThat(q.queueIds(APP).await()).containsExactly(p.queueId());
      assertThat(q.leave(APP, "u").await().queueId()).isEqualTo(p.queueId());
    }
    for (String queue : queues) {
      assertThat(q.sentPositions(APP, queue).await()).as("sent positions of %s", queue).doesNotContainKey("u");
    }
  }

  @Test
  @DisplayName("a key prefix holding a brace is refused: it would take the hash tags out of the store's hands")
  void prefixWithABraceIsRefused() {
    assertThatThrownBy(() -> new RedisRoomStore(redis.api(), "im{x:")).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("must not contain '{' or '}'");
    assertThatThrownBy(() -> new RedisRoomStore(redis.api(), "im}:")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("cluster: the customer-service keys of many apps spread over the three masters, each app's in one slot")
  void appsSpreadOverTheMasters() throws Exception {
    String prefix = cluster.freshPrefix();
    RoomStore rooms = new RedisRoomStore(cluster.api(), prefix);
    QueueStore q = rooms.queues();
    int apps = 30;
    for (int i = 0; i < apps; i++) {
      String app = "tenant" + i;
      q.enter(app, "a", "c1", 10, 1).await();
      q.enter(app, "b", "c2", 10, 2).await();
      q.agentOnline(app, "ag", true).await();
      QueueStore.RoomSpec spec = QueueStore.RoomSpec.of(app, "r" + i, "ag", "a", 1000L, 5000L);
      assertThat(q.take(app, "ag", 1, List.of(new QueueStore.Waiter("a", "c1", 1)), spec).await().outcome())
        .isEqualTo(QueueStore.TakeOutcome.TAKEN);
      q.markAbsent(app, "c2").await();
      rooms.deadlines().schedule(app, RoomStore.QUEUE_DEADLINES, Timer.queueGrace(app, "c2").encode(), 9000L).await();
    }
    Map<String, Set<Integer>> mastersOfApp = new HashMap<>();
    Map<String, Set<Long>> slotsOfApp = new HashMap<>();
    for (int port : cluster.cluster().ports()) {
      for (String key : cluster.cluster().cli(port, "--scan", "--pattern", prefix + "*").split("\\R")) {
        if (key.isBlank()) {
          continue;
        }
        int open = key.indexOf("{cs:");
        assertThat(open).as("key %s carries an app's hash tag", key).isPositive();
        String app = key.substring(open + 4, key.indexOf('}', open));
        mastersOfApp.computeIfAbsent(app, a -> new HashSet<>()).add(port);
        slotsOfApp.computeIfAbsent(app, a -> new HashSet<>())
          .add(cluster.api().cluster(List.of("KEYSLOT", key)).await().toLong());
      }
    }
    assertThat(mastersOfApp).hasSize(apps);
    mastersOfApp.forEach((app, masters) -> assertThat(masters).as("masters of %s", app).hasSize(1));
    slotsOfApp.forEach((app, slots) -> assertThat(slots).as("slots of %s", app).hasSize(1));
    Set<Integer> used = new HashSet<>();
    mastersOfApp.values().forEach(used::addAll);
    assertThat(used).as("masters holding some app").containsExactlyInAnyOrderElementsOf(cluster.cluster().ports());
  }
}
