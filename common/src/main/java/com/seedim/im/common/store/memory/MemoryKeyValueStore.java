package com.seedim.im.common.store.memory;

import com.seedim.im.common.store.KeyValueStore;
import io.vertx.core.Future;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Dev-mode {@link KeyValueStore}: a concurrent map with lazy expiry. Not durable. */
public final class MemoryKeyValueStore implements KeyValueStore {
  private record Entry(String value, long expiresAt) {
  }

  private static final int SWEEP_EVERY = 1024;
  private final Map<String, Entry> map = new ConcurrentHashMap<>();
  private int writes;

  @Override
  public Future<String> get(String key) {
    Entry e = live(key);
    return Future.succeededFuture(e == null ? null : e.value);
  }

  @Override
  public Future<Void> set(String key, String value, long ttlMs) {
    map.put(key, new Entry(value, System.currentTimeMillis() + ttlMs));
    maybeSweep();
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Boolean> setIfAbsent(String key, String value, long ttlMs) {
    if (live(key) != null) {
      return Future.succeededFuture(false);
    }
    map.put(key, new Entry(value, System.currentTimeMillis() + ttlMs));
    maybeSweep();
    return Future.succeededFuture(true);
  }

  @Override
  public Future<Void> delete(String key) {
    map.remove(key);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Long> increment(String key, long ttlMs) {
    Entry e = live(key);
    long v = e == null ? 1 : Long.parseLong(e.value) + 1;
    map.put(key, new Entry(Long.toString(v), e == null ? System.currentTimeMillis() + ttlMs : e.expiresAt));
    return Future.succeededFuture(v);
  }

  private Entry live(String key) {
    Entry e = map.get(key);
    if (e != null && e.expiresAt <= System.currentTimeMillis()) {
      map.remove(key, e);
      return null;
    }
    return e;
  }

  private void maybeSweep() {
    if (++writes % SWEEP_EVERY != 0) {
      return;
    }
    long now = System.currentTimeMillis();
    for (Iterator<Entry> it = map.values().iterator(); it.hasNext(); ) {
      if (it.next().expiresAt <= now) {
        it.remove();
      }
    }
  }
}
