package com.seedim.im.cs.store.redis;

import com.seedim.im.common.store.redis.RedisScript;
import com.seedim.im.cs.store.QueueStore;

/**
 * The Lua scripts of {@link RedisQueueStore}: each one atomic step on the keys listed there. Redis Cluster: every
 * key a script touches comes in KEYS (none is built inside a script), all of one app's slot ({@link CsKeys}). A
 * script that learns a key only by reading (the waiter's current queue) is told what to expect and replies
 * {@code RETRY} with what it found, changing nothing, when that differs ({@link Reread}).
 */
final class RedisQueueScripts {
  private RedisQueueScripts() {
  }

  // KEYS: line, qu, qa, qids, urooms of user, sent of the queue[, line and sent of the expected previous queue].
  // ARGV: user, queue, now, maxLen, maxQueues, expected previous queue ('' none).
  // qids holds the non-empty queues only (M9): a queue leaves it when its last waiter goes.
  static final RedisScript ENTER = new RedisScript("""
    if redis.call('ZCARD', KEYS[5]) > 0 then return {'IN_ROOM'} end
    local cur = redis.call('HGET', KEYS[2], ARGV[1])
    if cur and cur ~= ARGV[2] and cur ~= ARGV[6] then return {'RETRY', cur} end
    if cur == ARGV[2] then
      local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
      if rank then
        redis.call('SREM', KEYS[3], ARGV[1])
        local card = redis.call('ZCARD', KEYS[1])
        redis.call('HSET', KEYS[6], ARGV[1], (rank + 1) .. ':' .. card)
        return {'SAME', '', rank + 1, card}
      end
    end
    if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return {'FULL'} end
    if tonumber(ARGV[5]) > 0 and redis.call('SISMEMBER', KEYS[4], ARGV[2]) == 0
      and redis.call('SCARD', KEYS[4]) >= tonumber(ARGV[5]) then return {'TOO_MANY_QUEUES'} end
    local prev = ''
    if cur and cur ~= ARGV[2] then
      redis.call('ZREM', KEYS[7], ARGV[1])
      redis.call('HDEL', KEYS[8], ARGV[1])
      if redis.call('ZCARD', KEYS[7]) == 0 then redis.call('SREM', KEYS[4], cur) end
      prev = cur
    end
    redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
    redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
    redis.call('SREM', KEYS[3], ARGV[1])
    redis.call('SADD', KEYS[4], ARGV[2])
    local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
    local card = redis.call('ZCARD', KEYS[1])
    redis.call('HSET', KEYS[6], ARGV[1], (rank + 1) .. ':' .. card)
    local outcome = 'ENTERED'
    if prev ~= '' then outcome = 'MOVED' end
    return {outcome, prev, rank + 1, card}
    """);

  // KEYS: qu, qa, qids[, line and sent of the expected queue]. ARGV: user, onlyIfAbsent (1/0), expected queue ('' none).
  // Returns {'LEFT', queue, enteredAt} or nil.
  static final RedisScript LEAVE = new RedisScript("""
    if ARGV[2] == '1' and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return false end
    local cur = redis.call('HGET', KEYS[1], ARGV[1])
    if cur and cur ~= ARGV[3] then return {'RETRY', cur} end
    redis.call('SREM', KEYS[2], ARGV[1])
    if not cur then return false end
    local score = redis.call('ZSCORE', KEYS[4], ARGV[1])
    redis.call('ZREM', KEYS[4], ARGV[1])
    redis.call('HDEL', KEYS[5], ARGV[1])
    redis.call('HDEL', KEYS[1], ARGV[1])
    if redis.call('ZCARD', KEYS[4]) == 0 then redis.call('SREM', KEYS[3], cur) end
    return {'LEFT', cur, score or '0'}
    """);

  // KEYS: qu[, line of the expected queue]. ARGV: user, expected queue ('' none).
  // Returns {'AT', queue, index, total, enteredAt} or nil.
  static final RedisScript POSITION = new RedisScript("""
    local cur = redis.call('HGET', KEYS[1], ARGV[1])
    if not cur then return false end
    if cur ~= ARGV[2] then return {'RETRY', cur} end
    local rank = redis.call('ZRANK', KEYS[2], ARGV[1])
    if not rank then return false end
    return {'AT', cur, rank + 1, redis.call('ZCARD', KEYS[2]), redis.call('ZSCORE', KEYS[2], ARGV[1])}
    """);

  // KEYS: qa, then the line of each queue. ARGV: limit, then the queue ids (ARGV[i] is the queue of KEYS[i]).
  // Returns flat {queue, user, score}.
  static final RedisScript CANDIDATES = new RedisScript("""
    local out = {}
    local limit = tonumber(ARGV[1])
    for i = 2, #KEYS do
      local n, start = 0, 0
      while n < limit and start < 5000 do
        local chunk = redis.call('ZRANGE', KEYS[i], start, start + 99, 'WITHSCORES')
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

  /** KEYS of {@link #TAKE} before the per-candidate ones. */
  static final int TAKE_FIXED_KEYS = 8;
  /** KEYS of {@link #TAKE} per candidate: line, sent, uroom, urooms. */
  static final int TAKE_KEYS_PER_CANDIDATE = 4;

  // KEYS: agent urooms, qu, qa, rooms, room deadlines, qids, room, agent uroom; then per candidate its queue's line
  //       and sent, its uroom and urooms.
  // An existing room key is a CONFLICT (M8: two nodes with one id node number issue the same room id): nothing is
  // overwritten and the caller retries with a new id. The template's customer placeholder
  // (QueueStore.CUSTOMER_PLACEHOLDER, put in below) is outside the id grammar (L6), so no user id can be mistaken for it.
  // ARGV: agent, maxRooms, roomId, createdAt, template, idle member, idle due, then queue/user pairs.
  static final RedisScript TAKE = new RedisScript("""
    if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return {'AGENT_BUSY'} end
    if redis.call('EXISTS', KEYS[7]) == 1 then return {'CONFLICT'} end
    for i = 0, (#ARGV - 7) / 2 - 1 do
      local q, u = ARGV[8 + 2 * i], ARGV[9 + 2 * i]
      local k = 9 + 4 * i
      if u ~= ARGV[1] and redis.call('HGET', KEYS[2], u) == q and redis.call('SISMEMBER', KEYS[3], u) == 0
        and redis.call('ZCARD', KEYS[k + 3]) == 0 then
        local score = redis.call('ZSCORE', KEYS[k], u)
        if score then
          redis.call('ZREM', KEYS[k], u)
          redis.call('HDEL', KEYS[k + 1], u)
          redis.call('HDEL', KEYS[2], u)
          if redis.call('ZCARD', KEYS[k]) == 0 then redis.call('SREM', KEYS[6], q) end
          local d = string.gsub(ARGV[5], '%s', u)
          redis.call('HSET', KEYS[7], 'd', d, 'v', 1, 'agent', ARGV[1], 'customer', u)
          redis.call('SET', KEYS[8], ARGV[3])
          redis.call('SET', KEYS[k + 2], ARGV[3])
          redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
          redis.call('ZADD', KEYS[k + 3], ARGV[4], ARGV[3])
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

  // KEYS: dirty set, round zset (member → end of its throttle, Redis clock ms). ARGV: throttle ms, limit.
  // Ended throttles are dropped first, so the zset holds only the queues of the last throttle window.
  static final RedisScript CLAIM_DIRTY = new RedisScript("""
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
    local members = redis.call('SMEMBERS', KEYS[1])
    local out = {}
    for _, m in ipairs(members) do
      if #out >= tonumber(ARGV[2]) then break end
      if not redis.call('ZSCORE', KEYS[2], m) then
        redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), m)
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
