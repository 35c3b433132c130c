package com.seedim.client;

/**
 * The server refused the WebSocket upgrade with an HTTP status (§2.4): 400 (a bad URL: {@code MISSING_FIELD},
 * {@code INVALID_FIELD}), 401 ({@code UNAUTHORIZED}: bad or expired sign, kicked), 403
 * ({@code ORIGIN_FORBIDDEN}), 429 ({@code RATE_LIMITED}) or 503 ({@code UNAVAILABLE}, with a retry delay).
 */
public class HandshakeRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String body;
  private final long retryAfterMs;

  /**
   * @param status the HTTP status
   * @param body the response body (the server's JSON {@code {"msgType":10,"code":...}}), or null if unknown
   * @param retryAfterMs from the body's {@code retryAfterMs} or the {@code Retry-After} header, else -1
   */
  public HandshakeRefusedException(int status, String body, long retryAfterMs) {
    super("WebSocket upgrade refused: HTTP " + status + (body == null ? "" : " " + body));
    this.status = status;
    this.body = body;
    this.retryAfterMs = retryAfterMs >= 0 ? retryAfterMs : bodyRetryAfter(body);
  }

  public int status() {
    return status;
  }

  /** The response body, or null when the transport did not provide it. */
  public String body() {
    return body;
  }

  /** The §3.2 code name from the body, or one derived from the status. */
  public String code() {
    if (body != null) {
      try {
        String c = Frame.parse(body).string("code");
        if (c != null) {
          return c;
        }
      } catch (IllegalArgumentException e) {
        // not JSON: fall through
      }
    }
    switch (status) {
      case 400: return "INVALID_FIELD";
      case 401: return "UNAUTHORIZED";
      case 403: return "FORBIDDEN";
      case 429: return "RATE_LIMITED";
      case 503: return "UNAVAILABLE";
      default: return "HTTP_" + status;
    }
  }

  /** How long to wait before trying again, or -1 when the server did not say. */
  public long retryAfterMs() {
    return retryAfterMs;
  }

  /** 400 and 403 never heal by retrying the same way. */
  public boolean isFinal() {
    return status == 400 || status == 403;
  }

  private static long bodyRetryAfter(String body) {
    if (body == null) {
      return -1;
    }
    try {
      return Frame.parse(body).number("retryAfterMs", -1);
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }
}
