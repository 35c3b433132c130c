package com.seedim.im.cs.store.redis;

import com.seedim.im.common.store.redis.RedisScript;
import com.seedim.im.cs.store.DeadlineStore;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link DeadlineStore} on Redis: one zset per app and set, {@link CsKeys#deadlines} (member → due epoch ms), in the
 * app's slot so that a take schedules its room's idle timer in the same atomic step.
 */
final class RedisDeadlineStore implements DeadlineStore {
  // KEYS: zset. ARGV: now, lease until, limit. Moves due members to the lease time and returns them.
  private static final RedisScript CLAIM = new RedisScript("""
    local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
    for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], m) end
    return due
    """);

  // KEYS: zset. ARGV: member, lease. Removes the member unless it was rescheduled.
  private static final RedisScript DONE = new RedisScript("""
    local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
    if s and tonumber(s) == tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) return 1 end
    return 0
    """);

  private final RedisAPI api;
  private final CsKeys keys;

  RedisDeadlineStore(RedisAPI api, CsKeys keys) {
    this.api = api;
    this.keys = keys;
  }

  @Override
  public Future<Void> schedule(String appId, String set, String member, long dueAt) {
    return api.zadd(List.of(keys.deadlines(appId, set), Long.toString(dueAt), member)).mapEmpty();
  }

  @Override
  public Future<Void> cancel(String appId, String set, String member) {
    return api.zrem(List.of(keys.deadlines(appId, set), member)).mapEmpty();
  }

  @Override
  public Future<List<Claim>> claimDue(String appId, String set, long now, long leaseMs, int limit) {
    long lease = now + leaseMs;
    return CLAIM.run(api, List.of(keys.deadlines(appId, set)),
        List.of(Long.toString(now), Long.toString(lease), Integer.toString(limit)))
      .map(r -> {
        List<Claim> out = new ArrayList<>();
        for (String m : RedisRoomStore.strings(r)) {
          out.add(new Claim(m, lease));
        }
        return out;
      });
  }

  @Override
  public Future<Void> done(String appId, String set, Claim claim) {
    return DONE.run(api, List.of(keys.deadlines(appId, set)), List.of(claim.member(), Long.toString(claim.lease())))
      .mapEmpty();
  }

  @Override
  public Future<Long> dueAt(String appId, String set, String member) {
    return api.zscore(keys.deadlines(appId, set), member)
      .map(r -> r == null ? null : (long) Double.parseDouble(r.toString()));
  }
}
