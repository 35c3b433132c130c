package com.seedim.im.events;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.events.EventMetrics;
import com.seedim.im.common.events.EventStore;
import com.seedim.im.common.events.EventsConfig;
import com.seedim.im.common.events.WebhookConfig.Endpoint;
import com.seedim.im.common.events.WebhookPoster;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Delivers one endpoint's events (docs/webhooks.md): while this node holds the endpoint's lease, POSTs its oldest
 * pending events in batches, in id order, one batch at a time, and deletes them once the receiver answered 2xx.
 * A failed batch is retried with backoff (the same events, re-signed); after
 * {@link EventsConfig#pauseAfterFailures()} failures in a row the endpoint rests {@link EventsConfig#pauseMs()}, then
 * one batch is tried again. The failure state is kept with the lease, so a node that takes over goes on with it.
 */
final class EndpointWorker {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointWorker.class);
  /** Batches delivered back to back in one tick at most before the worker yields (and renews its lease). */
  static final int MAX_BATCHES_PER_TICK = 50;
  static final long FIRST_BACKOFF_MS = 1000;
  /** Slack between the end of the last batch a lease allows and the lease's expiry. */
  static final long LEASE_MARGIN_MS = 1000;
  /** How often a node that does not hold an endpoint tries to take its lease. */
  static final long LEASE_RETRY_MS = 1000;
  /**
   * A batch is cut before its body passes this many bytes (at least one event goes): receivers behind a proxy refuse
   * large bodies (nginx: 1 MB by default), and a refused batch would be retried as it is forever.
   */
  static final int MAX_BATCH_BYTES = 900_000;
  /** How often the lag gauge is read while the endpoint backs off or rests. */
  static final long LAG_CHECK_MS = 1000;

  private final AppConfig app;
  private final Endpoint endpoint;
  private final EventStore store;
  private final WebhookPoster poster;
  private final EventsConfig config;
  private final String owner;
  private final String leaseName;
  private final long leaseMs;
  private boolean busy;
  /** The round running now (a stopping node waits for it before giving the lease up). */
  private Future<Integer> current = Future.succeededFuture(0);
  private boolean held;
  private long renewAt;
  private int failures;
  private long nextTryAt;
  private long pausedUntil;
  private long lagCheckedAt;

  EndpointWorker(AppConfig app, Endpoint endpoint, EventStore store, WebhookPoster poster, EventsConfig config,
                 String owner) {
    this.app = app;
    this.endpoint = endpoint;
    this.store = store;
    this.poster = poster;
    this.config = config;
    this.owner = owner;
    this.leaseName = leaseName(app.appId(), endpoint.name());
    // a batch started before renewAt ends (answered or timed out) before the lease expires, so two nodes never post
    // the same endpoint at once: the lease outlasts two batch timeouts
    this.leaseMs = Math.max(config.leaseMs(), 2L * endpoint.timeoutMs() + LEASE_MARGIN_MS);
  }

  static String leaseName(String appId, String endpoint) {
    return "endpoint|" + appId + "|" + endpoint;
  }

  String leaseName() {
    return leaseName;
  }

  boolean held() {
    return held;
  }

  /** One round: renew (or take) the lease when due, then deliver while there is work. Overlapping calls are skipped. */
  Future<Integer> tick(long nowMs) {
    if (busy) {
      return Future.succeededFuture(0);
    }
    busy = true;
    current = renew(nowMs).compose(h -> h ? deliver(0, 0) : Future.succeededFuture(0)).onComplete(ar -> {
      busy = false;
      if (ar.failed()) {
        LOG.warn("webhook worker {} failed a round (tried again next round): {}", leaseName, ar.cause().toString());
      }
    });
    return current;
  }

  private Future<Boolean> renew(long nowMs) {
    if (nowMs < renewAt) {
      return Future.succeededFuture(held);
    }
    return store.lease(leaseName, owner, nowMs, leaseMs).map(lease -> {
      if (lease.held()) {
        // the saved failure state rules: a node taking over goes on with the last holder's, and an operator who resets
        // it in event_workers (docs/operations.md) resumes a paused endpoint at the next renewal
        failures = lease.failures();
        nextTryAt = lease.nextTryAt();
        pausedUntil = lease.pausedUntil();
      }
      if (lease.held() && !held) {
        LOG.info("webhook endpoint {} of app {} is delivered by this node now{}", endpoint.name(), app.appId(),
          failures > 0 ? " (" + failures + " failures so far)" : "");
        EventMetrics.paused(app.appId(), endpoint.name(), pausedUntil > nowMs);
      } else if (!lease.held() && held) {
        LOG.info("webhook endpoint {} of app {}: another node delivers it now", endpoint.name(), app.appId());
        // the holder's gauges tell; this node's would go stale
        EventMetrics.lag(app.appId(), endpoint.name(), 0);
        EventMetrics.paused(app.appId(), endpoint.name(), false);
      }
      held = lease.held();
      // a holder renews before a batch could outlive its lease; the others look again a little later (a lease
      // given up by a stopping node is taken within that, an expired one within that after its expiry)
      renewAt = held ? nowMs + leaseMs - endpoint.timeoutMs() - LEASE_MARGIN_MS : nowMs + LEASE_RETRY_MS;
      return held;
    }).recover(err -> {
      // MariaDB did not answer: stop delivering (another node may take over once the lease expires)
      held = false;
      return Future.failedFuture(err);
    });
  }

  private Future<Integer> deliver(int batches, int delivered) {
    long now = System.currentTimeMillis();
    if (now < nextTryAt || now < pausedUntil) {
      return waitingLag(now).map(delivered);
    }
    if (batches >= MAX_BATCHES_PER_TICK || now >= renewAt) {
      return Future.succeededFuture(delivered);
    }
    return store.pending(app.appId(), endpoint.name(), endpoint.maxBatch()).compose(events -> {
      if (events.isEmpty()) {
        EventMetrics.lag(app.appId(), endpoint.name(), 0);
        return Future.succeededFuture(delivered);
      }
      EventMetrics.lag(app.appId(), endpoint.name(), Math.max(0, now - events.get(0).createdAt()));
      if (System.currentTimeMillis() >= renewAt) {
        return Future.succeededFuture(delivered); // the read took long: renew first, so the post cannot outlive the lease
      }
      List<String> batch = cut(events, app.appId());
      return post(events, batch).compose(ok -> {
        if (!ok) {
          return Future.succeededFuture(delivered);
        }
        int n = delivered + batch.size();
        return events.size() < endpoint.maxBatch() && batch.size() == events.size() ? Future.succeededFuture(n)
          : deliver(batches + 1, n);
      });
    });
  }

  /** While backing off or paused: the lag gauge still grows (read at most once a {@link #LAG_CHECK_MS}). */
  private Future<Void> waitingLag(long now) {
    if (now - lagCheckedAt < LAG_CHECK_MS) {
      return Future.succeededFuture();
    }
    lagCheckedAt = now;
    return store.pending(app.appId(), endpoint.name(), 1).map(oldest -> {
      EventMetrics.lag(app.appId(), endpoint.name(), oldest.isEmpty() ? 0 : Math.max(0, now - oldest.get(0).createdAt()));
      return null;
    });
  }

  /**
   * The envelopes of the oldest events whose body stays under {@link #MAX_BATCH_BYTES} (the first one always; UTF-16
   * length, at most the byte length for the ASCII of ids and names, a bound close enough for text).
   */
  static List<String> cut(List<EventStore.Pending> events, String appId) {
    List<String> out = new ArrayList<>(events.size());
    int size = 0;
    for (EventStore.Pending p : events) {
      String json = p.envelopeJson(appId);
      size += json.length() + 1;
      if (size > MAX_BATCH_BYTES && !out.isEmpty()) {
        break;
      }
      out.add(json);
    }
    return out;
  }

  /** One batch: true when the receiver took it (and it is deleted from the pending rows). */
  private Future<Boolean> post(List<EventStore.Pending> pending, List<String> events) {
    String body = "{\"events\":[" + String.join(",", events) + "]}";
    List<Long> ids = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      ids.add(pending.get(i).id());
    }
    return poster.post(endpoint.url(), endpoint.pathWithQuery(), app.appId(), app.secret(), body, endpoint.timeoutMs(),
        "X-SeedIM-Attempt", Integer.toString(failures + 1))
      .transform(ar -> {
        if (ar.succeeded() && ar.result().ok()) {
          EventMetrics.delivered(app.appId(), endpoint.name(), events.size());
          return store.delivered(app.appId(), endpoint.name(), ids).compose(v -> recovered()).map(true);
        }
        String why = ar.failed() ? ar.cause().toString() : "HTTP " + ar.result().status();
        return failed(why).map(false);
      });
  }

  private Future<Void> recovered() {
    if (failures == 0 && pausedUntil == 0) {
      return Future.succeededFuture();
    }
    LOG.info("webhook endpoint {} of app {} delivers again after {} failed attempts", endpoint.name(), app.appId(), failures);
    failures = 0;
    nextTryAt = 0;
    pausedUntil = 0;
    EventMetrics.paused(app.appId(), endpoint.name(), false);
    return store.failed(leaseName, owner, 0, 0, 0, "");
  }

  private Future<Void> failed(String why) {
    long now = System.currentTimeMillis();
    EventMetrics.failed(app.appId(), endpoint.name());
    failures++;
    long backoff = backoffMs(failures, config.maxBackoffMs());
    nextTryAt = now + backoff;
    if (failures >= config.pauseAfterFailures()) {
      pausedUntil = now + config.pauseMs();
      EventMetrics.paused(app.appId(), endpoint.name(), true);
      LOG.warn("webhook endpoint {} of app {} ({}) failed {} times in a row ({}): paused for {} s; its events wait in the"
        + " outbox", endpoint.name(), app.appId(), endpoint.url().getHost(), failures, why, config.pauseMs() / 1000);
    } else {
      LOG.warn("webhook endpoint {} of app {} ({}) failed ({}): attempt {} again in {} ms", endpoint.name(), app.appId(),
        endpoint.url().getHost(), why, failures + 1, backoff);
    }
    return store.failed(leaseName, owner, failures, nextTryAt, pausedUntil, why);
  }

  /** 1 s, 2 s, 4 s, ... up to {@code maxMs}. */
  static long backoffMs(int failures, long maxMs) {
    int shift = Math.min(30, Math.max(0, failures - 1));
    return Math.min(maxMs, FIRST_BACKOFF_MS << shift);
  }

  /** Gives the lease up (a stopping node). */
  Future<Void> release() {
    // after the round in flight (its post answered or timed out): another node must not post this endpoint meanwhile
    return current.transform(ar -> {
      if (!held) {
        return Future.succeededFuture();
      }
      held = false;
      return store.release(leaseName, owner);
    });
  }
}
