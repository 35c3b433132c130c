package com.seedim.im.queue;

import com.seedim.im.cs.store.ServiceRecords;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Estimated waits for 410 (docs/protocol.md §7.4): a waiter at position {@code k} waits about {@code k} times the
 * queue's recent pace, the mean interval between its last {@link ServiceRecords#RECENT_TAKES} takes within
 * {@link #WINDOW_MS} (from the service records, so every queue node sees every node's takes). Unknown (no estimate)
 * until the queue had two takes in that window. Paces are cached per queue for {@link #REFRESH_MS} (an unknown one for
 * {@link #UNKNOWN_REFRESH_MS}) and refreshed in
 * the background, so building a 410 never waits for MariaDB. Used on one event loop (its verticle's): no locking.
 */
final class WaitEstimates {
  /** Takes older than this do not describe the current pace. */
  static final long WINDOW_MS = 3_600_000;
  /** How long a queue's known pace is reused before it is read again. */
  static final long REFRESH_MS = 15_000;
  /** How soon an unknown pace (fewer than two recent takes) is read again. */
  static final long UNKNOWN_REFRESH_MS = 1_000;
  /** No estimate beyond this (a pace measured over few takes can be far off; a day is "a long time" anyway). */
  static final long MAX_SECONDS = 86_400;

  private record Pace(long intervalMs, long readAt, boolean reading) {
  }

  private final ServiceRecords records;
  private final Map<String, Pace> paces = new HashMap<>();

  WaitEstimates(ServiceRecords records) {
    this.records = records;
  }

  /** Seconds for the waiter at 1-based {@code waitIndex}, or null when the pace is not known (yet). */
  Long seconds(String appId, String queueId, int waitIndex, long nowMs) {
    String key = appId + '|' + queueId;
    Pace p = paces.get(key);
    if (p == null || (!p.reading() && nowMs - p.readAt() >= (p.intervalMs() < 0 ? UNKNOWN_REFRESH_MS : REFRESH_MS))) {
      long interval = p == null ? -1 : p.intervalMs();
      paces.put(key, new Pace(interval, p == null ? 0 : p.readAt(), true));
      records.recentTakes(appId, queueId, nowMs - WINDOW_MS)
        .onSuccess(takes -> paces.put(key, new Pace(intervalMs(takes), nowMs, false)))
        .onFailure(err -> paces.put(key, new Pace(interval, nowMs, false)));
    }
    Pace now = paces.get(key);
    return estimate(now == null ? -1 : now.intervalMs(), waitIndex);
  }

  /** The mean interval between takes (newest first), or -1 with fewer than two. */
  static long intervalMs(List<Long> takesNewestFirst) {
    int n = takesNewestFirst.size();
    if (n < 2) {
      return -1;
    }
    return Math.max(0, (takesNewestFirst.get(0) - takesNewestFirst.get(n - 1)) / (n - 1));
  }

  /** {@code waitIndex} paces, in whole seconds (rounded up), or null without a pace. */
  static Long estimate(long intervalMs, int waitIndex) {
    if (intervalMs < 0 || waitIndex < 1) {
      return null;
    }
    return Math.min(MAX_SECONDS, (waitIndex * intervalMs + 999) / 1000);
  }
}
