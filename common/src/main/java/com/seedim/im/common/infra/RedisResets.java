package com.seedim.im.common.infra;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.msg.RedisReset;
import com.seedim.im.common.store.RedisKeys;
import com.seedim.im.common.store.redis.ClusterMasters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.redis.client.RedisAPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Notices when Redis lost data: a restart without persistence, a failover to a stale replica, a flush. Every node
 * increments a counter (a "clock") every {@link #CHECK_MS}; the values one node sees only grow while Redis keeps its
 * data, so a value not above the last one it saw means the data went back in time. The node then publishes
 * {@link Addresses#LOCAL_REDIS_RESET} a {@link RedisReset} to its own verticles (the gateway re-registers its live
 * sessions from its sockets and tells them what was lost; see docs/security.md). Every node notices on its own,
 * within about {@link #CHECK_MS} of Redis answering again.
 *
 * <p>A standalone Redis has one clock, {@code <prefix>clock}. On a Redis Cluster one key lives on one master only, and
 * a master can lose its data alone (restarted without persistence, its replica promoted stale): there is one clock per
 * master, <code>&lt;prefix&gt;clock:{&lt;tag&gt;}</code> with a tag whose slot that master serves
 * ({@link ClusterMasters}), and a reset is published when any of them goes back. The slot map is re-read every
 * {@link #TOPOLOGY_MS}, so a master added or a slot range moved gets its clock within that time.
 */
public final class RedisResets {
  private static final Logger LOG = LoggerFactory.getLogger(RedisResets.class);
  public static final long CHECK_MS = 1000;
  /** How often a cluster's masters are read again (CLUSTER SLOTS). */
  public static final long TOPOLOGY_MS = 10_000;

  private final Vertx vertx;
  private final RedisAPI redis;
  private final String prefix;
  private final boolean cluster;
  /** The clock keys (one, or one per master) and the last value this node saw of each. */
  private Map<String, Long> lastSeen = new HashMap<>();
  private List<String> clocks;
  private long topologyReadAt;
  private long timer = -1;
  private boolean inFlight;

  RedisResets(Vertx vertx, RedisAPI redis, String prefix, boolean cluster) {
    this.vertx = vertx;
    this.redis = redis;
    this.prefix = prefix;
    this.cluster = cluster;
    this.clocks = cluster ? List.of() : List.of(prefix + "clock");
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
    clocks().compose(this::tick).onComplete(ar -> inFlight = false);
  }

  /** The clock keys: on a cluster, one per master, re-read every {@link #TOPOLOGY_MS}. */
  private Future<List<String>> clocks() {
    long now = System.currentTimeMillis();
    if (!cluster || (!clocks.isEmpty() && now - topologyReadAt < TOPOLOGY_MS)) {
      return Future.succeededFuture(clocks);
    }
    return ClusterMasters.read(redis).map(masters -> {
      List<String> keys = new ArrayList<>(masters.size());
      for (ClusterMasters.Master m : masters) {
        keys.add(prefix + "clock:" + RedisKeys.tag(m.tag()));
      }
      if (!keys.equals(clocks)) {
        LOG.info("redis cluster: {} masters, one lost-data clock on each ({})", masters.size(),
          masters.stream().map(ClusterMasters.Master::address).toList());
        Map<String, Long> kept = new HashMap<>();
        keys.forEach(k -> {
          if (lastSeen.containsKey(k)) {
            kept.put(k, lastSeen.get(k));
          }
        });
        lastSeen = kept;
      }
      clocks = keys;
      topologyReadAt = now;
      return keys;
    }).recover(err -> {
      LOG.debug("could not read the redis cluster's masters: {}", err.toString());
      return Future.succeededFuture(clocks);
    });
  }

  private Future<Void> tick(List<String> keys) {
    List<Future<?>> all = new ArrayList<>(keys.size());
    List<String> wentBack = new ArrayList<>();
    for (String key : keys) {
      all.add(redis.incr(key).onSuccess(r -> {
        if (r == null) {
          return;
        }
        long v = r.toLong();
        Long last = lastSeen.get(key);
        if (last != null && v <= last) {
          wentBack.add(key + " " + last + " -> " + v);
        }
        lastSeen.put(key, v);
      })); // a failed INCR: that Redis is unreachable; its next answer tells whether it kept its data
    }
    return Future.join(all).otherwiseEmpty().map(x -> {
      if (!wentBack.isEmpty()) {
        long now = System.currentTimeMillis();
        LOG.warn("Redis lost data (clock went back: {}): re-registering live sessions, lost rooms and queue places are "
          + "announced; idempotency records, chat-permission cache and nonces before now are gone", wentBack);
        vertx.eventBus().publish(Addresses.LOCAL_REDIS_RESET, new RedisReset(now), new DeliveryOptions().setLocalOnly(true));
      }
      return null;
    });
  }
}
