package com.seedim.im.cs.store;

import com.seedim.im.cs.store.redis.RedisRoomStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The timer sweeper on the real Redis: every configured app's timers, a hung claim (M5), a handler that always fails (L12). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class DeadlineSweeperTest {
  private static final String APP = "app1";
  static Vertx vertx;
  static TestRedis redis;

  @BeforeAll
  static void setUp(Vertx v) {
    vertx = v;
    redis = new TestRedis(vertx, "sweep");
  }

  @AfterAll
  static void tearDown() {
    redis.close();
  }

  /** The real Redis deadline store, except that its first claim never answers (a stalled Redis). */
  static final class FirstClaimHangs implements DeadlineStore {
    final DeadlineStore real;
    final AtomicBoolean hung = new AtomicBoolean();

    FirstClaimHangs(DeadlineStore real) {
      this.real = real;
    }

    @Override
    public Future<Void> schedule(String appId, String set, String member, long dueAt) {
      return real.schedule(appId, set, member, dueAt);
    }

    @Override
    public Future<Void> cancel(String appId, String set, String member) {
      return real.cancel(appId, set, member);
    }

    @Override
    public Future<List<Claim>> claimDue(String appId, String set, long now, long leaseMs, int limit) {
      if (hung.compareAndSet(false, true)) {
        return Promise.<List<Claim>>promise().future();
      }
      return real.claimDue(appId, set, now, leaseMs, limit);
    }

    @Override
    public Future<Void> done(String appId, String set, Claim claim) {
      return real.done(appId, set, claim);
    }

    @Override
    public Future<Long> dueAt(String appId, String set, String member) {
      return real.dueAt(appId, set, member);
    }
  }

  private static DeadlineStore redisStore() {
    return new RedisRoomStore(redis.api(), redis.freshPrefix()).deadlines();
  }

  @Test
  @DisplayName("M5: a claim that never answers does not stop the sweeper for good")
  void hungClaimDoesNotFreezeTheSweeper() throws Exception {
    DeadlineStore store = new FirstClaimHangs(redisStore());
    AtomicInteger handled = new AtomicInteger();
    store.schedule(APP, "t", "m1", System.currentTimeMillis()).await();
    DeadlineSweeper s = new DeadlineSweeper(vertx, store, "t", List.of(APP), 50, 1000, m -> {
      handled.incrementAndGet();
      return Future.succeededFuture();
    }).start();
    try {
      long until = System.currentTimeMillis() + 10_000;
      while (handled.get() == 0 && System.currentTimeMillis() < until) {
        Thread.sleep(50);
      }
      assertThat(handled.get()).as("the due timer was handled after the hung claim").isEqualTo(1);
    } finally {
      s.stop();
    }
  }

  @Test
  @DisplayName("L12: a timer whose handler always fails is given up after a few attempts")
  void alwaysFailingHandlerIsGivenUp() throws Exception {
    DeadlineStore store = redisStore();
    AtomicInteger calls = new AtomicInteger();
    store.schedule(APP, "t", "doomed", System.currentTimeMillis()).await();
    DeadlineSweeper s = new DeadlineSweeper(vertx, store, "t", List.of(APP), 20, 100, m -> {
      calls.incrementAndGet();
      return Future.failedFuture(new IllegalStateException("app removed from config"));
    }).start();
    try {
      Thread.sleep(100 * (DeadlineSweeper.MAX_ATTEMPTS + 10));
      assertThat(calls.get()).as("handler attempts").isEqualTo(DeadlineSweeper.MAX_ATTEMPTS);
      assertThat(store.dueAt(APP, "t", "doomed").await()).as("the timer is gone").isNull();
    } finally {
      s.stop();
    }
  }

  @Test
  @DisplayName("timers are kept per app: the sweeper runs the due ones of every configured app, and only those")
  void sweepsEveryConfiguredApp() throws Exception {
    DeadlineStore store = redisStore();
    long now = System.currentTimeMillis();
    store.schedule("a1", "t", "x1", now).await();
    store.schedule("a2", "t", "x2", now).await();
    store.schedule("gone", "t", "x3", now).await();
    Set<String> handled = ConcurrentHashMap.newKeySet();
    DeadlineSweeper s = new DeadlineSweeper(vertx, store, "t", List.of("a1", "a2"), 20, 1000, m -> {
      handled.add(m);
      return Future.succeededFuture();
    }).start();
    try {
      long until = System.currentTimeMillis() + 10_000;
      while (handled.size() < 2 && System.currentTimeMillis() < until) {
        Thread.sleep(20);
      }
      Thread.sleep(100);
      assertThat(handled).containsExactlyInAnyOrder("x1", "x2");
      assertThat(store.dueAt("a1", "t", "x1").await()).as("handled timers are removed").isNull();
      assertThat(store.dueAt("gone", "t", "x3").await()).as("an app not configured is not swept").isEqualTo(now);
    } finally {
      s.stop();
    }
  }
}
