package com.seedim.im.gateway;

import java.util.ArrayDeque;

/**
 * Where a socket's messages wait while a frame of the same connection is in progress (PROTOCOL.md §1: one after
 * another, in arrival order), bounded in bytes: at {@code pauseBytes} the caller stops reading the socket (TCP
 * backpressure) until less than half is left; beyond {@code maxBytes} the message is refused (the caller closes 1008).
 * Binary messages wait as {@link #BINARY} (refused when their turn comes). One per socket; its event loop only.
 */
final class Inbox {
  /** The entry of a binary message. */
  static final String BINARY = new String("\u0000binary");

  /** What became of an offered message. */
  enum Offer { QUEUED, QUEUED_PAUSE, OVERFLOW }

  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private final int maxBytes;
  private final int pauseBytes;
  private long bytes;

  Inbox(int maxBytes, int pauseBytes) {
    this.maxBytes = maxBytes;
    this.pauseBytes = pauseBytes;
  }

  private static int size(String m) {
    return m == BINARY ? 0 : m.length();
  }

  Offer offer(String message) {
    int n = size(message);
    if (bytes + n > maxBytes) {
      return Offer.OVERFLOW;
    }
    queue.add(message);
    bytes += n;
    return bytes >= pauseBytes ? Offer.QUEUED_PAUSE : Offer.QUEUED;
  }

  String poll() {
    String m = queue.poll();
    if (m != null) {
      bytes -= size(m);
    }
    return m;
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /** Little enough is left to read the socket again. */
  boolean canResume() {
    return bytes < pauseBytes / 2;
  }

  long bytes() {
    return bytes;
  }

  void clear() {
    queue.clear();
    bytes = 0;
  }
}
