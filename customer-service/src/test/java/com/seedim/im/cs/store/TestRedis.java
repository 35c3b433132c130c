package com.seedim.im.cs.store;

import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;

import java.util.List;
import java.util.UUID;

/** The machine's Redis for store tests: a key prefix of their own, whose keys {@link #close()} removes. */
final class TestRedis {
  private static final String DELETE_PREFIXED = "local c = 0 local cur = '0' repeat "
    + "local r = redis.call('SCAN', cur, 'MATCH', ARGV[1], 'COUNT', 1000) "
    + "cur = r[1] for _, k in ipairs(r[2]) do redis.call('DEL', k) c = c + 1 end until cur == '0' return c";

  private final Redis redis;
  private final RedisAPI api;
  private final String prefix;

  TestRedis(Vertx vertx, String name) {
    redis = Redis.createClient(vertx, TestServer.REDIS_URI);
    api = RedisAPI.api(redis);
    prefix = "imt:" + name + ":" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  RedisAPI api() {
    return api;
  }

  /** A new key prefix below this one: one store under test each. */
  String freshPrefix() {
    return prefix + UUID.randomUUID().toString().substring(0, 6) + ":";
  }

  void close() {
    api.eval(List.of(DELETE_PREFIXED, "0", prefix + "*")).await();
    redis.close();
  }
}
