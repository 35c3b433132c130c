package com.seedim.im.common.events;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The outbox of dev mode: the same rules as {@link MySqlEventStore}, in this process's memory (not durable). */
public final class MemoryEventStore implements EventStore {
  private final Map<String, TreeMap<Long, Event>> log = new HashMap<>();
  private final Map<String, TreeSet<Long>> pending = new HashMap<>();
  private final Map<String, JsonObject> workers = new TreeMap<>();

  private static String pendingKey(String appId, String endpoint) {
    return appId + '\n' + endpoint;
  }

  @Override
  public synchronized Future<Void> append(List<Event> events) {
    for (Event e : events) {
      log.computeIfAbsent(e.appId(), a -> new TreeMap<>()).put(e.id(), e);
      for (String endpoint : e.endpoints()) {
        pending.computeIfAbsent(pendingKey(e.appId(), endpoint), k -> new TreeSet<>()).add(e.id());
      }
    }
    return Future.succeededFuture();
  }

  private JsonObject worker(String name) {
    return workers.computeIfAbsent(name, n -> new JsonObject().put("name", n).put("owner", "").put("leaseUntil", 0L)
      .put("position", 0L).put("failures", 0).put("nextTryAt", 0L).put("pausedUntil", 0L).put("lastError", ""));
  }

  @Override
  public synchronized Future<Lease> lease(String name, String owner, long nowMs, long leaseMs) {
    JsonObject w = worker(name);
    if (w.getLong("leaseUntil") < nowMs || owner.equals(w.getString("owner"))) {
      w.put("owner", owner).put("leaseUntil", nowMs + leaseMs);
    }
    return Future.succeededFuture(new Lease(owner.equals(w.getString("owner")), w.getLong("position"),
      w.getInteger("failures"), w.getLong("nextTryAt"), w.getLong("pausedUntil")));
  }

  @Override
  public synchronized Future<Void> release(String name, String owner) {
    JsonObject w = worker(name);
    if (owner.equals(w.getString("owner"))) {
      w.put("leaseUntil", 0L);
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<Pending>> pending(String appId, String endpoint, int limit) {
    List<Pending> out = new ArrayList<>();
    TreeSet<Long> ids = pending.get(pendingKey(appId, endpoint));
    TreeMap<Long, Event> events = log.get(appId);
    if (ids != null && events != null) {
      for (Long id : ids) {
        Event e = events.get(id);
        if (e != null) {
          out.add(new Pending(e.id(), e.type().wire(), e.createdAt(), e.data().encode()));
          if (out.size() >= limit) {
            break;
          }
        }
      }
    }
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<Void> delivered(String appId, String endpoint, List<Long> ids) {
    TreeSet<Long> set = pending.get(pendingKey(appId, endpoint));
    if (set != null) {
      ids.forEach(set::remove);
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> failed(String name, String owner, int failures, long nextTryAt, long pausedUntil,
                                          String error) {
    JsonObject w = worker(name);
    if (owner.equals(w.getString("owner"))) {
      w.put("failures", failures).put("nextTryAt", nextTryAt).put("pausedUntil", pausedUntil)
        .put("lastError", error == null ? "" : error);
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Boolean> appendAndAdvance(List<Event> events, String name, String owner, long position) {
    JsonObject w = worker(name);
    if (!owner.equals(w.getString("owner")) || w.getLong("leaseUntil") <= System.currentTimeMillis()) {
      return Future.succeededFuture(false);
    }
    w.put("position", position);
    append(events);
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<List<JsonObject>> replay(String appId, long after, long before, Set<String> types, int limit) {
    List<JsonObject> out = new ArrayList<>();
    TreeMap<Long, Event> events = log.get(appId);
    if (events != null && after + 1 < before) {
      for (Event e : events.subMap(after, false, before, false).values()) {
        if (types == null || types.isEmpty() || types.contains(e.type().wire())) {
          out.add(e.envelope());
          if (out.size() >= limit) {
            break;
          }
        }
      }
    }
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<Integer> purge(String appId, long beforeId, int limit) {
    TreeMap<Long, Event> events = log.get(appId);
    int n = 0;
    if (events != null) {
      var head = events.headMap(beforeId, false);
      while (!head.isEmpty() && n < limit) {
        head.pollFirstEntry();
        n++;
      }
    }
    for (Map.Entry<String, TreeSet<Long>> e : pending.entrySet()) {
      if (e.getKey().startsWith(appId + '\n')) {
        e.getValue().headSet(beforeId, false).clear();
      }
    }
    return Future.succeededFuture(n);
  }

  @Override
  public synchronized Future<List<JsonObject>> workers() {
    List<JsonObject> out = new ArrayList<>();
    workers.values().forEach(w -> out.add(w.copy()));
    return Future.succeededFuture(out);
  }
}
