package com.seedim.im.cs.store;

import com.seedim.im.common.store.Deadlines;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs due timers of one {@link DeadlineStore} set on this node: every {@code periodMs} it claims due members of
 * every configured app (timers are kept per app, in the app's Redis slot; one claim per app and tick, all at once)
 * with a lease, so any node may take them and a node that dies leaves them to another, and hands each to the
 * handler; a handled member is removed, a failed one is retried when its lease ends. Timers of an app removed from
 * the configuration are no longer swept (they stay in the store until it is cleaned).
 */
public final class DeadlineSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(DeadlineSweeper.class);
  public static final long DEFAULT_PERIOD_MS = 250;
  public static final long DEFAULT_LEASE_MS = 30_000;
  private static final int BATCH = 200;
  /** A timer whose handler failed this many times is dropped (one WARN) instead of retried forever (audit L12). */
  public static final int MAX_ATTEMPTS = 5;
  /** Longest a sweep (claim plus handlers) may hold the sweeper; capped by the lease (audit M5). */
  public static final long SWEEP_DEADLINE_MS = 10_000;
  private static final int MAX_TRACKED_FAILURES = 10_000;

  private final Vertx vertx;
  private final DeadlineStore store;
  private final String set;
  private final List<String> appIds;
  private final long periodMs;
  private final long leaseMs;
  private final Function<String, Future<?>> handler;
  private long timer = -1;
  private boolean running;
  /** Failed attempts per member on this node (L12); a member handled or given up is forgotten. */
  private final Map<String, Integer> failures = new HashMap<>();

  /** @param appIds the apps whose timers this sweeper runs (the configured ones) */
  public DeadlineSweeper(Vertx vertx, DeadlineStore store, String set, Collection<String> appIds,
                         Function<String, Future<?>> handler) {
    this(vertx, store, set, appIds, DEFAULT_PERIOD_MS, DEFAULT_LEASE_MS, handler);
  }

  public DeadlineSweeper(Vertx vertx, DeadlineStore store, String set, Collection<String> appIds, long periodMs,
                         long leaseMs, Function<String, Future<?>> handler) {
    this.vertx = vertx;
    this.store = store;
    this.set = set;
    this.appIds = List.copyOf(appIds);
    this.periodMs = periodMs;
    this.leaseMs = leaseMs;
    this.handler = handler;
  }

  public DeadlineSweeper start() {
    timer = vertx.setPeriodic(periodMs, t -> tick());
    return this;
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** A handler failed: retried when its lease ends, unless it failed {@link #MAX_ATTEMPTS} times (then dropped). */
  private Future<Void> failed(String appId, DeadlineStore.Claim c, Throwable err) {
    if (failures.size() >= MAX_TRACKED_FAILURES && !failures.containsKey(c.member())) {
      failures.clear(); // members retried on other nodes are never forgotten otherwise; worst case a few more attempts
    }
    int n = failures.merge(c.member(), 1, Integer::sum);
    if (n >= MAX_ATTEMPTS) {
      failures.remove(c.member());
      LOG.warn("timer {} of set {} failed {} times, giving it up: {}", c.member(), set, n, err.toString());
      return store.done(appId, set, c).recover(e -> Future.succeededFuture());
    }
    if (n == 1) {
      LOG.warn("timer {} of set {} failed, retried in {} ms: {}", c.member(), set, leaseMs, err.toString());
    } else {
      LOG.debug("timer {} of set {} failed (attempt {}), retried in {} ms: {}", c.member(), set, n, leaseMs, err.toString());
    }
    return Future.succeededFuture();
  }

  /** Claims and handles the app's due timers; a failure is logged here, so one app's trouble spares the others. */
  private Future<?> sweep(String appId, long now) {
    return store.claimDue(appId, set, now, leaseMs, BATCH).compose(claims -> {
      List<Future<?>> all = new ArrayList<>(claims.size());
      for (DeadlineStore.Claim c : claims) {
        Future<?> f;
        try {
          f = handler.apply(c.member());
        } catch (RuntimeException e) {
          f = Future.failedFuture(e);
        }
        all.add(f.compose(x -> {
          failures.remove(c.member());
          return store.done(appId, set, c);
        }, err -> failed(appId, c, err)));
      }
      return Future.join(all);
    }).recover(err -> {
      LOG.warn("sweep of timer set {} of app {} failed: {}", set, appId, err.toString());
      return Future.succeededFuture();
    });
  }

  private void tick() {
    if (running) {
      return;
    }
    running = true;
    long now = System.currentTimeMillis();
    List<Future<?>> apps = new ArrayList<>(appIds.size());
    for (String appId : appIds) {
      apps.add(sweep(appId, now));
    }
    Future<?> sweep = Future.join(apps);
    // a claim or handler that never answers (a stalled store) must not hold the sweeper for good
    Deadlines.within(vertx, sweep, Math.min(SWEEP_DEADLINE_MS, leaseMs), "sweep of timer set " + set).onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        LOG.warn("sweep of timer set {} failed: {}", set, ar.cause().toString());
      }
    });
  }
}
