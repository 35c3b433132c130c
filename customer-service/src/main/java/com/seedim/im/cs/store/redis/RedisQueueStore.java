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
 * {@link QueueStore} on Redis. Keys: the {@code q*} keys of {@link CsKeys}, all in the app's slot
 * ({@code {cs:<app>}}) but the notifier's dirty set and round markers ({@code {cs-dirty:<kind>}}).
 * The take is one script: agent capacity check, pop of the first still-waiting present candidate, and the room
 * (see {@link RedisRoomStore}) with its idle deadline, so a waiter goes to exactly one agent across all nodes.
 *
 * <p>Round trips: one per operation, except where the waiter's current queue names a key the script needs
 * ({@link Reread}): {@link #leave}, {@link #removeIfAbsent} and {@link #position} of a customer who waits take two
 * (the first run finds the queue), an {@link #enter} that moves the customer to another queue takes two.
 */
final class RedisQueueStore implements QueueStore {
  /** Queue ids per {@link RedisQueueScripts#CANDIDATES} run (M9). */
  static final int CANDIDATE_QUEUES_PER_CALL = 32;

  private final RedisAPI api;
  private final CsKeys keys;

  RedisQueueStore(RedisAPI api, CsKeys keys) {
    this.api = api;
    this.keys = keys;
  }

  @Override
  public Future<Enter> enter(String appId, String queueId, String userId, int maxQueueLength, long now) {
    return enter(appId, queueId, userId, maxQueueLength, now, 0);
  }

  /** Two round trips when the customer moves from another queue (its keys are learnt by the first run). */
  @Override
  public Future<Enter> enter(String appId, String queueId, String userId, int maxQueueLength, long now, int maxQueues) {
    return Reread.run("enter of " + appId + "/" + userId + " into " + queueId, seen -> {
      List<String> k = new ArrayList<>(List.of(keys.line(appId, queueId), keys.waiting(appId), keys.absent(appId),
        keys.queueIds(appId), keys.userRooms(appId, userId), keys.sent(appId, queueId)));
      String expected = seen.isEmpty() ? "" : seen.get(0);
      if (!expected.isEmpty()) {
        k.add(keys.line(appId, expected));
        k.add(keys.sent(appId, expected));
      }
      return RedisQueueScripts.ENTER.run(api, k, List.of(userId, queueId, Long.toString(now),
        Integer.toString(maxQueueLength), Integer.toString(Math.max(0, maxQueues)), expected));
    }, r -> {
      EnterOutcome o = EnterOutcome.valueOf(r.get(0).toString());
      if (r.size() < 4) {
        return new Enter(o, null, 0, 0);
      }
      String prev = r.get(1).toString();
      return new Enter(o, prev.isEmpty() ? null : prev, r.get(2).toInteger(), r.get(3).toInteger());
    });
  }

  private Future<Waiter> remove(String appId, String userId, boolean onlyIfAbsent) {
    return Reread.run("leave of " + appId + "/" + userId, seen -> {
      List<String> k = new ArrayList<>(List.of(keys.waiting(appId), keys.absent(appId), keys.queueIds(appId)));
      String expected = seen.isEmpty() ? "" : seen.get(0);
      if (!expected.isEmpty()) {
        k.add(keys.line(appId, expected));
        k.add(keys.sent(appId, expected));
      }
      return RedisQueueScripts.LEAVE.run(api, k, List.of(userId, onlyIfAbsent ? "1" : "0", expected));
    }, r -> r == null ? null : new Waiter(r.get(1).toString(), userId, (long) Double.parseDouble(r.get(2).toString())));
  }

  /** Two round trips when the customer waits (the first run finds its queue), one otherwise. */
  @Override
  public Future<Waiter> leave(String appId, String userId) {
    return remove(appId, userId, false);
  }

  /** Two round trips when the customer waits absent (the first run finds its queue), one otherwise. */
  @Override
  public Future<Waiter> removeIfAbsent(String appId, String userId) {
    return remove(appId, userId, true);
  }

  /** Two round trips when the customer waits (the first run finds its queue), one otherwise. */
  @Override
  public Future<Position> position(String appId, String userId) {
    return position(appId, userId, null);
  }

  /** One round trip when {@code expectedQueue} is right or the customer does not wait, else two. */
  @Override
  public Future<Position> position(String appId, String userId, String expectedQueue) {
    List<String> hint = expectedQueue == null ? List.of() : List.of(expectedQueue);
    return Reread.run("position of " + appId + "/" + userId, hint, seen -> {
      List<String> k = new ArrayList<>(List.of(keys.waiting(appId)));
      String expected = seen.isEmpty() ? "" : seen.get(0);
      if (!expected.isEmpty()) {
        k.add(keys.line(appId, expected));
      }
      return RedisQueueScripts.POSITION.run(api, k, List.of(userId, expected));
    }, r -> r == null ? null : new Position(r.get(1).toString(), r.get(2).toInteger(), r.get(3).toInteger(),
      (long) Double.parseDouble(r.get(4).toString())));
  }

  @Override
  public Future<List<Waiter>> waiters(String appId, String queueId) {
    return RedisQueueScripts.FLAT_ZRANGE.run(api, List.of(keys.line(appId, queueId)), List.of()).map(r -> {
      List<Waiter> out = new ArrayList<>();
      for (int i = 0; i + 1 < r.size(); i += 2) {
        out.add(new Waiter(queueId, r.get(i).toString(), (long) Double.parseDouble(r.get(i + 1).toString())));
      }
      return out;
    });
  }

  @Override
  public Future<List<String>> queueIds(String appId) {
    return api.smembers(keys.queueIds(appId)).map(RedisRoomStore::strings);
  }

  @Override
  public Future<Integer> agentRooms(String appId, String agentId) {
    return api.zcard(keys.userRooms(appId, agentId)).map(Response::toInteger);
  }

  @Override
  public Future<List<Waiter>> candidates(String appId, List<String> queueIds, int limit) {
    // M9: a few queues per script run, so many queues never block Redis in one long Lua call
    List<Future<Response>> parts = new ArrayList<>();
    for (int from = 0; from < queueIds.size() || from == 0; from += CANDIDATE_QUEUES_PER_CALL) {
      List<String> k = new ArrayList<>();
      List<String> args = new ArrayList<>();
      k.add(keys.absent(appId));
      args.add(Integer.toString(limit));
      for (String q : queueIds.subList(from, Math.min(queueIds.size(), from + CANDIDATE_QUEUES_PER_CALL))) {
        k.add(keys.line(appId, q));
        args.add(q);
      }
      parts.add(RedisQueueScripts.CANDIDATES.run(api, k, args));
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
    List<String> k = new ArrayList<>(RedisQueueScripts.TAKE_FIXED_KEYS
      + RedisQueueScripts.TAKE_KEYS_PER_CANDIDATE * candidates.size());
    k.addAll(List.of(keys.userRooms(appId, agentId), keys.waiting(appId), keys.absent(appId), keys.rooms(appId),
      keys.deadlines(appId, RoomStore.ROOM_DEADLINES), keys.queueIds(appId), keys.room(appId, spec.roomId()),
      keys.userRoom(appId, agentId)));
    List<String> args = new ArrayList<>(List.of(agentId, Integer.toString(maxRooms), spec.roomId(),
      Long.toString(spec.createdAt()), spec.template(), spec.idleDeadlineMember(), Long.toString(spec.idleDeadline())));
    for (Waiter w : candidates) {
      k.addAll(List.of(keys.line(appId, w.queueId()), keys.sent(appId, w.queueId()), keys.userRoom(appId, w.userId()),
        keys.userRooms(appId, w.userId())));
      args.add(w.queueId());
      args.add(w.userId());
    }
    return RedisQueueScripts.TAKE.run(api, k, args)
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
    return RedisQueueScripts.MARK_ABSENT.run(api, List.of(keys.waiting(appId), keys.absent(appId)), List.of(userId)).map(r -> r == null ? null : r.toString());
  }

  @Override
  public Future<String> markPresent(String appId, String userId) {
    return api.srem(List.of(keys.absent(appId), userId)).compose(x -> api.hget(keys.waiting(appId), userId))
      .map(r -> r == null ? null : r.toString());
  }

  @Override
  public Future<Map<String, String>> sentPositions(String appId, String queueId) {
    return RedisQueueScripts.FLAT_HGETALL.run(api, List.of(keys.sent(appId, queueId)), List.of()).map(r -> {
      Map<String, String> out = new HashMap<>();
      for (int i = 0; i + 1 < r.size(); i += 2) {
        out.put(r.get(i).toString(), r.get(i + 1).toString());
      }
      return out;
    });
  }

  @Override
  public Future<Void> saveSentPositions(String appId, String queueId, Map<String, String> set, List<String> removed) {
    String key = keys.sent(appId, queueId);
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
    return api.sadd(List.of(keys.dirty(kind), appId + "|" + queueId)).mapEmpty();
  }

  @Override
  public Future<List<String>> claimDirty(String kind, long throttleMs, int limit) {
    return RedisQueueScripts.CLAIM_DIRTY.run(api, List.of(keys.dirty(kind), keys.rounds(kind)),
        List.of(Long.toString(throttleMs), Integer.toString(limit)))
      .map(RedisRoomStore::strings);
  }

  @Override
  public Future<Void> agentOnline(String appId, String agentId, boolean online) {
    String key = keys.agents(appId);
    return (online ? api.sadd(List.of(key, agentId)) : api.srem(List.of(key, agentId))).mapEmpty();
  }

  @Override
  public Future<List<String>> onlineAgents(String appId) {
    return api.smembers(keys.agents(appId)).map(RedisRoomStore::strings);
  }

  @Override
  public Future<String> agentStatus(String appId, String agentId) {
    return api.hget(keys.agentStatuses(appId), agentId).map(r -> r == null ? AVAILABLE : r.toString());
  }

  @Override
  public Future<Void> setAgentStatus(String appId, String agentId, String status) {
    return api.hset(List.of(keys.agentStatuses(appId), agentId, status)).mapEmpty();
  }

  @Override
  public Future<Map<String, String>> agentStatuses(String appId) {
    return RedisQueueScripts.FLAT_HGETALL.run(api, List.of(keys.agentStatuses(appId)), List.of()).map(r -> {
      Map<String, String> out = new HashMap<>();
      for (int i = 0; i + 1 < r.size(); i += 2) {
        out.put(r.get(i).toString(), r.get(i + 1).toString());
      }
      return out;
    });
  }
}
