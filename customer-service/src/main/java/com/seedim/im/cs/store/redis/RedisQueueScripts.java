package com.seedim.im.cs.store.redis;

import com.seedim.im.common.store.redis.RedisScript;
import com.seedim.im.cs.store.QueueStore;

/** The Lua scripts of {@link RedisQueueStore}: each one atomic step on the keys listed there. */
final class RedisQueueScripts {
  private RedisQueueScripts() {
  }

  // KEYS: line, qu, qa, qids, urooms of user. ARGV: user, queue, now, maxLen, line prefix, sent prefix, maxQueues.
  // qids holds the non-empty queues only (M9): a queue leaves it when its last waiter goes.
  static final RedisScript ENTER = new RedisScript("""
    if redis.call('ZCARD', KEYS[5]) > 0 then return {'IN_ROOM'} end
    local cur = redis.call('HGET', KEYS[2], ARGV[1])
    if cur == ARGV[2] then
      local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
      if rank then
        redis.call('SREM', KEYS[3], ARGV[1])
        local card = redis.call('ZCARD', KEYS[1])
        redis.call('HSET', ARGV[6] .. ARGV[2], ARGV[1], (rank + 1) .. ':' .. card)
        return {'SAME', '', rank + 1, card}
      end
    end
    if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return {'FULL'} end
    if tonumber(ARGV[7]) > 0 and redis.call('SISMEMBER', KEYS[4], ARGV[2]) == 0
      and redis.call('SCARD', KEYS[4]) >= tonumber(ARGV[7]) then return {'TOO_MANY_QUEUES'} end
    local prev = ''
    if cur and cur ~= ARGV[2] then
      redis.call('ZREM', ARGV[5] .. cur, ARGV[1])
      redis.call('HDEL', ARGV[6] .. cur, ARGV[1])
      if redis.call('ZCARD', ARGV[5] .. cur) == 0 then redis.call('SREM', KEYS[4], cur) end
      prev = cur
    end
    redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
    redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
    redis.call('SREM', KEYS[3], ARGV[1])
    redis.call('SADD', KEYS[4], ARGV[2])
    local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
    local card = redis.call('ZCARD', KEYS[1])
    redis.call('HSET', ARGV[6] .. ARGV[2], ARGV[1], (rank + 1) .. ':' .. card)
    local outcome = 'ENTERED'
    if prev ~= '' then outcome = 'MOVED' end
    return {outcome, prev, rank + 1, card}
    """);

  // KEYS: qu, qa, qids. ARGV: user, line prefix, sent prefix, onlyIfAbsent (1/0). Returns {queue, enteredAt} or nil.
  static final RedisScript LEAVE = new RedisScript("""
    if ARGV[4] == '1' and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return false end
    local cur = redis.call('HGET', KEYS[1], ARGV[1])
    redis.call('SREM', KEYS[2], ARGV[1])
    if not cur then return false end
    local score = redis.call('ZSCORE', ARGV[2] .. cur, ARGV[1])
    redis.call('ZREM', ARGV[2] .. cur, ARGV[1])
    redis.call('HDEL', ARGV[3] .. cur, ARGV[1])
    redis.call('HDEL', KEYS[1], ARGV[1])
    if redis.call('ZCARD', ARGV[2] .. cur) == 0 then redis.call('SREM', KEYS[3], cur) end
    return {cur, score or '0'}
    """);

  // KEYS: qu. ARGV: user, line prefix. Returns {queue, index, total, enteredAt} or nil.
  static final RedisScript POSITION = new RedisScript("""
    local cur = redis.call('HGET', KEYS[1], ARGV[1])
    if not cur then return false end
    local rank = redis.call('ZRANK', ARGV[2] .. cur, ARGV[1])
    if not rank then return false end
    return {cur, rank + 1, redis.call('ZCARD', ARGV[2] .. cur), redis.call('ZSCORE', ARGV[2] .. cur, ARGV[1])}
    """);

  // KEYS: qa. ARGV: line prefix, limit, queue ids... Returns flat {queue, user, score}.
  static final RedisScript CANDIDATES = new RedisScript("""
    local out = {}
    local limit = tonumber(ARGV[2])
    for i = 3, #ARGV do
      local key = ARGV[1] .. ARGV[i]
      local n, start = 0, 0
      while n < limit and start < 5000 do
        local chunk = redis.call('ZRANGE', key, start, start + 99, 'WITHSCORES')
        if #chunk == 0 then break end
        for j = 1, #chunk, 2 do
          if n < limit and redis.call('SISMEMBER', KEYS[1], chunk[j]) == 0 then
            table.insert(out, ARGV[i]) table.insert(out, chunk[j]) table.insert(out, chunk[j + 1])
            n = n + 1
          end
        end
        start = start + 100
      end
    end
    return out
    """);

  // KEYS: agent urooms, qu, qa, rooms, room deadlines, qids.
  // An existing room key is a CONFLICT (M8: two nodes with one id node number issue the same room id): nothing is
  // overwritten and the caller retries with a new id. The template's customer placeholder
  // (QueueStore.CUSTOMER_PLACEHOLDER, put in below) is outside the id grammar (L6), so no user id can be mistaken for it.
  // ARGV: agent, maxRooms, roomId, createdAt, template, idle member, idle due, line prefix, sent prefix,
  //       uroom prefix, urooms prefix, room key, then queue/user pairs.
  static final RedisScript TAKE = new RedisScript("""
    if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {'AGENT_BUSY'} end
    if redis.call('EXISTS', ARGV[12]) == 1 then return {'CONFLICT'} end
    for i = 13, #ARGV, 2 do
      local q, u = ARGV[i], ARGV[i + 1]
      if u ~= ARGV[1] and redis.call('HGET', KEYS[2], u) == q and redis.call('SISMEMBER', KEYS[3], u) == 0
        and redis.call('ZCARD', ARGV[11] .. u) == 0 then
        local score = redis.call('ZSCORE', ARGV[8] .. q, u)
        if score then
          redis.call('ZREM', ARGV[8] .. q, u)
          redis.call('HDEL', ARGV[9] .. q, u)
          redis.call('HDEL', KEYS[2], u)
          if redis.call('ZCARD', ARGV[8] .. q) == 0 then redis.call('SREM', KEYS[6], q) end
          local d = string.gsub(ARGV[5], '%s', u)
          redis.call('HSET', ARGV[12], 'd', d, 'v', 1, 'agent', ARGV[1], 'customer', u)
          redis.call('SET', ARGV[10] .. ARGV[1], ARGV[3])
          redis.call('SET', ARGV[10] .. u, ARGV[3])
          redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
          redis.call('ZADD', ARGV[11] .. u, ARGV[4], ARGV[3])
          redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
          redis.call('ZADD', KEYS[5], ARGV[7], ARGV[6])
          return {'TAKEN', q, u, score}
        end
      end
    end
    return {'NONE'}
    """.formatted(QueueStore.CUSTOMER_PLACEHOLDER));

  // KEYS: qu, qa. ARGV: user. Marks absent if waiting; returns the queue or nil.
  static final RedisScript MARK_ABSENT = new RedisScript("""
    local cur = redis.call('HGET', KEYS[1], ARGV[1])
    if not cur then return false end
    redis.call('SADD', KEYS[2], ARGV[1])
    return cur
    """);

  // KEYS: dirty set. ARGV: throttle ms, limit, round key prefix.
  static final RedisScript CLAIM_DIRTY = new RedisScript("""
    local members = redis.call('SMEMBERS', KEYS[1])
    local out = {}
    for _, m in ipairs(members) do
      if #out >= tonumber(ARGV[2]) then break end
      if redis.call('SET', ARGV[3] .. m, '1', 'NX', 'PX', ARGV[1]) then
        redis.call('SREM', KEYS[1], m)
        table.insert(out, m)
      end
    end
    return out
    """);

  // Flat replies whatever protocol version the connection negotiated.
  static final RedisScript FLAT_ZRANGE = new RedisScript("return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')");
  static final RedisScript FLAT_HGETALL = new RedisScript("return redis.call('HGETALL', KEYS[1])");
}
