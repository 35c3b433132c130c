package com.seedim.im.common.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Runs due timers of one {@link DeadlineStore} set on this node: every {@code periodMs} it claims due members
 * (with a lease, so any node may take them and a node that dies leaves them to another) and hands each to the
 * handler; a handled member is removed, a failed one is retried when its lease ends.
 */
public final class DeadlineSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(DeadlineSweeper.class);
  public static final long DEFAULT_PERIOD_MS = 250;
  public static final long DEFAULT_LEASE_MS = 30_000;
  private static final int BATCH = 200;

  private final Vertx vertx;
  private final DeadlineStore store;
  private final String set;
  private final long periodMs;
  private final long leaseMs;
  private final Function<String, Future<?>> handler;
  private long timer = -1;
  private boolean running;

  public DeadlineSweeper(Vertx vertx, DeadlineStore store, String set, Function<String, Future<?>> handler) {
    this(vertx, store, set, DEFAULT_PERIOD_MS, DEFAULT_LEASE_MS, handler);
  }

  public DeadlineSweeper(Vertx vertx, DeadlineStore store, String set, long periodMs, long leaseMs,
                         Function<String, Future<?>> handler) {
    this.vertx = vertx;
    this.store = store;
    this.set = set;
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

  private void tick() {
    if (running) {
      return;
    }
    running = true;
    store.claimDue(set, System.currentTimeMillis(), leaseMs, BATCH).compose(claims -> {
      List<Future<?>> all = new ArrayList<>(claims.size());
      for (DeadlineStore.Claim c : claims) {
        Future<?> f;
        try {
          f = handler.apply(c.member());
        } catch (RuntimeException e) {
          f = Future.failedFuture(e);
        }
        all.add(f.compose(x -> store.done(set, c), err -> {
          LOG.warn("timer {} of set {} failed, retried in {} ms: {}", c.member(), set, leaseMs, err.toString());
          return Future.succeededFuture();
        }));
      }
      return Future.join(all);
    }).onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        LOG.warn("could not claim due timers of set {}: {}", set, ar.cause().toString());
      }
    });
  }
}
