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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The timer sweeper on the real Redis: a hung claim (M5) and a handler that always fails (L12). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class DeadlineSweeperTest {
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
    public Future<Void> schedule(String set, String member, long dueAt) {
      return real.schedule(set, member, dueAt);
    }

    @Override
    public Future<Void> cancel(String set, String member) {
      return real.cancel(set, member);
    }

    @Override
    public Future<List<Claim>> claimDue(String set, long now, long leaseMs, int limit) {
      if (hung.compareAndSet(false, true)) {
        return Promise.<List<Claim>>promise().future();
      }
      return real.claimDue(set, now, leaseMs, limit);
    }

    @Override
    public Future<Void> done(String set, Claim claim) {
      return real.done(set, claim);
    }

    @Override
    public Future<Long> dueAt(String set, String member) {
      return real.dueAt(set, member);
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
    store.schedule("t", "m1", System.currentTimeMillis()).await();
    DeadlineSweeper s = new DeadlineSweeper(vertx, store, "t", 50, 1000, m -> {
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
    store.schedule("t", "doomed", System.currentTimeMillis()).await();
    DeadlineSweeper s = new DeadlineSweeper(vertx, store, "t", 20, 100, m -> {
      calls.incrementAndGet();
      return Future.failedFuture(new IllegalStateException("app removed from config"));
    }).start();
    try {
      Thread.sleep(100 * (DeadlineSweeper.MAX_ATTEMPTS + 10));
      assertThat(calls.get()).as("handler attempts").isEqualTo(DeadlineSweeper.MAX_ATTEMPTS);
      assertThat(store.dueAt("t", "doomed").await()).as("the timer is gone").isNull();
    } finally {
      s.stop();
    }
  }
}
