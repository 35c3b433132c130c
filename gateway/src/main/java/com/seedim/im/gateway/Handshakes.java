package com.seedim.im.gateway;

import com.seedim.im.common.infra.LogContext;
import com.seedim.im.common.proto.Versions;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.ErrorCode;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Connect requests on {@link Handshake#PATHS} (PROTOCOL.md §2): rate per address (429), parameters and signature
 * ({@link Handshake}: 400/401/403), the kick record (401), a connect slot ({@link Admission}; 503 when too many
 * wait), the connect sequence ({@link ConnectSequence}; 503 when a store does not answer), then the upgrade. A
 * plain GET of the same URL answers the same refusal, or 426 when it would be accepted.
 */
final class Handshakes {
  private static final Logger LOG = LoggerFactory.getLogger(Handshakes.class);
  /** A refused client retries after a uniformly spread delay in [MIN, MAX] ms (a thundering herd spreads out). */
  static final long RETRY_AFTER_MIN_MS = 1000;
  static final long RETRY_AFTER_MAX_MS = 5000;

  private final Infra infra;
  private final ServerConfig config;
  private final Admission admission;
  private final SessionTable sessions;
  private final ConnectSequence sequence;
  private final GatewayMetrics metrics;
  private final Connection.Factory connections;
  private final BooleanSupplier stopping;
  private final KickRecords kicks;

  Handshakes(Infra infra, KickRecords kicks, Admission admission, SessionTable sessions, ConnectSequence sequence, GatewayMetrics metrics,
             Connection.Factory connections, BooleanSupplier stopping) {
    this.infra = infra;
    this.config = infra.config();
    this.kicks = kicks;
    this.admission = admission;
    this.sessions = sessions;
    this.sequence = sequence;
    this.metrics = metrics;
    this.connections = connections;
    this.stopping = stopping;
  }

  /** A request on a connect path: a WebSocket handshake, or its plain-GET diagnosis; anything else goes to {@code next}. */
  void onRequest(HttpServerRequest req, Runnable next) {
    boolean upgrade = "websocket".equalsIgnoreCase(req.getHeader("Upgrade"));
    // Decode the query locally: req.params() would cache a MultiMap on the request, which Vert.x keeps for the
    // socket's lifetime (memory per held connection).
    Map<String, List<String>> query = Handshake.query(req.uri());
    if (!upgrade && query != null && query.isEmpty()) {
      next.run(); // the demo page and other GET handlers
      return;
    }
    if (upgrade) {
      req.pause();
    }
    long now = System.currentTimeMillis();
    if (stopping.getAsBoolean()) {
      refuse(req, 503, ErrorCode.UNAVAILABLE, "server shutting down");
      return;
    }
    if (!admission.handshakeAllowed(admission.clientOf(req), now)) {
      refuse(req, 429, ErrorCode.RATE_LIMITED, "too many handshakes from this address");
      return;
    }
    Handshake.Result r = query == null ? Handshake.malformedQuery() : Handshake.check(name -> {
      List<String> v = query.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }, req.getHeader("Origin"), config.apps(), now);
    if (!r.accepted()) {
      refuse(req, r.refusal().status(), r.refusal().code(), r.refusal().message());
      return;
    }
    Handshake.Identity who = r.identity();
    if (!upgrade) {
      checkKick(req, who, () -> req.response().setStatusCode(426).putHeader("content-type", "application/json")
        .end(new JsonObject().put("msgType", 10).put("code", "UPGRADE_REQUIRED")
          .put("message", "this URL would be accepted; connect with a WebSocket upgrade").encode()), () -> { });
      return;
    }
    switch (admission.acquire(() -> open(req, who))) {
      case NOW -> open(req, who);
      case WAITING -> { } // open runs when a slot frees up
      case REFUSED -> refuse(req, 503, ErrorCode.UNAVAILABLE, "too many connections in progress; retry later");
    }
  }

  /** Holds a connect slot: kick record, connect sequence, upgrade; the slot is released whatever happens. */
  private void open(HttpServerRequest req, Handshake.Identity who) {
    if (stopping.getAsBoolean() || !admission.stillOpen(req.connection())) {
      if (admission.stillOpen(req.connection())) {
        refuse(req, 503, ErrorCode.UNAVAILABLE, "server shutting down");
      }
      admission.releaseSlot();
      return;
    }
    checkKick(req, who, () -> connect(req, who), admission::releaseSlot);
  }

  /** Refuses signs issued before a kick (401); the records are in memory ({@link KickRecords}). */
  private void checkKick(HttpServerRequest req, Handshake.Identity who, Runnable accepted, Runnable refused) {
    if (who.txNo() < kicks.refusedBefore(who.app().appId(), who.userId())) {
      Handshake.Refusal u = Handshake.unauthorized().refusal();
      if (LOG.isDebugEnabled()) {
        try (LogContext m = LogContext.of(who.app().appId(), who.userId(), who.deviceId(), null)) {
          LOG.debug("refusing {}/{}/{}: signed before a kick", who.app().appId(), who.userId(), who.deviceId());
        }
      }
      refuse(req, u.status(), u.code(), u.message());
      refused.run();
    } else {
      accepted.run();
    }
  }

  private void connect(HttpServerRequest req, Handshake.Identity who) {
    Connection c = connections.create(who);
    sessions.add(c); // from now on its pushes are held, not lost
    sequence.start(c).onComplete(ar -> {
      if (ar.failed() || c.isClosed() || !admission.stillOpen(req.connection())) {
        if (ar.failed()) {
          try (LogContext m = c.logContext()) {
            LOG.warn("connect of {}/{}/{} failed: {}", c.appId(), c.userId(), c.deviceId(), ar.cause().toString());
          }
        }
        sequence.closed(c);
        if (admission.stillOpen(req.connection())) {
          refuse(req, 503, ErrorCode.UNAVAILABLE, ar.failed() ? "a store did not answer; retry later" : "session replaced");
        }
        admission.releaseSlot();
        return;
      }
      // the upgrade response carries the response's headers (Vert.x 5): what the client talked to
      req.response().headers().set(Versions.PROTOCOL_HEADER, Versions.PROTOCOL).set(Versions.VERSION_HEADER, Versions.PRODUCT);
      req.toWebSocket().onComplete(ws -> {
        admission.releaseSlot();
        if (ws.failed()) {
          if (LOG.isDebugEnabled()) {
            try (LogContext m = c.logContext()) {
              LOG.debug("upgrade of {}/{} failed: {}", c.appId(), c.userId(), ws.cause().toString());
            }
          }
          sequence.closed(c);
          return;
        }
        opened(req, c, ws.result(), ar.result());
      });
    });
  }

  private void opened(HttpServerRequest req, Connection c, ServerWebSocket ws, List<ServerPush> frames) {
    admission.upgraded(req.connection());
    WebSocketInternals.strictWrites(ws); // before any write: every write below happens on this verticle's event loop
    WebSocketInternals.validateUtf8(ws);
    c.attach(ws);
    ws.closeHandler(v -> sequence.closed(c));
    metrics.handshake(true);
    for (ServerPush f : frames) {
      c.pushNow(f);
    }
    c.ready();
    if (LOG.isDebugEnabled()) {
      try (LogContext m = c.logContext()) {
        LOG.debug("connected {}/{}/{} as {} ({})", c.appId(), c.userId(), c.deviceId(), c.who.role(), c.id);
      }
    }
  }

  /** A refused handshake: status and {@code {msgType:10, code, message}}; a 503 says when to retry (§2). */
  void refuse(HttpServerRequest req, int status, ErrorCode code, String message) {
    metrics.handshake(false);
    req.resume();
    JsonObject body = new JsonObject().put("msgType", 10).put("code", code.name()).put("message", message);
    var resp = req.response().setStatusCode(status).putHeader("content-type", "application/json");
    if (status == 503) {
      long retry = ThreadLocalRandom.current().nextLong(RETRY_AFTER_MIN_MS, RETRY_AFTER_MAX_MS + 1);
      body.put("retryAfterMs", retry);
      resp.putHeader("Retry-After", Long.toString((retry + 999) / 1000));
    }
    resp.end(body.encode());
  }
}
