package com.seedim.im.gateway;

import com.seedim.im.common.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The door of the public port, before anyone is authenticated: connections per client address, the header and
 * request deadlines (slowloris), the handshake rate per address, and the connect slots that bound how many connect
 * sequences run at once (a reconnect storm queues here instead of timing out inside). One instance per gateway
 * verticle, used on its event loop only.
 */
final class Admission {
  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);
  /** Handshake rate buckets kept before idle ones are pruned early. */
  static final int MAX_BUCKETS = 10_000;

  /** Outcome of asking for a connect slot. */
  enum Slot { NOW, WAITING, REFUSED }

  /** What the door knows of one TCP connection until it carries a session. */
  private static final class Door {
    final String address;
    final boolean counted;
    long headerTimer = -1;
    long requestTimer = -1;
    boolean sawRequest;

    Door(String address, boolean counted) {
      this.address = address;
      this.counted = counted;
    }
  }

  private final Vertx vertx;
  private final ServerConfig config;
  private final GatewayLimits limits;
  private final GatewayMetrics metrics;
  private final ClientAddress clients;
  private final Map<HttpConnection, Door> doors = new HashMap<>();
  private final Map<String, Integer> perAddress = new HashMap<>();
  private final Map<String, TokenBucket> handshakeBuckets = new HashMap<>();
  private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
  private int connecting;

  Admission(Vertx vertx, ServerConfig config, GatewayLimits limits, GatewayMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.limits = limits;
    this.metrics = metrics;
    this.clients = new ClientAddress(limits.trustedProxies());
  }

  // ---- TCP connections ------------------------------------------------------------------------------------

  /** A new TCP connection: refused beyond the per-address limit; closed unless a request's headers arrive in time. */
  void onConnection(HttpConnection conn) {
    String peer = conn.remoteAddress() == null ? "?" : conn.remoteAddress().hostAddress();
    boolean counted = !clients.trusted(peer); // a trusted proxy carries many clients: limited per request instead
    if (counted) {
      int n = perAddress.merge(peer, 1, Integer::sum);
      if (n > limits.maxConnectionsPerAddress()) {
        release(peer);
        metrics.refused("connections_per_address");
        LOG.debug("refusing a connection from {}: {} open without a session", peer, n - 1);
        conn.close();
        return;
      }
    }
    Door d = new Door(peer, counted);
    doors.put(conn, d);
    d.headerTimer = vertx.setTimer(limits.handshakeTimeoutMs(), t -> {
      d.headerTimer = -1;
      if (!d.sawRequest) {
        metrics.refused("header_timeout");
        conn.close();
      }
    });
    conn.closeHandler(v -> forget(conn));
  }

  /** A request's headers arrived: the header deadline is met; the request must now be answered in time. */
  void onRequest(HttpServerRequest req) {
    Door d = doors.get(req.connection());
    if (d == null) {
      return;
    }
    d.sawRequest = true;
    cancel(d);
    HttpConnection conn = req.connection();
    // HTTP/1.1 without pipelining: the previous request of this connection was answered (its timer is cancelled
    // above); the response's end handler is left to vertx-web, so the deadline checks whether it was answered.
    d.requestTimer = vertx.setTimer(limits.requestTimeoutMs(), t -> {
      d.requestTimer = -1;
      if (!req.response().ended()) {
        metrics.refused("request_timeout");
        LOG.debug("closing a connection from {}: request not answered within {} ms", d.address, limits.requestTimeoutMs());
        conn.close();
      }
    });
  }

  /** The connection now carries a session (WebSocket upgraded): no deadlines, no longer counted per address. */
  void upgraded(HttpConnection conn) {
    forget(conn);
  }

  private void forget(HttpConnection conn) {
    Door d = doors.remove(conn);
    if (d != null) {
      cancel(d);
      if (d.counted) {
        release(d.address);
      }
    }
  }

  private void cancel(Door d) {
    if (d.headerTimer >= 0) {
      vertx.cancelTimer(d.headerTimer);
      d.headerTimer = -1;
    }
    if (d.requestTimer >= 0) {
      vertx.cancelTimer(d.requestTimer);
      d.requestTimer = -1;
    }
  }

  private void release(String address) {
    perAddress.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
  }

  // ---- handshakes -----------------------------------------------------------------------------------------

  /** The client address of a request (the trusted proxies' X-Forwarded-For applied). */
  String clientOf(HttpServerRequest req) {
    String peer = req.remoteAddress() == null ? "?" : req.remoteAddress().hostAddress();
    List<String> hops = req.headers().getAll("X-Forwarded-For"); // proxies may append a line instead of a hop (RFC 9110 §5.3)
    return clients.resolve(peer, hops.isEmpty() ? null : String.join(",", hops));
  }

  /** The handshake rate per client address ({@code handshakesPerSecondPerAddress}, burst twice that). */
  boolean handshakeAllowed(String address, long now) {
    int rate = config.handshakesPerSecondPerAddress();
    return handshakeBuckets.computeIfAbsent(address, k -> new TokenBucket(rate, rate * 2.0, now)).tryTake(now);
  }

  /**
   * Asks for a connect slot: {@code NOW} (run the connect sequence), {@code WAITING} ({@code onSlot} runs when a slot
   * frees up), or {@code REFUSED} (too many waiting: answer 503).
   */
  Slot acquire(Runnable onSlot) {
    if (connecting < config.maxConnecting()) {
      connecting++;
      return Slot.NOW;
    }
    if (waiting.size() < config.maxConnectWaiting()) {
      waiting.add(onSlot);
      metrics.connectWaiting(waiting.size());
      return Slot.WAITING;
    }
    return Slot.REFUSED;
  }

  /** A connect sequence ended: its slot passes to the oldest waiting handshake, or frees up. */
  void releaseSlot() {
    Runnable next = waiting.poll();
    if (next != null) {
      metrics.connectWaiting(waiting.size());
      next.run();
    } else {
      connecting--;
    }
  }

  /** Periodic: forgets full (idle) handshake buckets. */
  void prune(long now) {
    if (handshakeBuckets.size() > MAX_BUCKETS || now % 60_000 < GatewayTick.TICK_MS) {
      handshakeBuckets.values().removeIf(b -> b.full(now));
    }
  }

  /** Whether a connection that has no session yet is still open (its client may have given up while it waited). */
  boolean stillOpen(HttpConnection conn) {
    return doors.containsKey(conn);
  }

  /** Connections the door is watching now (not yet carrying a session). */
  int watched() {
    return doors.size();
  }
}
