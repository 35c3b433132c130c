package com.seedim.im.gateway;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.ServerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's resource limits, read once from the config's {@code "gateway"} object (defaults here only;
 * docs/security.md explains each). Every per-socket and per-address bound of the public port is one of these.
 *
 * @param maxInboundBytes          text queued on one socket behind a frame in progress; beyond it the socket is closed 1008
 * @param inboundPauseBytes        queued text at which the socket stops being read (TCP backpressure) until it drains
 * @param maxOutboundBytes         bytes written to one socket and not yet sent; beyond it the socket is closed 4002
 * @param slowConsumerMs           how long a socket's write queue may stay full before it is closed 4002
 * @param wsMessageFactor          WebSocket messages up to {@code maxFrameBytes × factor} are read (and answered
 *                                 TOO_LARGE when over maxFrameBytes); larger ones close the socket 1009
 * @param controlFramesPerSecond   pings (and pongs) a socket may send per second, burst {@code controlFramesBurst};
 *                                 each one beyond counts as abuse (20 within 10 s → 1008)
 * @param handshakeTimeoutMs       a new TCP connection must complete its first request's headers within this
 * @param requestTimeoutMs         a plain HTTP request (API, plain GET) must be answered within this, body included
 * @param httpIdleSeconds          an HTTP connection with no traffic either way is closed after this (WebSockets
 *                                 are closed by the app's {@code idleTimeoutSeconds} first)
 * @param maxConnectionsPerAddress TCP connections one client address may hold before it has a session
 * @param proxyProtocol            expect the PROXY protocol (v1/v2) header on every connection (behind HAProxy, an NLB)
 * @param trustedProxies           peers (IP literals or CIDRs) whose {@code X-Forwarded-For} names the client address
 * @param maxHeldPushes            pushes held for a socket while its connect sequence runs; newer ones are dropped
 *                                 (a 140 stays undelivered and is replayed)
 * @param apiMaxBodyBytes          an HTTP API request body (every endpoint but the sensitive-word upload); 413 beyond
 * @param apiMaxWordsBodyBytes     the body of {@code PUT /api/v1/sensitive-words}; 413 beyond
 */
public record GatewayLimits(
  int maxInboundBytes,
  int inboundPauseBytes,
  int maxOutboundBytes,
  long slowConsumerMs,
  int wsMessageFactor,
  int controlFramesPerSecond,
  int controlFramesBurst,
  long handshakeTimeoutMs,
  long requestTimeoutMs,
  int httpIdleSeconds,
  int maxConnectionsPerAddress,
  boolean proxyProtocol,
  List<String> trustedProxies,
  int maxHeldPushes,
  int apiMaxBodyBytes,
  int apiMaxWordsBodyBytes) {

  public static final int DEFAULT_MAX_INBOUND_BYTES = 1 << 20;
  public static final int DEFAULT_INBOUND_PAUSE_BYTES = 256 << 10;
  public static final int DEFAULT_MAX_OUTBOUND_BYTES = 4 << 20;
  public static final long DEFAULT_SLOW_CONSUMER_MS = 10_000;
  public static final int DEFAULT_WS_MESSAGE_FACTOR = 2;
  public static final int DEFAULT_CONTROL_FRAMES_PER_SECOND = 5;
  public static final int DEFAULT_CONTROL_FRAMES_BURST = 20;
  public static final long DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;
  public static final int DEFAULT_MAX_HELD_PUSHES = 512;
  public static final int DEFAULT_API_MAX_BODY_BYTES = 64 << 10;
  public static final int DEFAULT_API_MAX_WORDS_BODY_BYTES = 1 << 20;
  /** HTTP idle timeout beyond the longest app idle timeout, so the app's rule (1001) closes idle WebSockets first. */
  static final int HTTP_IDLE_MARGIN_SECONDS = 30;

  public static GatewayLimits of(ServerConfig config) {
    JsonObject j = config.raw().getJsonObject("gateway", new JsonObject());
    int longestAppIdle = 0;
    for (AppConfig a : config.apps().all()) {
      longestAppIdle = Math.max(longestAppIdle, a.idleTimeoutSeconds());
    }
    List<String> proxies = new ArrayList<>();
    for (Object o : j.getJsonArray("trustedProxies", new JsonArray())) {
      proxies.add(String.valueOf(o));
    }
    GatewayLimits l = new GatewayLimits(
      j.getInteger("maxInboundBytes", DEFAULT_MAX_INBOUND_BYTES),
      j.getInteger("inboundPauseBytes", DEFAULT_INBOUND_PAUSE_BYTES),
      j.getInteger("maxOutboundBytes", DEFAULT_MAX_OUTBOUND_BYTES),
      j.getLong("slowConsumerMs", DEFAULT_SLOW_CONSUMER_MS),
      j.getInteger("wsMessageFactor", DEFAULT_WS_MESSAGE_FACTOR),
      j.getInteger("controlFramesPerSecond", DEFAULT_CONTROL_FRAMES_PER_SECOND),
      j.getInteger("controlFramesBurst", DEFAULT_CONTROL_FRAMES_BURST),
      j.getLong("handshakeTimeoutMs", DEFAULT_HANDSHAKE_TIMEOUT_MS),
      j.getLong("requestTimeoutMs", DEFAULT_REQUEST_TIMEOUT_MS),
      j.getInteger("httpIdleSeconds", longestAppIdle + HTTP_IDLE_MARGIN_SECONDS),
      j.getInteger("maxConnectionsPerAddress", DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
      j.getBoolean("proxyProtocol", false),
      List.copyOf(proxies),
      j.getInteger("maxHeldPushes", DEFAULT_MAX_HELD_PUSHES),
      j.getInteger("apiMaxBodyBytes", DEFAULT_API_MAX_BODY_BYTES),
      j.getInteger("apiMaxWordsBodyBytes", DEFAULT_API_MAX_WORDS_BODY_BYTES));
    l.validate(config);
    return l;
  }

  private void validate(ServerConfig config) {
    require(inboundPauseBytes > 0 && inboundPauseBytes <= maxInboundBytes, "gateway.inboundPauseBytes must be in 1..maxInboundBytes");
    require(maxInboundBytes >= config.maxFrameBytes() * wsMessageFactor,
      "gateway.maxInboundBytes must hold at least one largest message (maxFrameBytes × wsMessageFactor)");
    require(maxOutboundBytes >= config.maxFrameBytes() * 2, "gateway.maxOutboundBytes must be at least 2 × maxFrameBytes");
    require(wsMessageFactor >= 1 && wsMessageFactor <= 8, "gateway.wsMessageFactor must be in 1..8");
    require(slowConsumerMs >= 1000, "gateway.slowConsumerMs must be at least 1000");
    require(controlFramesPerSecond >= 1 && controlFramesBurst >= 1, "gateway.controlFrames* must be positive");
    require(handshakeTimeoutMs >= 100 && requestTimeoutMs >= 100, "gateway.handshakeTimeoutMs and requestTimeoutMs must be at least 100");
    require(httpIdleSeconds >= 1, "gateway.httpIdleSeconds must be positive");
    require(maxConnectionsPerAddress >= 1, "gateway.maxConnectionsPerAddress must be positive");
    require(apiMaxBodyBytes >= 1024 && apiMaxWordsBodyBytes >= 1024, "gateway.apiMax*BodyBytes must be at least 1024");
    for (String p : trustedProxies) {
      ClientAddress.parseCidr(p); // throws with the entry named
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The largest WebSocket message read at all. */
  int wsMessageLimit(int maxFrameBytes) {
    return Math.max(maxFrameBytes * wsMessageFactor, 4096);
  }
}
