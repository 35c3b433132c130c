package com.seedim.im.cs.store.memory;

import com.seedim.im.cs.store.DeadlineStore;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Dev-mode {@link DeadlineStore}: one map per app and set. */
final class MemoryDeadlineStore implements DeadlineStore {
  private final Map<String, Map<String, Long>> sets = new HashMap<>();

  private Map<String, Long> set(String appId, String name) {
    return sets.computeIfAbsent(appId + '|' + name, k -> new HashMap<>());
  }

  @Override
  public synchronized Future<Void> schedule(String appId, String set, String member, long dueAt) {
    set(appId, set).put(member, dueAt);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> cancel(String appId, String set, String member) {
    set(appId, set).remove(member);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<Claim>> claimDue(String appId, String set, long now, long leaseMs, int limit) {
    List<Map.Entry<String, Long>> due = new ArrayList<>();
    for (Map.Entry<String, Long> e : set(appId, set).entrySet()) {
      if (e.getValue() <= now) {
        due.add(e);
      }
    }
    due.sort(Map.Entry.comparingByValue());
    List<Claim> out = new ArrayList<>();
    long lease = now + leaseMs;
    for (Map.Entry<String, Long> e : due) {
      if (out.size() >= limit) {
        break;
      }
      out.add(new Claim(e.getKey(), lease));
    }
    for (Claim c : out) {
      set(appId, set).put(c.member(), lease);
    }
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<Void> done(String appId, String set, Claim claim) {
    Map<String, Long> s = set(appId, set);
    Long v = s.get(claim.member());
    if (v != null && v == claim.lease()) {
      s.remove(claim.member());
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Long> dueAt(String appId, String set, String member) {
    return Future.succeededFuture(set(appId, set).get(member));
  }
}
