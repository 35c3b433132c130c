package com.seedim.im.cs.store.memory;

import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Dev-mode {@link QueueStore}, sharing the lock of its {@link MemoryRoomStore} so a take opens the room atomically. */
final class MemoryQueueStore implements QueueStore {
  private static final Comparator<Waiter> ORDER =
    Comparator.comparingLong(Waiter::enteredAt).thenComparing(Waiter::userId);

  private final MemoryRoomStore rooms;
  private final Object lock;
  /** app\nqueue → waiters in order. */
  private final Map<String, TreeSet<Waiter>> lines = new HashMap<>();
  /** app\nuser → its entry. */
  private final Map<String, Waiter> byUser = new HashMap<>();
  private final Set<String> absent = new HashSet<>();
  /** app → queue ids ever used. */
  private final Map<String, LinkedHashSet<String>> queueIds = new HashMap<>();
  private final Map<String, Map<String, String>> sent = new HashMap<>();
  private final Map<String, LinkedHashSet<String>> dirty = new HashMap<>();
  private final Map<String, Long> lastRound = new HashMap<>();
  private final Map<String, Set<String>> agents = new HashMap<>();
  /** app → agent → stored §14.1 status. */
  private final Map<String, Map<String, String>> statuses = new HashMap<>();

  MemoryQueueStore(MemoryRoomStore rooms) {
    this.rooms = rooms;
    this.lock = rooms.lock;
  }

  private static String key(String appId, String id) {
    return MemoryRoomStore.key(appId, id);
  }

  private TreeSet<Waiter> line(String appId, String queueId) {
    return lines.computeIfAbsent(key(appId, queueId), k -> new TreeSet<>(ORDER));
  }

  private static int indexOf(TreeSet<Waiter> line, Waiter w) {
    return line.headSet(w, false).size() + 1;
  }

  @Override
  public Future<Enter> enter(String appId, String queueId, String userId, int maxQueueLength, long now) {
    return enter(appId, queueId, userId, maxQueueLength, now, 0);
  }

  /** A line that became empty is forgotten with its queue id (M9). */
  private void dropIfEmpty(String appId, String queueId) {
    TreeSet<Waiter> line = lines.get(key(appId, queueId));
    if (line != null && line.isEmpty()) {
      lines.remove(key(appId, queueId));
      sent.remove(key(appId, queueId));
      LinkedHashSet<String> ids = queueIds.get(appId);
      if (ids != null) {
        ids.remove(queueId);
      }
    }
  }

  @Override
  public Future<Enter> enter(String appId, String queueId, String userId, int maxQueueLength, long now, int maxQueues) {
    synchronized (lock) {
      if (rooms.roomCount(appId, userId) > 0) {
        return Future.succeededFuture(new Enter(EnterOutcome.IN_ROOM, null, 0, 0));
      }
      Waiter cur = byUser.get(key(appId, userId));
      TreeSet<Waiter> line = line(appId, queueId);
      if (cur != null && cur.queueId().equals(queueId)) {
        absent.remove(key(appId, userId));
        int index = indexOf(line, cur);
        sentOf(appId, queueId).put(userId, QueueStore.positionValue(index, line.size()));
        return Future.succeededFuture(new Enter(EnterOutcome.SAME, null, index, line.size()));
      }
      if (line.size() >= maxQueueLength) {
        return Future.succeededFuture(new Enter(EnterOutcome.FULL, null, 0, 0));
      }
      LinkedHashSet<String> known = queueIds.get(appId);
      if (maxQueues > 0 && line.isEmpty() && known != null && !known.contains(queueId) && known.size() >= maxQueues) {
        dropIfEmpty(appId, queueId);
        return Future.succeededFuture(new Enter(EnterOutcome.TOO_MANY_QUEUES, null, 0, 0));
      }
      String previous = null;
      if (cur != null) {
        line(appId, cur.queueId()).remove(cur);
        sentOf(appId, cur.queueId()).remove(userId);
        previous = cur.queueId();
        dropIfEmpty(appId, previous);
      }
      Waiter w = new Waiter(queueId, userId, now);
      line.add(w);
      byUser.put(key(appId, userId), w);
      absent.remove(key(appId, userId));
      queueIds.computeIfAbsent(appId, k -> new LinkedHashSet<>()).add(queueId);
      int index = indexOf(line, w);
      sentOf(appId, queueId).put(userId, QueueStore.positionValue(index, line.size()));
      return Future.succeededFuture(new Enter(previous == null ? EnterOutcome.ENTERED : EnterOutcome.MOVED, previous,
        index, line.size()));
    }
  }

  private Waiter remove(String appId, String userId) {
    Waiter w = byUser.remove(key(appId, userId));
    if (w != null) {
      line(appId, w.queueId()).remove(w);
      sentOf(appId, w.queueId()).remove(userId);
      dropIfEmpty(appId, w.queueId());
    }
    absent.remove(key(appId, userId));
    return w;
  }

  @Override
  public Future<Waiter> leave(String appId, String userId) {
    synchronized (lock) {
      return Future.succeededFuture(remove(appId, userId));
    }
  }

  @Override
  public Future<Position> position(String appId, String userId) {
    synchronized (lock) {
      Waiter w = byUser.get(key(appId, userId));
      if (w == null) {
        return Future.succeededFuture(null);
      }
      TreeSet<Waiter> line = line(appId, w.queueId());
      return Future.succeededFuture(new Position(w.queueId(), indexOf(line, w), line.size(), w.enteredAt()));
    }
  }

  @Override
  public Future<List<Waiter>> waiters(String appId, String queueId) {
    synchronized (lock) {
      TreeSet<Waiter> line = lines.get(key(appId, queueId));
      return Future.succeededFuture(line == null ? List.of() : new ArrayList<>(line));
    }
  }

  @Override
  public Future<List<String>> queueIds(String appId) {
    synchronized (lock) {
      LinkedHashSet<String> s = queueIds.get(appId);
      return Future.succeededFuture(s == null ? List.of() : List.copyOf(s));
    }
  }

  @Override
  public Future<Integer> agentRooms(String appId, String agentId) {
    synchronized (lock) {
      return Future.succeededFuture(rooms.roomCount(appId, agentId));
    }
  }

  @Override
  public Future<List<Waiter>> candidates(String appId, List<String> queueIdList, int limit) {
    synchronized (lock) {
      TreeSet<Waiter> merged = new TreeSet<>(ORDER);
      for (String q : queueIdList) {
        TreeSet<Waiter> line = lines.get(key(appId, q));
        if (line == null) {
          continue;
        }
        int n = 0;
        for (Waiter w : line) {
          if (n >= limit) {
            break;
          }
          if (!absent.contains(key(appId, w.userId()))) {
            merged.add(w);
            n++;
          }
        }
      }
      List<Waiter> out = new ArrayList<>();
      for (Waiter w : merged) {
        if (out.size() >= limit) {
          break;
        }
        out.add(w);
      }
      return Future.succeededFuture(out);
    }
  }

  @Override
  public Future<Take> take(String appId, String agentId, int maxRooms, List<Waiter> candidates, RoomSpec spec) {
    synchronized (lock) {
      if (rooms.roomCount(appId, agentId) >= maxRooms) {
        return Future.succeededFuture(new Take(TakeOutcome.AGENT_BUSY, null));
      }
      if (rooms.exists(appId, spec.roomId())) {
        return Future.succeededFuture(new Take(TakeOutcome.CONFLICT, null));
      }
      for (Waiter c : candidates) {
        Waiter w = byUser.get(key(appId, c.userId()));
        if (w == null || !w.queueId().equals(c.queueId()) || absent.contains(key(appId, c.userId()))
          || rooms.roomCount(appId, c.userId()) > 0 || c.userId().equals(agentId)) {
          continue;
        }
        remove(appId, c.userId());
        JsonObject room = new JsonObject(spec.template().replace(CUSTOMER_PLACEHOLDER, c.userId()));
        rooms.open(appId, room);
        rooms.deadlines().schedule(appId, RoomStore.ROOM_DEADLINES, spec.idleDeadlineMember(), spec.idleDeadline());
        return Future.succeededFuture(new Take(TakeOutcome.TAKEN, w));
      }
      return Future.succeededFuture(new Take(TakeOutcome.NONE, null));
    }
  }

  @Override
  public Future<String> markAbsent(String appId, String userId) {
    synchronized (lock) {
      Waiter w = byUser.get(key(appId, userId));
      if (w == null) {
        return Future.succeededFuture(null);
      }
      absent.add(key(appId, userId));
      return Future.succeededFuture(w.queueId());
    }
  }

  @Override
  public Future<String> markPresent(String appId, String userId) {
    synchronized (lock) {
      absent.remove(key(appId, userId));
      Waiter w = byUser.get(key(appId, userId));
      return Future.succeededFuture(w == null ? null : w.queueId());
    }
  }

  @Override
  public Future<Waiter> removeIfAbsent(String appId, String userId) {
    synchronized (lock) {
      if (!absent.contains(key(appId, userId))) {
        return Future.succeededFuture(null);
      }
      return Future.succeededFuture(remove(appId, userId));
    }
  }

  private Map<String, String> sentOf(String appId, String queueId) {
    return sent.computeIfAbsent(key(appId, queueId), k -> new HashMap<>());
  }

  @Override
  public Future<Map<String, String>> sentPositions(String appId, String queueId) {
    synchronized (lock) {
      return Future.succeededFuture(new HashMap<>(sentOf(appId, queueId)));
    }
  }

  @Override
  public Future<Void> saveSentPositions(String appId, String queueId, Map<String, String> set, List<String> removed) {
    synchronized (lock) {
      Map<String, String> m = sentOf(appId, queueId);
      m.putAll(set);
      removed.forEach(m::remove);
      return Future.succeededFuture();
    }
  }

  @Override
  public Future<Void> markDirty(String kind, String appId, String queueId) {
    synchronized (lock) {
      dirty.computeIfAbsent(kind, k -> new LinkedHashSet<>()).add(appId + '|' + queueId);
      return Future.succeededFuture();
    }
  }

  @Override
  public Future<List<String>> claimDirty(String kind, long throttleMs, int limit) {
    synchronized (lock) {
      LinkedHashSet<String> s = dirty.get(kind);
      List<String> out = new ArrayList<>();
      if (s == null) {
        return Future.succeededFuture(out);
      }
      long now = System.currentTimeMillis();
      for (var it = s.iterator(); it.hasNext() && out.size() < limit; ) {
        String q = it.next();
        Long last = lastRound.get(kind + '|' + q);
        if (last == null || now - last >= throttleMs) {
          it.remove();
          lastRound.put(kind + '|' + q, now);
          out.add(q);
        }
      }
      return Future.succeededFuture(out);
    }
  }

  @Override
  public Future<Void> agentOnline(String appId, String agentId, boolean online) {
    synchronized (lock) {
      if (online) {
        agents.computeIfAbsent(appId, k -> new HashSet<>()).add(agentId);
      } else if (agents.containsKey(appId)) {
        agents.get(appId).remove(agentId);
      }
      return Future.succeededFuture();
    }
  }

  @Override
  public Future<List<String>> onlineAgents(String appId) {
    synchronized (lock) {
      Set<String> s = agents.get(appId);
      return Future.succeededFuture(s == null ? List.of() : List.copyOf(s));
    }
  }

  @Override
  public Future<String> agentStatus(String appId, String agentId) {
    synchronized (lock) {
      return Future.succeededFuture(statuses.getOrDefault(appId, Map.of()).getOrDefault(agentId, AVAILABLE));
    }
  }

  @Override
  public Future<Void> setAgentStatus(String appId, String agentId, String status) {
    synchronized (lock) {
      statuses.computeIfAbsent(appId, k -> new HashMap<>()).put(agentId, status);
      return Future.succeededFuture();
    }
  }

  @Override
  public Future<Map<String, String>> agentStatuses(String appId) {
    synchronized (lock) {
      return Future.succeededFuture(Map.copyOf(statuses.getOrDefault(appId, Map.of())));
    }
  }
}
