package com.seedim.im.common.proto;

/** WebSocket close codes used by the protocol. */
public final class CloseCodes {
  public static final short NORMAL = 1000;
  public static final short GOING_AWAY = 1001;
  /** A framing error (RFC 6455 §7.4.1). */
  public static final short PROTOCOL_ERROR = 1002;
  /** Invalid UTF-8 in a text message or close reason. */
  public static final short INVALID_DATA = 1007;
  public static final short POLICY_VIOLATION = 1008;
  public static final short TOO_BIG = 1009;
  /** Replaced by another connection or kicked: clients must not reconnect automatically. */
  public static final short REPLACED = 4001;
  /** Slow consumer: too many unacked pushes. */
  public static final short SLOW_CONSUMER = 4002;

  private CloseCodes() {
  }
}
