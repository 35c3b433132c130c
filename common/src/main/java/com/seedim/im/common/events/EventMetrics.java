package com.seedim.im.common.events;

import com.seedim.im.common.infra.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outbox's meters (docs/observability.md): events recorded and not recorded, deliveries, failed attempts, events
 * delivered, and per endpoint the delivery lag (age of the oldest event it has not got, 0 when none waits) and
 * whether it is paused.
 */
public final class EventMetrics {
  private static final Map<String, AtomicLong> LAG = new ConcurrentHashMap<>();
  private static final Map<String, AtomicLong> PAUSED = new ConcurrentHashMap<>();

  private EventMetrics() {
  }

  private static MeterRegistry r() {
    return Metrics.registry();
  }

  /**
   * The counters of every type at 0, so that they are scraped before the first event or failure (an alert on
   * {@code increase()} sees the first one).
   */
  public static void init() {
    for (EventType t : EventType.values()) {
      failures(t);
      recordedCounter(t);
    }
  }

  private static Counter failures(EventType type) {
    return Counter.builder("im_events_record_failures").description("events that could not be written to the outbox")
      .tag("type", type.wire()).register(r());
  }

  private static Counter recordedCounter(EventType type) {
    return Counter.builder("im_events_recorded").description("events written to the outbox outside a chat transaction")
      .tag("type", type.wire()).register(r());
  }

  public static void appendFailed(EventType type) {
    failures(type).increment();
  }

  public static void recorded(EventType type, int n) {
    recordedCounter(type).increment(n);
  }

  public static void delivered(String appId, String endpoint, int events) {
    Counter.builder("im_webhook_events_delivered").tag("app", appId).tag("endpoint", endpoint).register(r()).increment(events);
    Counter.builder("im_webhook_posts").tag("app", appId).tag("endpoint", endpoint).tag("outcome", "ok").register(r())
      .increment();
  }

  public static void failed(String appId, String endpoint) {
    Counter.builder("im_webhook_posts").tag("app", appId).tag("endpoint", endpoint).tag("outcome", "failed")
      .register(r()).increment();
  }

  /** Milliseconds since the oldest event the endpoint has not got was recorded (0: none waits). */
  public static void lag(String appId, String endpoint, long ms) {
    gauge(LAG, "im_webhook_lag_ms", appId, endpoint).set(ms);
  }

  public static void paused(String appId, String endpoint, boolean paused) {
    gauge(PAUSED, "im_webhook_paused", appId, endpoint).set(paused ? 1 : 0);
  }

  private static AtomicLong gauge(Map<String, AtomicLong> map, String name, String appId, String endpoint) {
    return map.computeIfAbsent(name + '|' + appId + '|' + endpoint, k -> {
      AtomicLong v = new AtomicLong();
      Gauge.builder(name, v, AtomicLong::get).tag("app", appId).tag("endpoint", endpoint).register(r());
      return v;
    });
  }
}
