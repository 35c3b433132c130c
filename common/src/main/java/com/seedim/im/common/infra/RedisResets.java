package com.seedim.im.common.infra;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.msg.RedisReset;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.redis.client.RedisAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices when Redis lost data: a restart without persistence, a failover to a stale replica, a flush. Every node
 * increments one counter ({@code <prefix>clock}) every {@link #CHECK_MS}; the values one node sees only grow while
 * Redis keeps its data, so a value not above the last one it saw means the data went back in time. The node then
 * publishes {@link Addresses#LOCAL_REDIS_RESET} a {@link RedisReset} to its own verticles (the gateway re-registers
 * its live sessions from its sockets and tells them what was lost; see docs/security.md). Every node notices on its
 * own, within about {@link #CHECK_MS} of Redis answering again.
 */
public final class RedisResets {
  private static final Logger LOG = LoggerFactory.getLogger(RedisResets.class);
  public static final long CHECK_MS = 1000;

  private final Vertx vertx;
  private final RedisAPI redis;
  private final String key;
  private long lastSeen;
  private long timer = -1;
  private boolean inFlight;

  RedisResets(Vertx vertx, RedisAPI redis, String prefix) {
    this.vertx = vertx;
    this.redis = redis;
    this.key = prefix + "clock";
  }

  void start() {
    timer = vertx.setPeriodic(CHECK_MS, t -> check());
    check();
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void check() {
    if (inFlight) {
      return;
    }
    inFlight = true;
    redis.incr(key).onComplete(ar -> {
      inFlight = false;
      if (ar.failed() || ar.result() == null) {
        return; // Redis unreachable: the next answer tells whether it kept its data
      }
      long v = ar.result().toLong();
      if (lastSeen > 0 && v <= lastSeen) {
        long now = System.currentTimeMillis();
        LOG.warn("Redis lost data (its clock went from {} back to {}): re-registering live sessions, lost rooms and queue "
          + "places are announced; idempotency records, chat-permission cache and nonces before now are gone", lastSeen, v);
        vertx.eventBus().publish(Addresses.LOCAL_REDIS_RESET, new RedisReset(now),
          new DeliveryOptions().setLocalOnly(true));
      }
      lastSeen = v;
    });
  }
}
