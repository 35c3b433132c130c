package com.seedim.im.gateway;

import com.seedim.im.common.proto.ErrorCode;

import java.util.ArrayDeque;

/**
 * PROTOCOL.md §3 abuse rule: INVALID_JSON, UNKNOWN_MSG_TYPE, TOO_LARGE and FORBIDDEN count, and RATE_LIMITED
 * once the connection has been over its rate for more than {@link #SUSTAINED_MS}, and control frames beyond their
 * rate; {@link #LIMIT} within
 * {@link #WINDOW_MS} → close 1008.
 */
final class AbuseMeter {
  static final int LIMIT = 20;
  static final long WINDOW_MS = 10_000;
  static final long SUSTAINED_MS = 10_000;

  private final ArrayDeque<Long> times = new ArrayDeque<>();
  private long excessSince = -1;

  /**
   * Records a ping or pong beyond the control-frame rate: it has no reply to refuse, so it counts as abuse at once
   * (a flood is answered within bounds, then the socket is closed 1008).
   *
   * @return true when the connection must be closed
   */
  boolean controlFlood(long now) {
    return count(now);
  }

  /** Records an error; true when the connection must be closed. */
  boolean record(ErrorCode code, long now) {
    boolean counts = code.countsAsAbuse();
    if (code == ErrorCode.RATE_LIMITED) {
      if (excessSince < 0) {
        excessSince = now;
      }
      counts = now - excessSince > SUSTAINED_MS;
    }
    return counts && count(now);
  }

  private boolean count(long now) {
    times.addLast(now);
    while (!times.isEmpty() && now - times.peekFirst() > WINDOW_MS) {
      times.removeFirst();
    }
    return times.size() >= LIMIT;
  }

  /** A frame within the rate arrived: the excess is over. */
  void withinRate() {
    excessSince = -1;
  }
}
