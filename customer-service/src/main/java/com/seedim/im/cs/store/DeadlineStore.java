package com.seedim.im.cs.store;

import io.vertx.core.Future;

import java.util.List;

/**
 * Timers kept with the state so they survive the loss of a node: named sets of (member → due epoch ms), one per
 * app (on Redis each app's timers live in the app's slot with its rooms, so a take schedules the new room's idle
 * timer in the same atomic step; a sweeper walks the configured apps).
 * A sweeper on every node claims due members with a lease (the member's due time moves to now + lease), handles
 * them, then calls {@link #done}; a node that dies mid-way leaves the member to be claimed again when the lease ends.
 * Handlers must therefore be idempotent.
 */
public interface DeadlineStore {
  /** A claimed member and the lease time that {@link #done} compares. */
  record Claim(String member, long lease) {
  }

  /** Sets (or moves) the member's due time. */
  Future<Void> schedule(String appId, String set, String member, long dueAt);

  Future<Void> cancel(String appId, String set, String member);

  /**
   * Atomically claims up to {@code limit} members of the app's set due at {@code now}, leasing them until
   * {@code now + leaseMs}.
   */
  Future<List<Claim>> claimDue(String appId, String set, long now, long leaseMs, int limit);

  /** Removes a handled member unless it was rescheduled meanwhile. */
  Future<Void> done(String appId, String set, Claim claim);

  /** The member's due time, or null. */
  Future<Long> dueAt(String appId, String set, String member);
}
