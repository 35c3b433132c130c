package com.seedim.im.common.proto;

/** A client error with its §3 code; thrown by parsers and business rules, mapped to a 10 frame or a bus failure. */
public class ProtocolException extends RuntimeException {
  private final ErrorCode code;

  public ProtocolException(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static ProtocolException missing(String field) {
    return new ProtocolException(ErrorCode.MISSING_FIELD, "missing field '" + field + "'");
  }

  public static ProtocolException invalid(String field, String why) {
    return new ProtocolException(ErrorCode.INVALID_FIELD, "invalid field '" + field + "': " + why);
  }
}
