package com.seedim.im.cs.store;

import com.seedim.im.common.infra.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link ServiceRecords} that also count what they record, for the dashboards (every record passes through here, on
 * every node that writes it):
 * <ul>
 *   <li>{@code im_queue_ended_total{app, outcome}}: queue entries ended (taken, left, timeout, moved; a grace that
 *       ran out counts as timeout, as its record keeps it);</li>
 *   <li>{@code im_queue_wait_seconds{app}}: how long a taken customer waited (histogram buckets 1 s to 1 h);</li>
 *   <li>{@code im_rooms_opened_total{app}}, {@code im_rooms_closed_total{app, reason}};</li>
 *   <li>{@code im_calls_started_total{app}}, {@code im_calls_answered_total{app}},
 *       {@code im_calls_ended_total{app, outcome}} (rejected, timeout, hangup, or a teardown reason);</li>
 *   <li>from the participants' 660 reports (§14.6; a second report of one participant counts again):
 *       {@code im_call_setup_seconds{app}} (histogram, {@link #SETUP_BUCKETS}), {@code im_call_rtt_seconds{app}}
 *       (histogram, {@link Metrics#LATENCY_BUCKETS}), {@code im_call_loss_ratio{app}} (histogram of lost/received,
 *       {@link #LOSS_BUCKETS}), {@code im_call_paths_total{app, candidateType}} (host, srflx, prflx, relay).</li>
 * </ul>
 */
public final class MeteredServiceRecords implements ServiceRecords {
  /** Histogram bounds of call setup (300 to ICE connected): 250 ms to 30 s. */
  public static final Duration[] SETUP_BUCKETS = Arrays.stream(new long[] {250, 500, 1000, 2000, 3000, 5000, 10000, 30000})
    .mapToObj(Duration::ofMillis).toArray(Duration[]::new);
  /** Histogram bounds of the inbound loss ratio (0–1): 0.1 % to 50 %. */
  public static final double[] LOSS_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5};
  private static final double PERCENT = 100.0;

  private final ServiceRecords delegate;

  public MeteredServiceRecords(ServiceRecords delegate) {
    this.delegate = delegate;
  }

  private static MeterRegistry registry() {
    return Metrics.registry();
  }

  private static void count(String name, String description, String appId, String key, String value) {
    Counter.Builder b = Counter.builder(name).description(description).tag("app", appId);
    if (key != null) {
      b.tag(key, value == null ? "unknown" : value);
    }
    b.register(registry()).increment();
  }

  @Override
  public Future<Void> migrate() {
    return delegate.migrate();
  }

  @Override
  public void queueEntered(String appId, String queueId, String userId, long at, int position) {
    delegate.queueEntered(appId, queueId, userId, at, position);
  }

  @Override
  public void queueEnded(String appId, String userId, long at, String outcome, String agentId, String roomId) {
    count("im_queue_ended", "queue entries ended, by outcome", appId, "outcome", ServiceRecords.stored(outcome));
    delegate.queueEnded(appId, userId, at, outcome, agentId, roomId);
  }

  @Override
  public void roomOpened(String appId, String roomId, String queueId, String agentId, String customerId, long waitedMs, long at) {
    Metrics.waitTimer("im_queue_wait").description("time a taken customer waited in the queue").tag("app", appId)
      .register(registry()).record(Math.max(0, waitedMs), TimeUnit.MILLISECONDS);
    count("im_rooms_opened", "service rooms opened (takes)", appId, null, null);
    delegate.roomOpened(appId, roomId, queueId, agentId, customerId, waitedMs, at);
  }

  @Override
  public void roomClosed(String appId, String roomId, long at, String reason) {
    count("im_rooms_closed", "service rooms closed, by reason", appId, "reason", reason);
    delegate.roomClosed(appId, roomId, at, reason);
  }

  @Override
  public void roomInfo(String appId, String roomId, Object info) {
    delegate.roomInfo(appId, roomId, info);
  }

  @Override
  public void callStarted(String appId, String roomId, String callId, String caller, String callee, long at) {
    count("im_calls_started", "calls started (300 rang)", appId, null, null);
    delegate.callStarted(appId, roomId, callId, caller, callee, at);
  }

  @Override
  public void callAnswered(String appId, String callId, long at) {
    count("im_calls_answered", "calls answered (310)", appId, null, null);
    delegate.callAnswered(appId, callId, at);
  }

  @Override
  public void callEnded(String appId, String callId, long at, String outcome) {
    count("im_calls_ended", "calls ended, by outcome", appId, "outcome", outcome);
    delegate.callEnded(appId, callId, at, outcome);
  }

  @Override
  public void roomTransferred(String appId, String roomId, String fromAgent, String toAgent, String byUserId, long at) {
    delegate.roomTransferred(appId, roomId, fromAgent, toAgent, byUserId, at);
  }

  @Override
  public Future<List<RoomRecord>> customerRooms(String appId, String customerId, int limit) {
    return delegate.customerRooms(appId, customerId, limit);
  }

  @Override
  public Future<RoomRecord> room(String appId, String roomId) {
    return delegate.room(appId, roomId);
  }

  @Override
  public Future<Void> callStats(String appId, String callId, String userId, JsonObject stats) {
    count("im_call_paths", "calls by the local candidate type of their selected pair (660)", appId, "candidateType",
      stats.getString("candidateType"));
    Number setup = stats.getNumber("setupMs");
    if (setup != null) {
      Timer.builder("im_call_setup").serviceLevelObjectives(SETUP_BUCKETS)
        .description("call setup, from 300 (or 301) until ICE connected (660)").tag("app", appId).register(registry())
        .record(nanos(setup), TimeUnit.NANOSECONDS);
    }
    Number rtt = stats.getNumber("rttMs");
    if (rtt != null) {
      Metrics.latencyTimer("im_call_rtt").description("round-trip time of calls' selected candidate pair (660)")
        .tag("app", appId).register(registry()).record(nanos(rtt), TimeUnit.NANOSECONDS);
    }
    Number loss = stats.getNumber("lossPercent");
    if (loss != null) {
      DistributionSummary.builder("im_call_loss_ratio").serviceLevelObjectives(LOSS_BUCKETS)
        .description("inbound packet loss of calls, 0 to 1 (660)").tag("app", appId).register(registry())
        .record(loss.doubleValue() / PERCENT);
    }
    return delegate.callStats(appId, callId, userId, stats);
  }

  private static long nanos(Number ms) {
    return Math.round(ms.doubleValue() * TimeUnit.MILLISECONDS.toNanos(1));
  }

  @Override
  public Future<CallRecord> call(String appId, String callId) {
    return delegate.call(appId, callId);
  }

  @Override
  public Future<java.util.List<Long>> recentTakes(String appId, String queueId, long sinceMs) {
    return delegate.recentTakes(appId, queueId, sinceMs);
  }

  @Override
  public Future<JsonObject> queueStats(String appId, String queueId) {
    return delegate.queueStats(appId, queueId);
  }

  @Override
  public Future<JsonObject> closedRooms(String appId, int offset, int limit) {
    return delegate.closedRooms(appId, offset, limit);
  }
}
