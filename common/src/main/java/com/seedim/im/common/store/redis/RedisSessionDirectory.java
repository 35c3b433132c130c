package com.seedim.im.common.store.redis;

import com.seedim.im.common.bus.TurnBatches;
import com.seedim.im.common.store.RedisKeys;
import com.seedim.im.common.store.Route;
import com.seedim.im.common.store.SessionDirectory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * {@link SessionDirectory} on Redis, standalone or Redis Cluster. A user's routes are one hash
 * <code>&lt;prefix&gt;r:{&lt;app&gt;:&lt;user&gt;}</code> (device → {@code connId|gateway|role|connectedAt}; the
 * braces are the user's hash tag, {@link RedisKeys}); gateway liveness is a sorted set {@code <prefix>gw:alive}
 * (gateway → last heartbeat ms, Redis time). Registration and unregistration are one Lua script each, atomic for the
 * user, touching only the user's hash: the live gateways come from this node's snapshot of {@code gw:alive}
 * ({@link LiveGateways}, which says what a snapshot up to a second old can cause) as an argument, never from a key read
 * inside the script, so every script stays in one hash slot. Lookups of many users are one script call per batch on a
 * standalone Redis and one call per hash slot on a cluster.
 */
public final class RedisSessionDirectory implements SessionDirectory {
  /** A gateway that has not heart-beaten for this long is considered dead. */
  public static final long GATEWAY_TTL_MS = 20_000;
  /** Route records of users nobody refreshes expire after this long. */
  public static final long ROUTE_TTL_SECONDS = 24 * 3600;

  // ARGV[1]: the live gateways, each framed by '\n'; ARGV[2]: a route connected after this (ms) counts as live anyway
  private static final String LIVE_FN = """
    local function parse(v)
      local conn, gw, role, at = string.match(v, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
      return conn, gw, role, tonumber(at)
    end
    local since = tonumber(ARGV[2])
    local function alive(gw, at)
      return string.find(ARGV[1], '\\n' .. gw .. '\\n', 1, true) ~= nil or (at ~= nil and at > since)
    end
    """;

  // KEYS: routes hash, the user's "left at" record (same slot). ARGV: live, since, device, value, role, maxDevices,
  // routeTtlSec. Returns {first, leftAgoMs (-1 unknown), displaced device, value, ...}.
  private static final RedisScript REGISTER = new RedisScript(LIVE_FN + """
    local h = redis.call('HGETALL', KEYS[1])
    local out = {}
    local live = {}
    for i = 1, #h, 2 do
      local dev, val = h[i], h[i + 1]
      local conn, gw, role, at = parse(val)
      if not alive(gw, at) then
        redis.call('HDEL', KEYS[1], dev)
      elseif dev == ARGV[3] or role ~= ARGV[5] then
        redis.call('HDEL', KEYS[1], dev)
        table.insert(out, dev) table.insert(out, val)
      else
        table.insert(live, {dev, val, at})
      end
    end
    local first = (#live == 0 and #out == 0) and 1 or 0
    while #live >= tonumber(ARGV[6]) do
      local oi = 1
      for i = 2, #live do if live[i][3] < live[oi][3] then oi = i end end
      redis.call('HDEL', KEYS[1], live[oi][1])
      table.insert(out, live[oi][1]) table.insert(out, live[oi][2])
      table.remove(live, oi)
    end
    redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
    redis.call('EXPIRE', KEYS[1], ARGV[7])
    local ago = -1
    local left = redis.call('GET', KEYS[2])
    if left then
      if first == 1 then
        local t = redis.call('TIME')
        ago = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(left)
      end
      redis.call('DEL', KEYS[2])
    end
    table.insert(out, 1, ago)
    table.insert(out, 1, first)
    return out
    """);

  // KEYS: routes hash, the user's "left at" record. ARGV: live, since, device, connId, left-record ttl ms, logout (1/0).
  // Returns 1 when removed and no live device is left (and records when, with this Redis's clock, unless a logout).
  private static final RedisScript UNREGISTER = new RedisScript(LIVE_FN + """
    local v = redis.call('HGET', KEYS[1], ARGV[3])
    if not v then return 0 end
    local conn = parse(v)
    if conn ~= ARGV[4] then return 0 end
    redis.call('HDEL', KEYS[1], ARGV[3])
    local h = redis.call('HGETALL', KEYS[1])
    for i = 1, #h, 2 do
      local c, gw, role, at = parse(h[i + 1])
      if alive(gw, at) then return 0 end
    end
    if ARGV[6] == '1' then
      redis.call('DEL', KEYS[2])
      return 1
    end
    local t = redis.call('TIME')
    redis.call('SET', KEYS[2], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), 'PX', ARGV[5])
    return 1
    """);

  // KEYS: route hashes (one slot on a cluster). Returns each hash's fields as a flat list; liveness is decided by the caller.
  private static final RedisScript ROUTES_MANY = new RedisScript("""
    local out = {}
    for k = 1, #KEYS do
      out[k] = redis.call('HGETALL', KEYS[k])
    end
    return out
    """);

  // KEYS: gw:alive. ARGV: gateway. Stamps the heartbeat with this Redis's time.
  private static final RedisScript HEARTBEAT = new RedisScript("""
    local t = redis.call('TIME')
    return redis.call('ZADD', KEYS[1], tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), ARGV[1])
    """);

  /** Most route records read by one script call. */
  static final int MAX_KEYS_PER_CALL = 256;

  private final RedisAPI api;
  private final String prefix;
  private final boolean cluster;
  private final LiveGateways gateways;
  private final TurnBatches<LookupBatch> lookups = new TurnBatches<>(LookupBatch::new, this::send);
  private final String aliveKey;

  /**
   * @param cluster true on a Redis Cluster: batched lookups are split by hash slot
   */
  public RedisSessionDirectory(Vertx vertx, RedisAPI api, String prefix, boolean cluster) {
    this.api = api;
    this.prefix = prefix;
    this.cluster = cluster;
    this.aliveKey = prefix + "gw:alive";
    this.gateways = new LiveGateways(vertx, api, aliveKey, GATEWAY_TTL_MS);
  }

  /** Starts re-reading the live gateways every second ({@link LiveGateways}); also done on first use. */
  public void start() {
    gateways.start();
  }

  /** Stops the live-gateway refresh. */
  public void close() {
    gateways.close();
  }

  /** <code>&lt;prefix&gt;r:{&lt;app&gt;:&lt;user&gt;}</code>: the user's hash tag keeps every key of theirs in one slot. */
  String key(String appId, String userId) {
    return RedisKeys.user(prefix, "r", appId, userId);
  }

  /** <code>&lt;prefix&gt;left:{&lt;app&gt;:&lt;user&gt;}</code>: when the user's last device left (same slot as the routes). */
  String leftKey(String appId, String userId) {
    return RedisKeys.user(prefix, "left", appId, userId);
  }

  @Override
  public Future<Registration> register(String appId, String userId, Route route, int maxDevices) {
    String key;
    try {
      key = key(appId, userId);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return gateways.current().compose(g -> {
      // the registering gateway is alive, whether or not this node's snapshot has seen its heartbeat yet
      String live = g.alive().contains(route.gateway()) ? LiveGateways.argument(g)
        : LiveGateways.argument(g) + route.gateway() + LiveGateways.SEP;
      return REGISTER.run(api, List.of(key, leftKey(appId, userId)), List.of(live, since(), route.deviceId(),
        route.encode(), route.role(), Integer.toString(maxDevices), Long.toString(ROUTE_TTL_SECONDS)));
    }).map(r -> {
      boolean first = r.get(0).toInteger() == 1;
      long ago = r.get(1).toLong();
      List<Route> displaced = new ArrayList<>();
      for (int i = 2; i + 1 < r.size(); i += 2) {
        displaced.add(Route.decode(r.get(i).toString(), r.get(i + 1).toString()));
      }
      return new Registration(displaced, first, ago >= 0 && ago < Registration.LEFT_MEMORY_MS ? ago : -1);
    });
  }

  @Override
  public Future<Boolean> unregister(String appId, String userId, String deviceId, String connId, boolean logout) {
    String key;
    try {
      key = key(appId, userId);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return gateways.current()
      .compose(g -> UNREGISTER.run(api, List.of(key, leftKey(appId, userId)), List.of(LiveGateways.argument(g), since(),
        deviceId, connId, Long.toString(Registration.LEFT_MEMORY_MS), logout ? "1" : "0")))
      .map(r -> r.toInteger() == 1);
  }

  private static String since() {
    return Long.toString(LiveGateways.graceSince(System.currentTimeMillis()));
  }

  /**
   * One user's live routes. Lookups asked on one event loop within one turn (the pushes of many messages, a
   * fan-out) are coalesced into one script call (per hash slot on a cluster), so the per-command cost of Redis is
   * paid once per batch.
   */
  @Override
  public Future<List<Route>> routes(String appId, String userId) {
    String key;
    try {
      key = key(appId, userId);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Context ctx = Vertx.currentContext();
    if (ctx == null) {
      return routesOf(List.of(key)).map(all -> all.get(0));
    }
    LookupBatch b = lookups.current(ctx);
    Promise<List<Route>> p = Promise.promise();
    b.keys.add(key);
    b.waiters.add(p);
    if (b.keys.size() >= MAX_KEYS_PER_CALL) {
      lookups.sendNow(ctx, b);
    }
    return p.future();
  }

  @Override
  public Future<Map<String, List<Route>>> routes(String appId, Collection<String> userIds) {
    List<String> users = new ArrayList<>(new LinkedHashSet<>(userIds));
    List<String> keys = new ArrayList<>(users.size());
    try {
      for (String u : users) {
        keys.add(key(appId, u));
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return routesOf(keys).map(all -> {
      Map<String, List<Route>> out = new HashMap<>();
      for (int i = 0; i < users.size(); i++) {
        if (!all.get(i).isEmpty()) {
          out.put(users.get(i), all.get(i));
        }
      }
      return out;
    });
  }

  /**
   * The live routes of each record key, in order: the raw hashes read in groups ({@link RouteReads}), then filtered
   * with the live-gateway snapshot.
   */
  private Future<List<List<Route>>> routesOf(List<String> keys) {
    return gateways.current().compose(g -> readAll(keys).map(raw -> {
      long now = System.currentTimeMillis();
      List<List<Route>> out = new ArrayList<>(raw.size());
      for (Response h : raw) {
        List<Route> live = new ArrayList<>();
        for (Route r : decode(h)) {
          if (LiveGateways.isLive(g, r, now)) {
            live.add(r);
          }
        }
        out.add(live);
      }
      return out;
    }));
  }

  /**
   * Each key's hash (field, value, ...), in order. Keys are grouped into script calls of at most
   * {@link #MAX_KEYS_PER_CALL}; on a cluster a group holds keys of one hash slot only, and a group of one key is a
   * plain HGETALL (cheaper than a script).
   */
  private Future<List<Response>> readAll(List<String> keys) {
    List<List<Integer>> groups = RouteReads.groups(keys, cluster, MAX_KEYS_PER_CALL);
    List<Future<List<Response>>> calls = new ArrayList<>(groups.size());
    for (List<Integer> group : groups) {
      if (group.size() == 1) {
        calls.add(api.hgetall(keys.get(group.get(0))).map(r -> Collections.singletonList(r)));
      } else {
        List<String> k = new ArrayList<>(group.size());
        group.forEach(i -> k.add(keys.get(i)));
        calls.add(ROUTES_MANY.run(api, k, List.of()).map(r -> {
          List<Response> l = new ArrayList<>(group.size());
          for (int i = 0; i < group.size(); i++) {
            l.add(i < r.size() ? r.get(i) : null);
          }
          return l;
        }));
      }
    }
    return Future.all(calls).map(cf -> {
      Response[] out = new Response[keys.size()];
      for (int gi = 0; gi < groups.size(); gi++) {
        List<Response> got = calls.get(gi).result();
        List<Integer> group = groups.get(gi);
        for (int j = 0; j < group.size(); j++) {
          out[group.get(j)] = got.get(j);
        }
      }
      return Arrays.asList(out);
    });
  }

  /** A route hash as read: a flat field/value array (from a script, or RESP2) or a map (HGETALL over RESP3). */
  private static List<Route> decode(Response h) {
    if (h == null || h.size() == 0) {
      return List.of();
    }
    List<Route> out = new ArrayList<>(h.size());
    if (h.isMap()) {
      for (String device : h.getKeys()) {
        out.add(Route.decode(device, h.get(device).toString()));
      }
    } else {
      for (int i = 0; i + 1 < h.size(); i += 2) {
        out.add(Route.decode(h.get(i).toString(), h.get(i + 1).toString()));
      }
    }
    return out;
  }

  /** Single-user lookups of one turn: their record keys and callers. */
  private static final class LookupBatch {
    final List<String> keys = new ArrayList<>();
    final List<Promise<List<Route>>> waiters = new ArrayList<>();
  }

  private void send(LookupBatch b) {
    routesOf(b.keys).onComplete(ar -> {
      for (int i = 0; i < b.waiters.size(); i++) {
        if (ar.succeeded()) {
          b.waiters.get(i).complete(ar.result().get(i));
        } else {
          b.waiters.get(i).fail(ar.cause());
        }
      }
    });
  }

  /**
   * The heartbeat is stamped with the time of the Redis holding {@code gw:alive} (inside a script on that one key),
   * the same clock the liveness reads compare with: on a cluster another master's clock may differ.
   */
  @Override
  public Future<Void> gatewayAlive(String gateway) {
    return HEARTBEAT.run(api, List.of(aliveKey), List.of(gateway)).compose(v -> gateways.refresh()).mapEmpty();
  }

  @Override
  public Future<Void> gatewayGone(String gateway) {
    return api.zrem(List.of(aliveKey, gateway)).compose(v -> gateways.refresh()).mapEmpty();
  }

  @Override
  public Future<Void> touch(String appId, String userId) {
    String key;
    try {
      key = key(appId, userId);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return api.expire(List.of(key, Long.toString(ROUTE_TTL_SECONDS))).mapEmpty();
  }
}
