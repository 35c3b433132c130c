package com.seedim.im.common.store;

import io.vertx.core.Future;

/**
 * Small expiring key-value records (Redis in production, memory in dev): chat-permission cache, kick
 * records, idempotency records, rate counters. Keys are given without the deployment prefix.
 */
public interface KeyValueStore {
  /** The value, or null. */
  Future<String> get(String key);

  Future<Void> set(String key, String value, long ttlMs);

  /** Sets only when absent; true when set. */
  Future<Boolean> setIfAbsent(String key, String value, long ttlMs);

  Future<Void> delete(String key);

  /** Increments a counter, setting its expiry when it is created; returns the new value. */
  Future<Long> increment(String key, long ttlMs);
}
