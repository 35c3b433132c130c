package com.seedim.im.common.bus.msg;

import java.util.Locale;

/** Why a room ends: the {@code reason} of its 560 (and of the 321 when a call was live). PROTOCOL.md §6. */
public enum TeardownReason {
  /** A member left (420). */
  LEFT,
  /** A member hung up (330) and the room ends with the call. */
  HANGUP,
  /** The room was idle too long, or a grace ran out. */
  TIMEOUT,
  /** A member's last device left and did not come back within the grace. */
  DISCONNECT,
  /** A member was kicked (99 KICKED). */
  KICKED,
  /** The room was handed to another agent (for its former agent) or its customer sent back to a queue (§14.2). */
  TRANSFERRED;

  /** The value on the wire: {@code left}, {@code hangup}, ... */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The reason for a wire value, or null. */
  public static TeardownReason of(String wire) {
    for (TeardownReason r : values()) {
      if (r.wire().equals(wire)) {
        return r;
      }
    }
    return null;
  }
}
