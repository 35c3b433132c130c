package com.seedim.im.queue;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.infra.Metrics;
import io.micrometer.core.instrument.Gauge;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code im_queue_waiting{app,queue}}: the queue length seen by this node's last position round. */
final class QueueGauges {
  private final ServerConfig config;
  private final Map<String, AtomicInteger> lengths = new ConcurrentHashMap<>();
  private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

  QueueGauges(ServerConfig config) {
    this.config = config;
  }

  void record(String appId, String queueId, int length) {
    String key = appId + '|' + queueId;
    AppConfig app = config.apps().get(appId);
    if (length == 0 && (app == null || app.queue(queueId) == null)) {
      // M9: a dynamic queue that emptied is gone: so is its gauge (configured queues keep theirs at 0)
      Gauge g = gauges.remove(key);
      lengths.remove(key);
      if (g != null) {
        Metrics.registry().remove(g);
      }
      return;
    }
    lengths.computeIfAbsent(key, k -> {
      AtomicInteger n = new AtomicInteger();
      gauges.put(k, Gauge.builder("im_queue_waiting", n, AtomicInteger::get)
        .description("customers waiting in a queue (as of the last position round on this node)")
        .tag("app", appId).tag("queue", queueId).register(Metrics.registry()));
      return n;
    }).set(length);
  }
}
