package com.seedim.im.common.proto;

import java.util.HashMap;
import java.util.Map;

/**
 * Error codes of PROTOCOL.md §3. {@link #busCode()} is the failure code used with
 * {@code Message.fail(int, String)} on the event bus, written out per constant (never derived from the declaration
 * order: nodes of two releases must agree on it during a rolling upgrade; {@code ErrorCodeTest} keeps them unique);
 * {@link #httpStatus()} is used by the HTTP API.
 */
public enum ErrorCode {
  INVALID_JSON(1000, 400, true),
  UNKNOWN_MSG_TYPE(1001, 400, true),
  MISSING_FIELD(1002, 400, false),
  INVALID_FIELD(1003, 400, false),
  UNAUTHORIZED(1004, 401, false),
  TOO_LARGE(1005, 413, true),
  FORBIDDEN(1006, 403, true),
  NOT_FOUND(1007, 404, false),
  INVALID_STATE(1008, 409, false),
  QUEUE_EMPTY(1009, 409, false),
  QUEUE_FULL(1010, 409, false),
  AGENT_BUSY(1011, 409, false),
  RATE_LIMITED(1012, 429, false),
  RETRACT_EXPIRED(1013, 409, false),
  UNAVAILABLE(1014, 503, false),
  INTERNAL(1015, 500, false),
  /** Not a §3 code: sensitive-word rejection over the HTTP API (422). */
  SENSITIVE_WORD(1016, 422, false),
  /** §2 handshake refusal for a disallowed Origin header. */
  ORIGIN_FORBIDDEN(1017, 403, false),
  /** §6.2: the app's {@code before.message} hook refused the message (nothing stored). */
  MESSAGE_REJECTED(1018, 422, false);

  private static final Map<Integer, ErrorCode> BY_BUS_CODE = new HashMap<>();

  static {
    for (ErrorCode c : values()) {
      if (BY_BUS_CODE.put(c.busCode, c) != null) {
        throw new ExceptionInInitializerError("two error codes share bus code " + c.busCode);
      }
    }
  }

  private final int busCode;
  private final int httpStatus;
  private final boolean abuse;

  ErrorCode(int busCode, int httpStatus, boolean abuse) {
    this.busCode = busCode;
    this.httpStatus = httpStatus;
    this.abuse = abuse;
  }

  public int busCode() {
    return busCode;
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
    return BY_BUS_CODE.getOrDefault(code, INTERNAL);
  }
}
