package com.seedim.im.common.proto;

/** Which part of the system owns a client msgType. */
public enum Service {
  /** Answered by the gateway itself (heartbeat, acks, logout). */
  GATEWAY("im.gw"),
  CHAT("im.chat"),
  QUEUE("im.queue"),
  ROOM("im.room"),
  SIGNALING("im.signal"),
  /** Server-to-client only. */
  NONE("");

  private final String prefix;

  Service(String prefix) {
    this.prefix = prefix;
  }

  /** Address prefix owned by this service, e.g. {@code im.chat}. */
  public String prefix() {
    return prefix;
  }
}
