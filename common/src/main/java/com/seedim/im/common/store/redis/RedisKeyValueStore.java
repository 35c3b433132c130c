package com.seedim.im.common.store.redis;

import com.seedim.im.common.store.KeyValueStore;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;

import java.util.List;

/** {@link KeyValueStore} on Redis: SET PX [NX], GET, DEL, INCR with expiry set on creation. */
public final class RedisKeyValueStore implements KeyValueStore {
  private static final RedisScript INCR = new RedisScript(
    "local v = redis.call('INCR', KEYS[1]) if v == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return v");

  private final RedisAPI api;
  private final String prefix;

  public RedisKeyValueStore(RedisAPI api, String prefix) {
    this.api = api;
    this.prefix = prefix + "kv:";
  }

  @Override
  public Future<String> get(String key) {
    return api.get(prefix + key).map(r -> r == null ? null : r.toString());
  }

  @Override
  public Future<Void> set(String key, String value, long ttlMs) {
    return api.set(List.of(prefix + key, value, "PX", Long.toString(Math.max(1, ttlMs)))).mapEmpty();
  }

  @Override
  public Future<Boolean> setIfAbsent(String key, String value, long ttlMs) {
    return api.set(List.of(prefix + key, value, "PX", Long.toString(Math.max(1, ttlMs)), "NX")).map(r -> r != null);
  }

  @Override
  public Future<Void> delete(String key) {
    return api.del(List.of(prefix + key)).mapEmpty();
  }

  @Override
  public Future<Long> increment(String key, long ttlMs) {
    return INCR.run(api, List.of(prefix + key), List.of(Long.toString(Math.max(1, ttlMs)))).map(r -> r.toLong());
  }
}
