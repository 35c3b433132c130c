package com.seedim.im.gateway;

import com.seedim.im.common.infra.Metrics;
import com.seedim.im.common.proto.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Meters of one gateway instance (tag {@code gateway}): open connections, frames in/out, frames by msgType,
 * errors by code, push resends, handshakes, delivery latency (reliable push to its ack, with histogram buckets).
 * Counters are looked up once and cached (hot path).
 */
final class GatewayMetrics {
  private final MeterRegistry registry = Metrics.registry();
  private final String instance;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger connectWaiting = new AtomicInteger();
  private final Counter framesIn;
  private final Counter framesOut;
  private final Counter resends;
  private final Counter handshakesAccepted;
  private final Counter handshakesRefused;
  private final Timer pushAcks;
  private final Map<Integer, Counter> byType = new ConcurrentHashMap<>();
  private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);
  private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
  private final Map<ReplyFailure, Counter> busFailures = new EnumMap<>(ReplyFailure.class);

  GatewayMetrics(String instance) {
    this.instance = instance;
    Gauge.builder("im_gateway_connections", connections, AtomicInteger::get).tag("gateway", instance)
      .description("open client WebSockets").register(registry);
    Gauge.builder("im_gateway_connect_waiting", connectWaiting, AtomicInteger::get).tag("gateway", instance)
      .description("accepted handshakes waiting for a connect slot (maxConnecting)").register(registry);
    framesIn = Counter.builder("im_gateway_frames_in").tag("gateway", instance).register(registry);
    framesOut = Counter.builder("im_gateway_frames_out").tag("gateway", instance).register(registry);
    resends = Counter.builder("im_gateway_push_resends").tag("gateway", instance).description("reliable pushes resent").register(registry);
    handshakesAccepted = Counter.builder("im_gateway_handshakes").tag("gateway", instance).tag("result", "accepted").register(registry);
    handshakesRefused = Counter.builder("im_gateway_handshakes").tag("gateway", instance).tag("result", "refused").register(registry);
    pushAcks = Metrics.latencyTimer("im_gateway_push_ack").tag("gateway", instance)
      .description("delivery latency: a reliable push's first write to the client's ack (31 or 141)").register(registry);
    for (ReplyFailure f : ReplyFailure.values()) {
      if (f != ReplyFailure.RECIPIENT_FAILURE) {
        busFailures.put(f, Counter.builder("im_gateway_bus_failures").tag("gateway", instance).tag("type", f.name().toLowerCase())
          .description("client requests whose service request failed on the bus (timeout, no handlers, error)").register(registry));
      }
    }
    for (ErrorCode c : ErrorCode.values()) {
      errors.put(c, Counter.builder("im_gateway_errors").tag("gateway", instance).tag("code", c.name()).register(registry));
    }
  }

  void connectWaiting(int n) {
    connectWaiting.set(n);
  }

  void connections(int n) {
    connections.set(n);
  }

  int connections() {
    return connections.get();
  }

  void frameIn() {
    framesIn.increment();
  }

  void frameOut() {
    framesOut.increment();
  }

  void resend() {
    resends.increment();
  }

  /** A failed client request: counted when the bus failed it (not when the service answered with an error). */
  void busFailure(Throwable cause) {
    if (cause instanceof ReplyException re && re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      busFailures.get(re.failureType()).increment();
    }
  }

  /** A reliable push acked {@code ms} after its first write. */
  void pushAcked(long ms) {
    pushAcks.record(Math.max(0, ms), TimeUnit.MILLISECONDS);
  }

  void frameType(int type) {
    byType.computeIfAbsent(type, t -> Counter.builder("im_gateway_frames_by_type").tag("gateway", instance)
      .tag("msgType", Integer.toString(t)).register(registry)).increment();
  }

  void error(ErrorCode code) {
    errors.get(code).increment();
  }

  /** A connection or socket refused or closed by a limit ({@code im_gateway_limit_closes{reason}}). */
  void refused(String reason) {
    refusals.computeIfAbsent(reason, r -> Counter.builder("im_gateway_limit_closes").tag("gateway", instance).tag("reason", r)
      .description("connections refused or closed by a gateway limit").register(registry)).increment();
  }

  void handshake(boolean accepted) {
    (accepted ? handshakesAccepted : handshakesRefused).increment();
  }

  /** Removes this instance's meters (undeploy). */
  void close() {
    registry.getMeters().stream().filter(m -> instance.equals(m.getId().getTag("gateway"))).toList().forEach(registry::remove);
  }
}
