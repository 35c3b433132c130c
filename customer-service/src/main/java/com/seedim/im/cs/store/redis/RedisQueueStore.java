package com.seedim.im.cs.store.redis;

import com.seedim.im.common.store.redis.RedisScript;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomStore;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link QueueStore} on Redis. Keys (P = deployment prefix):
 * <ul>
 *   <li>{@code P q:<app>:<queue>} zset waiter → entry ms (ties by id): the line</li>
 *   <li>{@code P qu:<app>} hash waiter → queue (a customer waits in at most one queue)</li>
 *   <li>{@code P qa:<app>} set of absent waiters (skipped by takes, keep their place)</li>
 *   <li>{@code P qids:<app>} set of queue ids used</li>
 *   <li>{@code P qsent:<app>:<queue>} hash waiter → last 410 sent ({@code index:total})</li>
 *   <li>{@code P qdirty:<kind>} set of changed {@code app|queue}; {@code P qround:<kind>:<app>|<queue>} throttle (PX)</li>
 *   <li>{@code P qagents:<app>} set of online agents</li>
 * </ul>
 * The take is one script: agent capacity check, pop of the first still-waiting present candidate, and the room
 * (see {@link RedisRoomStore}) with its idle deadline, so a waiter goes to exactly one agent across all nodes.
 */
final class RedisQueueStore implements QueueStore {
  // KEYS: line, qu, qa, qids, urooms of user. ARGV: user, queue, now, maxLen, line prefix, sent prefix, maxQueues.
  // qids holds the non-empty queues only (M9): a queue leaves it when its last waiter goes.
  private static final RedisScript ENTER = new RedisScript("""
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
  private static final RedisScript LEAVE = new RedisScript("""
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
  private static final RedisScript POSITION = new RedisScript("""
    local cur = redis.call('HGET', KEYS[1], ARGV[1])
    if not cur then return false end
    local rank = redis.call('ZRANK', ARGV[2] .. cur, ARGV[1])
    if not rank then return false end
    return {cur, rank + 1, redis.call('ZCARD', ARGV[2] .. cur), redis.call('ZSCORE', ARGV[2] .. cur, ARGV[1])}
    """);

  // KEYS: qa. ARGV: line prefix, limit, queue ids... Returns flat {queue, user, score}.
  private static final RedisScript CANDIDATES = new RedisScript("""
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
  // overwritten and the caller retries with a new id. The template's customer placeholder is outside the id grammar
  // (L6), so no user id can be mistaken for it.
  // ARGV: agent, maxRooms, roomId, createdAt, template, idle member, idle due, line prefix, sent prefix,
  //       uroom prefix, urooms prefix, room key, then queue/user pairs.
  private static final RedisScript TAKE = new RedisScript("""
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
          local d = string.gsub(ARGV[5], '#customer#', u)
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
    """);

  // KEYS: qu, qa. ARGV: user. Marks absent if waiting; returns the queue or nil.
  private static final RedisScript MARK_ABSENT = new RedisScript("""
    local cur = redis.call('HGET', KEYS[1], ARGV[1])
    if not cur then return false end
    redis.call('SADD', KEYS[2], ARGV[1])
    return cur
    """);

  // KEYS: dirty set. ARGV: throttle ms, limit, round key prefix.
  private static final RedisScript CLAIM_DIRTY = new RedisScript("""
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
  private static final RedisScript FLAT_ZRANGE = new RedisScript("return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')");
  private static final RedisScript FLAT_HGETALL = new RedisScript("return redis.call('HGETALL', KEYS[1])");

  /** Queue ids per CANDIDATES script run (M9). */
  static final int CANDIDATE_QUEUES_PER_CALL = 32;

  private final RedisAPI api;
  private final String prefix;
  private final RedisRoomStore rooms;

  RedisQueueStore(RedisAPI api, String prefix, RedisRoomStore rooms) {
    this.api = api;
    this.prefix = prefix;
    this.rooms = rooms;
  }

  private String linePrefix(String appId) {
    return prefix + "q:" + appId + ":";
  }

  private String sentPrefix(String appId) {
    return prefix + "qsent:" + appId + ":";
  }

  private String qu(String appId) {
    return prefix + "qu:" + appId;
  }

  private String qa(String appId) {
    return prefix + "qa:" + appId;
  }

  private String qids(String appId) {
    return prefix + "qids:" + appId;
  }

  @Override
  public Future<Enter> enter(String appId, String queueId, String userId, int maxQueueLength, long now) {
    return enter(appId, queueId, userId, maxQueueLength, now, 0);
  }

  @Override
  public Future<Enter> enter(String appId, String queueId, String userId, int maxQueueLength, long now, int maxQueues) {
    return ENTER.run(api, List.of(linePrefix(appId) + queueId, qu(appId), qa(appId), qids(appId),
        rooms.uroomsPrefix(appId) + userId),
      List.of(userId, queueId, Long.toString(now), Integer.toString(maxQueueLength), linePrefix(appId), sentPrefix(appId),
        Integer.toString(Math.max(0, maxQueues))))
      .map(r -> {
        EnterOutcome o = EnterOutcome.valueOf(r.get(0).toString());
        if (r.size() < 4) {
          return new Enter(o, null, 0, 0);
        }
        String prev = r.get(1).toString();
        return new Enter(o, prev.isEmpty() ? null : prev, r.get(2).toInteger(), r.get(3).toInteger());
      });
  }

  private Future<Waiter> remove(String appId, String userId, boolean onlyIfAbsent) {
    return LEAVE.run(api, List.of(qu(appId), qa(appId), qids(appId)),
        List.of(userId, linePrefix(appId), sentPrefix(appId), onlyIfAbsent ? "1" : "0"))
      .map(r -> r == null ? null : new Waiter(r.get(0).toString(), userId, (long) Double.parseDouble(r.get(1).toString())));
  }

  @Override
  public Future<Waiter> leave(String appId, String userId) {
    return remove(appId, userId, false);
  }

  @Override
  public Future<Waiter> removeIfAbsent(String appId, String userId) {
    return remove(appId, userId, true);
  }

  @Override
  public Future<Position> position(String appId, String userId) {
    return POSITION.run(api, List.of(qu(appId)), List.of(userId, linePrefix(appId)))
      .map(r -> r == null ? null : new Position(r.get(0).toString(), r.get(1).toInteger(), r.get(2).toInteger(),
        (long) Double.parseDouble(r.get(3).toString())));
  }

  @Override
  public Future<List<Waiter>> waiters(String appId, String queueId) {
    return FLAT_ZRANGE.run(api, List.of(linePrefix(appId) + queueId), List.of()).map(r -> {
      List<Waiter> out = new ArrayList<>();
      for (int i = 0; i + 1 < r.size(); i += 2) {
        out.add(new Waiter(queueId, r.get(i).toString(), (long) Double.parseDouble(r.get(i + 1).toString())));
      }
      return out;
    });
  }

  @Override
  public Future<List<String>> queueIds(String appId) {
    return api.smembers(qids(appId)).map(RedisRoomStore::strings);
  }

  @Override
  public Future<Integer> agentRooms(String appId, String agentId) {
    return api.zcard(rooms.uroomsPrefix(appId) + agentId).map(Response::toInteger);
  }

  @Override
  public Future<List<Waiter>> candidates(String appId, List<String> queueIds, int limit) {
    // M9: a few queues per script run, so many queues never block Redis in one long Lua call
    List<Future<Response>> parts = new ArrayList<>();
    for (int from = 0; from < queueIds.size() || from == 0; from += CANDIDATE_QUEUES_PER_CALL) {
      List<String> args = new ArrayList<>();
      args.add(linePrefix(appId));
      args.add(Integer.toString(limit));
      args.addAll(queueIds.subList(from, Math.min(queueIds.size(), from + CANDIDATE_QUEUES_PER_CALL)));
      parts.add(CANDIDATES.run(api, List.of(qa(appId)), args));
    }
    return Future.all(parts).map(all -> {
      List<Waiter> out = new ArrayList<>();
      for (Future<Response> part : parts) {
        Response r = part.result();
        for (int i = 0; i + 2 < r.size(); i += 3) {
          out.add(new Waiter(r.get(i).toString(), r.get(i + 1).toString(), (long) Double.parseDouble(r.get(i + 2).toString())));
        }
      }
      out.sort((a, b) -> a.enteredAt() != b.enteredAt() ? Long.compare(a.enteredAt(), b.enteredAt())
        : a.userId().compareTo(b.userId()));
      return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    });
  }

  @Override
  public Future<Take> take(String appId, String agentId, int maxRooms, List<Waiter> candidates, RoomSpec spec) {
    List<String> args = new ArrayList<>(List.of(agentId, Integer.toString(maxRooms), spec.roomId(),
      Long.toString(spec.createdAt()), spec.template(), spec.idleDeadlineMember(), Long.toString(spec.idleDeadline()),
      linePrefix(appId), sentPrefix(appId), rooms.uroomPrefix(appId), rooms.uroomsPrefix(appId),
      rooms.roomKey(appId, spec.roomId())));
    for (Waiter w : candidates) {
      args.add(w.queueId());
      args.add(w.userId());
    }
    return TAKE.run(api, List.of(rooms.uroomsPrefix(appId) + agentId, qu(appId), qa(appId), rooms.roomsKey(appId),
        prefix + "dl:" + RoomStore.ROOM_DEADLINES, qids(appId)), args)
      .map(r -> {
        TakeOutcome o = TakeOutcome.valueOf(r.get(0).toString());
        if (o != TakeOutcome.TAKEN) {
          return new Take(o, null);
        }
        return new Take(o, new Waiter(r.get(1).toString(), r.get(2).toString(), (long) Double.parseDouble(r.get(3).toString())));
      });
  }

  @Override
  public Future<String> markAbsent(String appId, String userId) {
    return MARK_ABSENT.run(api, List.of(qu(appId), qa(appId)), List.of(userId)).map(r -> r == null ? null : r.toString());
  }

  @Override
  public Future<String> markPresent(String appId, String userId) {
    return api.srem(List.of(qa(appId), userId)).compose(x -> api.hget(qu(appId), userId))
      .map(r -> r == null ? null : r.toString());
  }

  @Override
  public Future<Map<String, String>> sentPositions(String appId, String queueId) {
    return FLAT_HGETALL.run(api, List.of(sentPrefix(appId) + queueId), List.of()).map(r -> {
      Map<String, String> out = new HashMap<>();
      for (int i = 0; i + 1 < r.size(); i += 2) {
        out.put(r.get(i).toString(), r.get(i + 1).toString());
      }
      return out;
    });
  }

  @Override
  public Future<Void> saveSentPositions(String appId, String queueId, Map<String, String> set, List<String> removed) {
    String key = sentPrefix(appId) + queueId;
    List<Future<?>> all = new ArrayList<>();
    if (!set.isEmpty()) {
      List<String> args = new ArrayList<>(1 + set.size() * 2);
      args.add(key);
      set.forEach((k, v) -> {
        args.add(k);
        args.add(v);
      });
      all.add(api.hset(args));
    }
    if (!removed.isEmpty()) {
      List<String> args = new ArrayList<>(1 + removed.size());
      args.add(key);
      args.addAll(removed);
      all.add(api.hdel(args));
    }
    return Future.all(all).mapEmpty();
  }

  @Override
  public Future<Void> markDirty(String kind, String appId, String queueId) {
    return api.sadd(List.of(prefix + "qdirty:" + kind, appId + "|" + queueId)).mapEmpty();
  }

  @Override
  public Future<List<String>> claimDirty(String kind, long throttleMs, int limit) {
    return CLAIM_DIRTY.run(api, List.of(prefix + "qdirty:" + kind),
        List.of(Long.toString(throttleMs), Integer.toString(limit), prefix + "qround:" + kind + ":"))
      .map(RedisRoomStore::strings);
  }

  @Override
  public Future<Void> agentOnline(String appId, String agentId, boolean online) {
    String key = prefix + "qagents:" + appId;
    return (online ? api.sadd(List.of(key, agentId)) : api.srem(List.of(key, agentId))).mapEmpty();
  }

  @Override
  public Future<List<String>> onlineAgents(String appId) {
    return api.smembers(prefix + "qagents:" + appId).map(RedisRoomStore::strings);
  }
}
