package com.seedim.client;

import java.util.LinkedHashMap;
import java.util.Map;

/** The 180 reply (§6.8): all unread messages and the counts per peer. */
public final class UnreadTotal {
  private final Frame frame;

  UnreadTotal(Frame frame) {
    this.frame = frame;
  }

  public long total() {
    return frame.number("total", 0);
  }

  /** Peer id → unread count (peers with unread messages only, the 500 largest). */
  public Map<String, Long> unreadCounts() {
    Map<String, Long> out = new LinkedHashMap<>();
    frame.map("unreadCounts").forEach((k, v) -> out.put(k, Long.parseLong(v)));
    return out;
  }

  public Frame frame() {
    return frame;
  }

  @Override
  public String toString() {
    return frame.toString();
  }
}
