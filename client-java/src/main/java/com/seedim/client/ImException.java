package com.seedim.client;

/**
 * A failed request. {@link #code()} is a §3.2 error code name of the server's 10 frame ({@code INVALID_FIELD},
 * {@code NOT_FOUND}, {@code UNAVAILABLE}, {@code MESSAGE_REJECTED} (a 130 refused by the app's own message check,
 * §6.2: the message is the app's reason), ...), {@code CHAT_SIGN_EXPIRED} (a 132 answer to a 130),
 * {@code SENSITIVE_WORD} (133), or a client-side code: {@code TIMEOUT}, {@code DISCONNECTED},
 * {@code NOT_CONNECTED}, {@code CLOSED}.
 */
public class ImException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String code;
  private final transient Frame frame;

  public ImException(String code, String message, Frame frame) {
    super(code + ": " + message);
    this.code = code;
    this.frame = frame;
  }

  public ImException(String code, String message) {
    this(code, message, null);
  }

  /** The error code name. */
  public String code() {
    return code;
  }

  /** The server frame that caused it (10, 132 or 133), or null for client-side codes. */
  public Frame frame() {
    return frame;
  }

  /**
   * True when retrying the same frame with the same {@code unique} is safe and may succeed (§4.3): the outcome
   * is unknown ({@code UNAVAILABLE}, {@code TIMEOUT}, {@code DISCONNECTED}).
   */
  public boolean retryable() {
    return "UNAVAILABLE".equals(code) || "TIMEOUT".equals(code) || "DISCONNECTED".equals(code);
  }
}
