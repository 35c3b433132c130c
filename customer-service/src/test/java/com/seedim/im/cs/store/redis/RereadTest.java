package com.seedim.im.cs.store.redis;

import com.seedim.im.common.store.redis.RedisScript;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The re-read protocol on the real Redis: what a script read is passed to the next run; a race without end gives up. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class RereadTest {
  // KEYS: counter. ARGV: what the caller expects. Moves the counter on every run: the state never holds still.
  private static final RedisScript ALWAYS_MOVING = new RedisScript("""
    return {'RETRY', tostring(redis.call('INCR', KEYS[1]))}
    """);
  // KEYS: value. ARGV: what the caller expects ('' nothing yet). Done once the caller expects what is there.
  private static final RedisScript SETTLES = new RedisScript("""
    local v = redis.call('GET', KEYS[1])
    if v ~= ARGV[1] then return {'RETRY', v} end
    return {'DONE', v}
    """);

  private static Redis redis;
  private static RedisAPI api;
  private static String key;

  @BeforeAll
  static void setUp(Vertx vertx) {
    redis = Redis.createClient(vertx, TestServer.REDIS_URI);
    api = RedisAPI.api(redis);
    key = "imt:reread:" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterAll
  static void tearDown() {
    api.del(List.of(key + ":moving", key + ":settles")).await();
    redis.close();
  }

  @Test
  @DisplayName("the second run is told what the first one read, and its answer is the result")
  void secondRunIsToldWhatTheFirstRead() {
    api.set(List.of(key + ":settles", "queue-b")).await();
    List<List<String>> told = new ArrayList<>();
    String result = Reread.run("test", seen -> {
      told.add(seen);
      return SETTLES.run(api, List.of(key + ":settles"), List.of(seen.isEmpty() ? "" : seen.get(0)));
    }, r -> r.get(1).toString()).await();
    assertThat(result).isEqualTo("queue-b");
    assertThat(told).containsExactly(List.of(), List.of("queue-b"));
  }

  @Test
  @DisplayName("state that changes before every run: the operation gives up after MAX_ATTEMPTS with a clear error")
  void givesUpAfterTheAttempts() {
    List<List<String>> told = new ArrayList<>();
    assertThatThrownBy(() -> Reread.run("move of app1/u1", seen -> {
      told.add(seen);
      return ALWAYS_MOVING.run(api, List.of(key + ":moving"), List.of());
    }, r -> r).await()).isInstanceOf(IllegalStateException.class)
      .hasMessageContaining("move of app1/u1").hasMessageContaining("kept changing over " + Reread.MAX_ATTEMPTS);
    assertThat(told).hasSize(Reread.MAX_ATTEMPTS);
    assertThat(told.get(1)).containsExactly("1");
    assertThat(api.get(key + ":moving").await().toInteger()).isEqualTo(Reread.MAX_ATTEMPTS);
  }
}
