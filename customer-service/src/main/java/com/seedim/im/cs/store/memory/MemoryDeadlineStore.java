package com.seedim.im.cs.store.memory;

import com.seedim.im.cs.store.DeadlineStore;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Dev-mode {@link DeadlineStore}. */
final class MemoryDeadlineStore implements DeadlineStore {
  private final Map<String, Map<String, Long>> sets = new HashMap<>();

  private Map<String, Long> set(String name) {
    return sets.computeIfAbsent(name, k -> new HashMap<>());
  }

  @Override
  public synchronized Future<Void> schedule(String set, String member, long dueAt) {
    set(set).put(member, dueAt);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> cancel(String set, String member) {
    set(set).remove(member);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<Claim>> claimDue(String set, long now, long leaseMs, int limit) {
    List<Map.Entry<String, Long>> due = new ArrayList<>();
    for (Map.Entry<String, Long> e : set(set).entrySet()) {
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
      set(set).put(c.member(), lease);
    }
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<Void> done(String set, Claim claim) {
    Map<String, Long> s = set(set);
    Long v = s.get(claim.member());
    if (v != null && v == claim.lease()) {
      s.remove(claim.member());
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Long> dueAt(String set, String member) {
    return Future.succeededFuture(set(set).get(member));
  }
}
