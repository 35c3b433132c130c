package com.seedim.im.common.proto;

/**
 * Error codes of PROTOCOL.md §3. {@link #busCode()} is the failure code used with
 * {@code Message.fail(int, String)} on the event bus; {@link #httpStatus()} is used by the HTTP API.
 */
public enum ErrorCode {
  INVALID_JSON(400, true),
  UNKNOWN_MSG_TYPE(400, true),
  MISSING_FIELD(400, false),
  INVALID_FIELD(400, false),
  UNAUTHORIZED(401, false),
  TOO_LARGE(413, true),
  FORBIDDEN(403, true),
  NOT_FOUND(404, false),
  INVALID_STATE(409, false),
  QUEUE_EMPTY(409, false),
  QUEUE_FULL(409, false),
  AGENT_BUSY(409, false),
  RATE_LIMITED(429, false),
  RETRACT_EXPIRED(409, false),
  UNAVAILABLE(503, false),
  INTERNAL(500, false),
  /** Not a §3 code: sensitive-word rejection over the HTTP API (422). */
  SENSITIVE_WORD(422, false),
  /** §2 handshake refusal for a disallowed Origin header. */
  ORIGIN_FORBIDDEN(403, false);

  private static final int BUS_BASE = 1000;
  private static final ErrorCode[] VALUES = values();

  private final int httpStatus;
  private final boolean abuse;

  ErrorCode(int httpStatus, boolean abuse) {
    this.httpStatus = httpStatus;
    this.abuse = abuse;
  }

  public int busCode() {
    return BUS_BASE + ordinal();
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** Whether an error of this code counts towards the abuse limit of §3. */
  public boolean countsAsAbuse() {
    return abuse;
  }

  /** The code for a bus failure code, or {@link #INTERNAL} when it is not one of ours. */
  public static ErrorCode fromBusCode(int code) {
    int i = code - BUS_BASE;
    return i >= 0 && i < VALUES.length ? VALUES[i] : INTERNAL;
  }
}
