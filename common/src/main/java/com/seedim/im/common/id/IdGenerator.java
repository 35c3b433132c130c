package com.seedim.im.common.id;

import java.util.concurrent.TimeoutException;

/**
 * Time-ordered 53-bit ids (safe in JavaScript) for messages, rooms and calls (PROTOCOL.md §1):
 * 40 bits of milliseconds since 2024-01-01T00:00Z (until 2058), 6 bits of node id, 7 bits of sequence
 * (128 ids per millisecond per node; the generator waits for the next millisecond past that).
 * A clock that steps back is absorbed by continuing from the last timestamp issued.
 */
public final class IdGenerator {
  public static final long EPOCH_MS = 1704067200000L;
  public static final int NODE_BITS = 6;
  public static final int SEQ_BITS = 7;
  public static final int MAX_NODE = (1 << NODE_BITS) - 1;
  private static final long SEQ_MASK = (1L << SEQ_BITS) - 1;

  private long node;
  /** Ids are issued only until then (epoch ms): a leased node number must be renewed (M8). */
  private volatile long validUntilMs = Long.MAX_VALUE;
  private long lastMs = -1;
  private long seq;

  public IdGenerator(int node) {
    if (node < 0 || node > MAX_NODE) {
      throw new IllegalArgumentException("node id must be 0.." + MAX_NODE + ": " + node);
    }
    this.node = node;
  }

  /**
   * Switches to a (re-)leased node number valid until {@code validUntilMs} (epoch ms); past it {@link #next()} refuses
   * ids until the lease is renewed (audit M8: a node that lost its number must not share it with the new holder).
   */
  public synchronized void lease(int node, long validUntilMs) {
    if (node < 0 || node > MAX_NODE) {
      throw new IllegalArgumentException("node id must be 0.." + MAX_NODE + ": " + node);
    }
    if (node != this.node) {
      // another number: continue in the next millisecond so ids stay increasing (a lower number in the same ms would not)
      seq = SEQ_MASK;
    }
    this.node = node;
    this.validUntilMs = validUntilMs;
  }

  /** The current lease runs until {@code validUntilMs} (renewed). */
  public void renewed(long validUntilMs) {
    this.validUntilMs = validUntilMs;
  }

  /** Stops issuing ids at once (the lease is known to be lost). */
  public void revoke() {
    this.validUntilMs = Long.MIN_VALUE;
  }

  public int node() {
    return (int) node;
  }

  public synchronized long next() {
    if (System.currentTimeMillis() > validUntilMs) {
      // a cause that the service layer maps to UNAVAILABLE (Handlers.isStoreTimeout)
      throw new IllegalStateException("message-id node lease " + node + " not renewed: ids refused until it is re-leased",
        new TimeoutException("id node lease expired"));
    }
    long now = Math.max(System.currentTimeMillis() - EPOCH_MS, lastMs);
    if (now == lastMs) {
      seq = (seq + 1) & SEQ_MASK;
      if (seq == 0) {
        now = lastMs + 1;
        while (System.currentTimeMillis() - EPOCH_MS < now) {
          Thread.onSpinWait();
        }
      }
    } else {
      seq = 0;
    }
    lastMs = now;
    return (now << (NODE_BITS + SEQ_BITS)) | (node << SEQ_BITS) | seq;
  }

  public String nextString() {
    return Long.toString(next());
  }

  /** The smallest id issued at or after {@code epochMs} (ids are ordered by their issue time). */
  public static long firstIdAt(long epochMs) {
    return Math.max(0, epochMs - EPOCH_MS) << (NODE_BITS + SEQ_BITS);
  }

  /** Epoch ms at which an id was issued. */
  public static long timeOf(long id) {
    return (id >>> (NODE_BITS + SEQ_BITS)) + EPOCH_MS;
  }
}
