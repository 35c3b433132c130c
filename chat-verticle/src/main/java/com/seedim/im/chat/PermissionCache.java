package com.seedim.im.chat;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chat-permission cache of PROTOCOL.md §5 step 2 kept in the process that checks it, in front of the cluster-wide
 * record in the key-value store (Redis). Without it every signed 130 wrote the record and every unsigned one read
 * it: one Redis round trip per message. With it a sender's permission costs one write per
 * {@link #REFRESH_FRACTION} of its lifetime and one read per {@link #CONFIRM_MS}.
 *
 * <p>What the process knows is confirmed against the shared record at least every {@link #CONFIRM_MS}: a revoke
 * (DELETE /api/v1/chat-permission) deletes the record and is published to every chat node, which forget their copy at
 * once; a node that missed the publication (a bus partition) still refuses within {@link #CONFIRM_MS}. Pure logic
 * with the clock passed in; safe to share between the chat instances of a process.
 */
final class PermissionCache {
  /** How long a permission known here is trusted without asking the shared record again. */
  static final long CONFIRM_MS = 30_000;
  /** A valid sign rewrites the shared record only once this fraction of its lifetime has passed since the last write. */
  static final double REFRESH_FRACTION = 0.1;
  /** Most permissions remembered; beyond it expired ones are dropped, then everything (a full cache is only a cost). */
  static final int MAX_ENTRIES = 200_000;

  /** A permission: valid until {@code untilMs} (as last written or read), confirmed at {@code confirmedMs}. */
  private record Entry(long untilMs, long confirmedMs) {
  }

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /** True when the permission is known here: valid and confirmed within {@link #CONFIRM_MS}. */
  boolean allowed(String key, long nowMs) {
    Entry e = entries.get(key);
    return e != null && e.untilMs() > nowMs && nowMs - e.confirmedMs() < CONFIRM_MS;
  }

  /**
   * A valid sign grants the permission until {@code nowMs + ttlMs}: true when the shared record must be written
   * (nothing recent known here, or the last write is older than {@link #REFRESH_FRACTION} of the lifetime).
   */
  boolean needsWrite(String key, long nowMs, long ttlMs) {
    Entry e = entries.get(key);
    if (e == null || nowMs - e.confirmedMs() >= CONFIRM_MS) {
      return true;
    }
    return nowMs + ttlMs - e.untilMs() > (long) (ttlMs * REFRESH_FRACTION);
  }

  /** The shared record was written (until {@code untilMs}) or found present at {@code nowMs}. */
  void confirmed(String key, long untilMs, long nowMs) {
    if (entries.size() >= MAX_ENTRIES && !entries.containsKey(key)) {
      prune(nowMs);
    }
    entries.put(key, new Entry(untilMs, nowMs));
  }

  /** Revoked (here or on another node): forgotten at once. */
  void revoked(String key) {
    entries.remove(key);
  }

  int size() {
    return entries.size();
  }

  private void prune(long nowMs) {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.untilMs() <= nowMs || nowMs - e.confirmedMs() >= CONFIRM_MS) {
        it.remove();
      }
    }
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
  }
}
