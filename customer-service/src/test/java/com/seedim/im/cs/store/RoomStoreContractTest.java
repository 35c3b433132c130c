package com.seedim.im.cs.store;

import com.seedim.im.cs.store.DeadlineStore;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.memory.MemoryRoomStore;
import com.seedim.im.cs.store.redis.RedisRoomStore;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("RoomStore / QueueStore / DeadlineStore contract, memory and Redis")
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class RoomStoreContractTest {
  private static final String APP = "app1";
  private static TestRedis redis;

  @BeforeAll
  static void setUp(Vertx vertx) {
    redis = new TestRedis(vertx, "store");
  }

  @AfterAll
  static void tearDown() {
    redis.close();
  }

  private static RoomStore store(boolean onRedis) {
    return onRedis ? new RedisRoomStore(redis.api(), redis.freshPrefix()) : new MemoryRoomStore();
  }

  private static QueueStore.RoomSpec spec(String roomId, String agent, String queue) {
    return QueueStore.RoomSpec.of(APP, roomId, agent, queue, 1000L, 5000L);
  }

  @ParameterizedTest(name = "redis={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("enter/same/move/full, positions, absent waiters skipped, take opens the room once, capacity")
  void queues(boolean onRedis) {
    RoomStore rooms = store(onRedis);
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
    assertThat(rooms.deadlines().dueAt(RoomStore.ROOM_DEADLINES, Timer.idle(APP, "101").encode()).await()).isEqualTo(5000L);
    assertThat(q.removeIfAbsent(APP, "u2").await().queueId()).isEqualTo("a");
    assertThat(q.position(APP, "u2").await()).isNull();
  }

  @ParameterizedTest(name = "redis={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("rooms: compare-and-set on the version, exactly one close, listing newest first")
  void rooms(boolean onRedis) {
    RoomStore rooms = store(onRedis);
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

  @ParameterizedTest(name = "redis={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("deadlines: due members are claimed once with a lease, re-claimed when the lease ends, rescheduled ones survive done")
  void deadlines(boolean onRedis) {
    DeadlineStore d = store(onRedis).deadlines();
    d.schedule("s", "m1", 100).await();
    d.schedule("s", "m2", 200).await();
    d.schedule("s", "m3", 10_000).await();
    List<DeadlineStore.Claim> c = d.claimDue("s", 300, 1000, 10).await();
    assertThat(c).extracting(DeadlineStore.Claim::member).containsExactly("m1", "m2");
    assertThat(d.claimDue("s", 301, 1000, 10).await()).isEmpty();
    // m1 handled; m2's node died: claimed again after the lease
    d.done("s", c.get(0)).await();
    assertThat(d.claimDue("s", 1400, 1000, 10).await()).extracting(DeadlineStore.Claim::member).containsExactly("m2");
    // rescheduled while being handled: done keeps it
    DeadlineStore.Claim again = new DeadlineStore.Claim("m2", 2400);
    d.schedule("s", "m2", 5000).await();
    d.done("s", again).await();
    assertThat(d.dueAt("s", "m2").await()).isEqualTo(5000L);
    assertThat(d.dueAt("s", "m1").await()).isNull();
  }

  @ParameterizedTest(name = "redis={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("dirty queues are claimed at most once per throttle window")
  void dirty(boolean onRedis) {
    QueueStore q = store(onRedis).queues();
    q.markDirty("pos", APP, "a").await();
    assertThat(q.claimDirty("pos", 10_000, 10).await()).containsExactly(APP + "|a");
    q.markDirty("pos", APP, "a").await();
    assertThat(q.claimDirty("pos", 10_000, 10).await()).isEmpty();
    assertThat(q.claimDirty("info", 10_000, 10).await()).isEmpty();
  }
}
