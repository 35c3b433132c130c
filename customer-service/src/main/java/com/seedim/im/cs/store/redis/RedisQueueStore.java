package com.seedim.im.cs.store.redis;

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
  /** Queue ids per {@link RedisQueueScripts#CANDIDATES} run (M9). */
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
    return RedisQueueScripts.ENTER.run(api, List.of(linePrefix(appId) + queueId, qu(appId), qa(appId), qids(appId),
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
    return RedisQueueScripts.LEAVE.run(api, List.of(qu(appId), qa(appId), qids(appId)),
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
    return RedisQueueScripts.POSITION.run(api, List.of(qu(appId)), List.of(userId, linePrefix(appId)))
      .map(r -> r == null ? null : new Position(r.get(0).toString(), r.get(1).toInteger(), r.get(2).toInteger(),
        (long) Double.parseDouble(r.get(3).toString())));
  }

  @Override
  public Future<List<Waiter>> waiters(String appId, String queueId) {
    return RedisQueueScripts.FLAT_ZRANGE.run(api, List.of(linePrefix(appId) + queueId), List.of()).map(r -> {
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
      parts.add(RedisQueueScripts.CANDIDATES.run(api, List.of(qa(appId)), args));
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
    return RedisQueueScripts.TAKE.run(api, List.of(rooms.uroomsPrefix(appId) + agentId, qu(appId), qa(appId), rooms.roomsKey(appId),
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
    return RedisQueueScripts.MARK_ABSENT.run(api, List.of(qu(appId), qa(appId)), List.of(userId)).map(r -> r == null ? null : r.toString());
  }

  @Override
  public Future<String> markPresent(String appId, String userId) {
    return api.srem(List.of(qa(appId), userId)).compose(x -> api.hget(qu(appId), userId))
      .map(r -> r == null ? null : r.toString());
  }

  @Override
  public Future<Map<String, String>> sentPositions(String appId, String queueId) {
    return RedisQueueScripts.FLAT_HGETALL.run(api, List.of(sentPrefix(appId) + queueId), List.of()).map(r -> {
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
    return RedisQueueScripts.CLAIM_DIRTY.run(api, List.of(prefix + "qdirty:" + kind),
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
