package com.seedim.im.common.infra;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;
import java.util.Arrays;

/**
 * Prometheus metrics through vertx-micrometer-metrics: Vert.x's own (event bus, HTTP, pools, SQL and Redis clients)
 * plus ours ({@code im_*}: connections, frames by msgType, handler latency, push delivery latency, queue wait, rooms,
 * calls, push resends, errors). Without Vert.x metrics enabled (plain tests) meters go to a private registry that is
 * still scrapeable.
 *
 * <p>Latency timers publish a bounded set of histogram buckets ({@link #LATENCY_BUCKETS}, 1 ms to 10 s, plus
 * {@code +Inf}) so {@code histogram_quantile} works across nodes: ours through {@link #latencyTimer}, Vert.x's store
 * clients ({@code vertx_sql_*}, {@code vertx_redis_*} queue and processing time) through a meter filter on the
 * registry {@link #builder} installs.
 */
public final class Metrics {
  /** The histogram bucket bounds of every latency timer: 13 bounds, 1 ms to 10 s (plus +Inf). */
  public static final Duration[] LATENCY_BUCKETS = Arrays.stream(new long[] {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500,
    5000, 10000}).mapToObj(Duration::ofMillis).toArray(Duration[]::new);
  /** The histogram bucket bounds of waits people see (a customer in a queue): 11 buckets, 1 s to 1 h. */
  public static final Duration[] WAIT_BUCKETS = Arrays.stream(new long[] {1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600})
    .mapToObj(Duration::ofSeconds).toArray(Duration[]::new);
  private static final PrometheusMeterRegistry FALLBACK = newRegistry();

  private Metrics() {
  }

  /** Turns on Vert.x metrics with a Prometheus registry (call before building Vert.x). */
  public static VertxOptions enable(VertxOptions options) {
    return options.setMetricsOptions(new MicrometerMetricsOptions()
      .setEnabled(true)
      .setJvmMetricsEnabled(true)
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
  }

  /**
   * A Vert.x builder with metrics enabled on a registry of ours (the store clients' timers get histogram buckets).
   * Use instead of {@code Vertx.vertx(Metrics.enable(options))}.
   */
  public static VertxBuilder builder(VertxOptions options) {
    return Vertx.builder().with(enable(options)).withMetrics(new MicrometerMetricsFactory(newRegistry()));
  }

  /** A Prometheus registry whose store-client timers publish {@link #LATENCY_BUCKETS}. */
  static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    r.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getType() == Meter.Type.TIMER && isStoreClientTimer(id.getName())) {
          return DistributionStatisticConfig.builder().serviceLevelObjectives(slosNanos()).build().merge(config);
        }
        return config;
      }
    });
    return r;
  }

  private static boolean isStoreClientTimer(String name) {
    return (name.startsWith("vertx_sql_") || name.startsWith("vertx.sql.") || name.startsWith("vertx_redis_")
      || name.startsWith("vertx.redis.")) && name.contains("time");
  }

  private static double[] slosNanos() {
    return Arrays.stream(LATENCY_BUCKETS).mapToDouble(Duration::toNanos).toArray();
  }

  /** A latency timer with {@link #LATENCY_BUCKETS} as its histogram buckets. */
  public static Timer.Builder latencyTimer(String name) {
    return Timer.builder(name).serviceLevelObjectives(LATENCY_BUCKETS);
  }

  /** A timer of waits measured in seconds to minutes, with {@link #WAIT_BUCKETS} as its histogram buckets. */
  public static Timer.Builder waitTimer(String name) {
    return Timer.builder(name).serviceLevelObjectives(WAIT_BUCKETS);
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
