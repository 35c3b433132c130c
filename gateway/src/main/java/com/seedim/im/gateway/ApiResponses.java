package com.seedim.im.gateway;

import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the HTTP API answers (PROTOCOL.md §7): success as JSON, every failure as problem+json with a §3 code (the code
 * of a failure comes from {@link Failures}, as for WebSocket frames), and a refusal before the body was read that
 * does not let the client go on sending it.
 */
final class ApiResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ApiResponses.class);
  /** retryAfterMs of a 503 UNAVAILABLE answer (PROTOCOL.md §2's rule applied to the API). */
  static final long API_RETRY_AFTER_MS = 1_000;
  /**
   * How long a connection whose request was refused before its body was read may go on sending (the rest is read
   * and discarded) before it is closed (a future config key).
   */
  static final long EARLY_REFUSAL_LINGER_MS = 1_000;
  private static final String UNAVAILABLE_DETAIL =
    "service or store unavailable; retry later with the same request (for messages, the same unique)";

  private ApiResponses() {
  }

  static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /**
   * Success as JSON; failures as problems. A ProtocolException or a service's coded refusal keeps its code and
   * message; a bus timeout, a missing service or a store failure is 503 UNAVAILABLE with retryAfterMs; anything
   * else is a logged 500 INTERNAL. Exception texts never reach the client.
   */
  static void respond(RoutingContext rc, Future<JsonObject> f) {
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        json(rc, 200, ar.result());
        return;
      }
      Throwable err = ar.cause();
      ErrorCode c = Failures.codeOf(err);
      problem(rc, c, detail(rc, err, c));
    });
  }

  private static String detail(RoutingContext rc, Throwable err, ErrorCode c) {
    if (err instanceof ProtocolException) {
      return err.getMessage();
    }
    boolean refusedByService = err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE;
    if (refusedByService && c != ErrorCode.INTERNAL) {
      return Failures.messageOf(err, c);
    }
    if (c == ErrorCode.UNAVAILABLE) {
      if (!(err instanceof ReplyException)) {
        LOG.warn("{} {}: store or service failure: {}", rc.request().method(), rc.request().path(), err.toString());
      }
      return UNAVAILABLE_DETAIL;
    }
    LOG.error("{} {} failed", rc.request().method(), rc.request().path(), err);
    return "internal error";
  }

  /**
   * A request the HTTP decoder refused (e.g. a {@code Content-Length} that is not a number), answered before any
   * route runs. Under {@code /api/} it is a problem like every API failure (§10.2: 400 {@code INVALID_FIELD}); an
   * over-long request line or header block, and everything elsewhere, keep Vert.x's answer (414, 431, 400).
   */
  static void invalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    String uri = req.uri();
    if (cause instanceof io.netty.handler.codec.TooLongFrameException || uri == null || !uri.startsWith("/api/")) {
      HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(req);
      return;
    }
    JsonObject body = new JsonObject().put("type", "about:blank").put("title", ErrorCode.INVALID_FIELD.name())
      .put("status", 400).put("detail", "malformed HTTP request (e.g. its Content-Length)")
      .put("code", ErrorCode.INVALID_FIELD.name());
    // after a decode error Netty drops the rest of the connection's input: close it, as Vert.x's own handler does
    req.response().setStatusCode(400).putHeader("content-type", "application/problem+json")
      .putHeader(HttpHeaders.CONNECTION, "close").end(body.encode()).onComplete(v -> req.connection().close());
  }

  static Future<Void> problem(RoutingContext rc, ErrorCode code, String detail) {
    return problem(rc, code.httpStatus(), code, detail);
  }

  /**
   * A problem+json answer with a §3 code. The detail is always the server's own text, never request content.
   * 503 UNAVAILABLE carries retryAfterMs and a Retry-After header (seconds), as PROTOCOL.md §2 asks of 503s.
   */
  static Future<Void> problem(RoutingContext rc, int status, ErrorCode code, String detail) {
    JsonObject body = new JsonObject().put("type", "about:blank").put("title", code.name()).put("status", status)
      .put("detail", detail).put("code", code.name());
    if (code == ErrorCode.UNAVAILABLE) {
      body.put("retryAfterMs", API_RETRY_AFTER_MS);
      rc.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, (API_RETRY_AFTER_MS + 999) / 1000)));
    }
    return rc.response().setStatusCode(status).putHeader("content-type", "application/problem+json").end(body.encode());
  }

  /**
   * A refusal before the body was read. The connection is closed after the answer when a body is still on its way,
   * so that an unauthenticated client cannot make the server read (or wait for) the rest.
   */
  static void refuseEarly(RoutingContext rc, ErrorCode code, int status, String detail) {
    HttpServerRequest req = rc.request();
    if (req.isEnded() || !bodyMayFollow(req)) {
      problem(rc, status, code, detail);
      return;
    }
    if (req.version() != HttpVersion.HTTP_2) {
      rc.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    problem(rc, status, code, detail).onComplete(ar -> {
      if (req.version() == HttpVersion.HTTP_2) {
        rc.response().reset(0); // RFC 9113 §8.1: NO_ERROR asks the client to stop sending this request's body
      } else if (req.connection() != null) {
        // Vert.x reads and discards the rest of the body (nothing is buffered), then closes because of
        // "Connection: close". A client that is almost done can finish and read the answer; one that is still
        // sending (or trickling) after the linger is cut off.
        HttpConnection conn = req.connection();
        if (req.isEnded()) {
          conn.close();
          return;
        }
        long timer = rc.vertx().setTimer(EARLY_REFUSAL_LINGER_MS, t -> conn.close());
        req.endHandler(v -> {
          rc.vertx().cancelTimer(timer);
          conn.close();
        });
        req.resume();
      }
    });
  }

  /** Whether the head announces a body (or, for HTTP/2, the stream is still open); a malformed length counts. */
  private static boolean bodyMayFollow(HttpServerRequest req) {
    String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (cl != null && !"0".equals(cl.trim())) || req.getHeader(HttpHeaders.TRANSFER_ENCODING) != null
      || (req.version() == HttpVersion.HTTP_2 && !req.isEnded());
  }
}
