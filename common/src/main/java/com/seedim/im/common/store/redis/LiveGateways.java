package com.seedim.im.common.store.redis;

import com.seedim.im.common.store.Route;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * This node's snapshot of the live gateway instances: those whose heartbeat in {@code <prefix>gw:alive} (a sorted set,
 * gateway → last heartbeat in Redis time) is younger than the gateway TTL. It is re-read every {@link #REFRESH_MS}
 * and right after this node's own heartbeat or graceful stop.
 *
 * <p>Why a snapshot: on a Redis Cluster the global {@code gw:alive} key and a user's route hash live in different
 * slots (usually on different masters), so no script may read both. The route scripts get the live set as an
 * argument ({@link #argument()}) and touch only the user's hash; batched lookups filter with {@link #isLive}.
 *
 * <p>What a stale snapshot can cause, and why it is harmless: a gateway that died (or stopped) less than about
 * {@link #REFRESH_MS} ago still counts as alive for that long on this node: pushes sent to it are lost on the bus
 * (nobody consumes its address any more), the messages stay undelivered in MariaDB and reach the user through the
 * undelivered sweeper or the replay of its next connect; presence may call the user online for that second.
 * A gateway that started less than {@link #REFRESH_MS} ago is not in the snapshot yet: its routes registered within
 * the last {@link #NEW_ROUTE_GRACE_MS} count as live anyway (by their {@code connectedAt}), so a fresh gateway's
 * sockets are reachable at once and never cleaned as dead by another node's registration.
 */
public final class LiveGateways {
  private static final Logger LOG = LoggerFactory.getLogger(LiveGateways.class);
  /** How often the snapshot is re-read. */
  public static final long REFRESH_MS = 1000;
  /** A route this young counts as live even when its gateway is not in the snapshot yet (clock skew included). */
  public static final long NEW_ROUTE_GRACE_MS = 5000;
  /** Separates gateway addresses in {@link #argument()} (addresses never contain it). */
  static final char SEP = '\n';

  // KEYS: gw:alive. ARGV: ttl ms. The gateways whose last heartbeat (Redis time) is within the ttl.
  private static final RedisScript ALIVE = new RedisScript("""
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    return redis.call('ZRANGEBYSCORE', KEYS[1], now - tonumber(ARGV[1]), '+inf')
    """);

  /** One reading of {@code gw:alive}. */
  record Snapshot(Set<String> alive, String argument, long readAt) {
  }

  private final Vertx vertx;
  private final RedisAPI api;
  private final List<String> keys;
  private final List<String> ttlArg;
  private final long maxAgeMs;
  private volatile Snapshot snapshot;
  private Future<Snapshot> inFlight;
  private long timer = -1;
  private boolean started;
  private boolean closed;
  /** The last periodic refresh failed (logged once until one succeeds). */
  private volatile boolean failing;

  /**
   * @param aliveKey the full {@code gw:alive} key
   * @param ttlMs    a gateway without a heartbeat for this long is dead; a snapshot older than this is not used
   */
  public LiveGateways(Vertx vertx, RedisAPI api, String aliveKey, long ttlMs) {
    this.vertx = vertx;
    this.api = api;
    this.keys = List.of(aliveKey);
    this.ttlArg = List.of(Long.toString(ttlMs));
    this.maxAgeMs = ttlMs;
  }

  /** Starts the periodic refresh (once); the first snapshot is read at once. */
  public synchronized void start() {
    if (started || closed) {
      return;
    }
    started = true;
    timer = vertx.setPeriodic(REFRESH_MS, t -> refresh().onComplete(ar -> {
      if (ar.failed() && !failing) {
        LOG.warn("live gateways not re-read from gw:alive (the last snapshot is used for up to {} ms): {}", maxAgeMs,
          ar.cause().toString());
      } else if (ar.succeeded() && failing) {
        LOG.info("live gateways re-read from gw:alive again");
      }
      failing = ar.failed();
    }));
  }

  public synchronized void close() {
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** The current snapshot: the last one read, when younger than the gateway TTL; else a fresh read. */
  Future<Snapshot> current() {
    Snapshot s = snapshot;
    if (s != null && System.currentTimeMillis() - s.readAt < maxAgeMs) {
      return Future.succeededFuture(s);
    }
    start();
    return refresh();
  }

  /** Reads {@code gw:alive} again (one read at a time; callers during a read share it). */
  public synchronized Future<Snapshot> refresh() {
    if (inFlight != null) {
      return inFlight;
    }
    long asked = System.currentTimeMillis();
    Promise<Snapshot> p = Promise.promise();
    inFlight = p.future();
    ALIVE.run(api, keys, ttlArg).map(LiveGateways::read).map(alive -> {
      StringBuilder b = new StringBuilder().append(SEP);
      alive.forEach(g -> b.append(g).append(SEP));
      Snapshot s = new Snapshot(alive, b.toString(), asked);
      snapshot = s;
      return s;
    }).onComplete(ar -> {
      synchronized (this) {
        inFlight = null;
      }
      p.handle(ar);
    });
    return p.future();
  }

  private static Set<String> read(Response r) {
    Set<String> alive = new HashSet<>();
    if (r != null) {
      for (Response g : r) {
        alive.add(g.toString());
      }
    }
    return Set.copyOf(alive);
  }

  /** The snapshot's live gateways as one script argument: each address framed by {@link #SEP}. */
  static String argument(Snapshot s) {
    return s.argument;
  }

  /** Whether a route counts as live in {@code s}: its gateway is alive, or the route is younger than the grace. */
  static boolean isLive(Snapshot s, Route r, long now) {
    return s.alive.contains(r.gateway()) || r.connectedAt() > now - NEW_ROUTE_GRACE_MS;
  }

  /** The earliest {@code connectedAt} of a route that counts as live by its age alone. */
  static long graceSince(long now) {
    return now - NEW_ROUTE_GRACE_MS;
  }
}
