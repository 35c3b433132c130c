package com.seedim.im.common.infra;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * Prometheus metrics through vertx-micrometer-metrics: Vert.x's own (event bus, HTTP, pools) plus ours
 * ({@code im_*}: connections, frames by msgType, handler latency, push resends, errors). Without Vert.x
 * metrics enabled (plain tests) meters go to a private registry that is still scrapeable.
 */
public final class Metrics {
  private static final PrometheusMeterRegistry FALLBACK = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private Metrics() {
  }

  /** Turns on Vert.x metrics with a Prometheus registry (call before building Vert.x). */
  public static VertxOptions enable(VertxOptions options) {
    return options.setMetricsOptions(new MicrometerMetricsOptions()
      .setEnabled(true)
      .setJvmMetricsEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
  }

  /** The registry of this process. */
  public static MeterRegistry registry() {
    MeterRegistry r = BackendRegistries.getDefaultNow();
    return r != null ? r : FALLBACK;
  }

  /** The Prometheus text exposition of every meter. */
  public static String scrape() {
    MeterRegistry r = registry();
    return r instanceof PrometheusMeterRegistry p ? p.scrape() : "";
  }
}
