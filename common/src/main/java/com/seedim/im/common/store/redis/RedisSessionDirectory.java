package com.seedim.im.common.store.redis;

import com.seedim.im.common.bus.TurnBatches;
import com.seedim.im.common.store.Route;
import com.seedim.im.common.store.SessionDirectory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * {@link SessionDirectory} on Redis. A user's routes are one hash {@code <prefix>r:<app>:<user>} (device →
 * {@code connId|gateway|role|connectedAt}); gateway liveness is a sorted set {@code <prefix>gw:alive}
 * (gateway → last heartbeat ms). Every operation is one Lua script, so registration is atomic across gateways.
 */
public final class RedisSessionDirectory implements SessionDirectory {
  /** A gateway that has not heart-beaten for this long is considered dead. */
  public static final long GATEWAY_TTL_MS = 20_000;
  /** Route records of users nobody refreshes expire after this long. */
  public static final long ROUTE_TTL_SECONDS = 24 * 3600;

  private static final String LIVE_FN = """
    local function parse(v)
      local conn, gw, role, at = string.match(v, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
      return conn, gw, role, tonumber(at)
    end
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local function alive(gw)
      local s = redis.call('ZSCORE', KEYS[2], gw)
      return s and tonumber(s) >= now - tonumber(ARGV[1])
    end
    """;

  // KEYS: routes hash, alive zset. ARGV: ttl, device, value, role, maxDevices, routeTtlSec
  private static final RedisScript REGISTER = new RedisScript(LIVE_FN + """
    local h = redis.call('HGETALL', KEYS[1])
    local out = {}
    local live = {}
    for i = 1, #h, 2 do
      local dev, val = h[i], h[i + 1]
      local conn, gw, role, at = parse(val)
      if not alive(gw) then
        redis.call('HDEL', KEYS[1], dev)
      elseif dev == ARGV[2] or role ~= ARGV[4] then
        redis.call('HDEL', KEYS[1], dev)
        table.insert(out, dev) table.insert(out, val)
      else
        table.insert(live, {dev, val, at})
      end
    end
    local first = (#live == 0 and #out == 0) and 1 or 0
    while #live >= tonumber(ARGV[5]) do
      local oi = 1
      for i = 2, #live do if live[i][3] < live[oi][3] then oi = i end end
      redis.call('HDEL', KEYS[1], live[oi][1])
      table.insert(out, live[oi][1]) table.insert(out, live[oi][2])
      table.remove(live, oi)
    end
    redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
    redis.call('EXPIRE', KEYS[1], ARGV[6])
    table.insert(out, 1, first)
    return out
    """);

  // KEYS: routes hash, alive zset. ARGV: ttl, device, connId. Returns 1 when removed and no live device is left.
  private static final RedisScript UNREGISTER = new RedisScript(LIVE_FN + """
    local v = redis.call('HGET', KEYS[1], ARGV[2])
    if not v then return 0 end
    local conn = parse(v)
    if conn ~= ARGV[3] then return 0 end
    redis.call('HDEL', KEYS[1], ARGV[2])
    local h = redis.call('HGETALL', KEYS[1])
    for i = 1, #h, 2 do
      local c, gw = parse(h[i + 1])
      if alive(gw) then return 0 end
    end
    return 1
    """);

  // KEYS: alive zset, then route hashes. ARGV: ttl. Returns, per route hash, its live fields as a flat list.
  private static final RedisScript ROUTES_MANY = new RedisScript("""
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local seen = {}
    local function alive(gw)
      local a = seen[gw]
      if a == nil then
        local s = redis.call('ZSCORE', KEYS[1], gw)
        a = (s and tonumber(s) >= now - tonumber(ARGV[1])) and true or false
        seen[gw] = a
      end
      return a
    end
    local out = {}
    for k = 2, #KEYS do
      local h = redis.call('HGETALL', KEYS[k])
      local live = {}
      for i = 1, #h, 2 do
        local gw = string.match(h[i + 1], '^[^|]*|([^|]*)|')
        if alive(gw) then table.insert(live, h[i]) table.insert(live, h[i + 1]) end
      end
      out[k - 1] = live
    end
    return out
    """);

  /** Most route records read by one script call. */
  static final int MAX_KEYS_PER_CALL = 256;

  private final RedisAPI api;
  private final String prefix;
  private final TurnBatches<LookupBatch> lookups = new TurnBatches<>(LookupBatch::new, this::send);
  private final String aliveKey;
  private final List<String> ttlArg = List.of(Long.toString(GATEWAY_TTL_MS));

  public RedisSessionDirectory(RedisAPI api, String prefix) {
    this.api = api;
    this.prefix = prefix;
    this.aliveKey = prefix + "gw:alive";
  }

  /**
   * {@code <prefix>r:<app>:<user>}: one free-form id after the app, and appIds never contain ':'
   * ({@link com.seedim.im.common.config.AppConfig#isValidAppId}), so the first ':' after {@code r:} ends the app
   * and the key is unambiguous. The format is kept as is so that nodes of different versions share routes during
   * a rolling upgrade; keys joining two free-form ids use {@link com.seedim.im.common.store.Keys}.
   */
  private String key(String appId, String userId) {
    return prefix + "r:" + appId + ":" + userId;
  }

  @Override
  public Future<Registration> register(String appId, String userId, Route route, int maxDevices) {
    return REGISTER.run(api, List.of(key(appId, userId), aliveKey), List.of(ttlArg.get(0), route.deviceId(),
        route.encode(), route.role(), Integer.toString(maxDevices), Long.toString(ROUTE_TTL_SECONDS)))
      .map(r -> {
        boolean first = r.get(0).toInteger() == 1;
        List<Route> displaced = new ArrayList<>();
        for (int i = 1; i + 1 < r.size(); i += 2) {
          displaced.add(Route.decode(r.get(i).toString(), r.get(i + 1).toString()));
        }
        return new Registration(displaced, first);
      });
  }

  @Override
  public Future<Boolean> unregister(String appId, String userId, String deviceId, String connId) {
    return UNREGISTER.run(api, List.of(key(appId, userId), aliveKey), List.of(ttlArg.get(0), deviceId, connId))
      .map(r -> r.toInteger() == 1);
  }

  /**
   * One user's live routes. Lookups asked on one event loop within one turn (the pushes of many messages, a
   * fan-out) are coalesced into one script call, so the per-command cost of Redis is paid once per batch.
   */
  @Override
  public Future<List<Route>> routes(String appId, String userId) {
    Context ctx = Vertx.currentContext();
    if (ctx == null) {
      return routesOf(List.of(key(appId, userId))).map(all -> all.get(0));
    }
    LookupBatch b = lookups.current(ctx);
    Promise<List<Route>> p = Promise.promise();
    b.keys.add(key(appId, userId));
    b.waiters.add(p);
    if (b.keys.size() >= MAX_KEYS_PER_CALL) {
      lookups.sendNow(ctx, b);
    }
    return p.future();
  }

  @Override
  public Future<Map<String, List<Route>>> routes(String appId, Collection<String> userIds) {
    List<String> users = new ArrayList<>(new LinkedHashSet<>(userIds));
    List<Future<List<List<Route>>>> chunks = new ArrayList<>();
    for (int from = 0; from < users.size(); from += MAX_KEYS_PER_CALL) {
      List<String> keys = new ArrayList<>();
      for (String u : users.subList(from, Math.min(users.size(), from + MAX_KEYS_PER_CALL))) {
        keys.add(key(appId, u));
      }
      chunks.add(routesOf(keys));
    }
    return Future.all(chunks).map(cf -> {
      Map<String, List<Route>> out = new HashMap<>();
      int i = 0;
      for (Future<List<List<Route>>> chunk : chunks) {
        for (List<Route> r : chunk.result()) {
          if (!r.isEmpty()) {
            out.put(users.get(i), r);
          }
          i++;
        }
      }
      return out;
    });
  }

  /** The live routes of each record key, in order, with one script call. */
  private Future<List<List<Route>>> routesOf(List<String> keys) {
    List<String> k = new ArrayList<>(keys.size() + 1);
    k.add(aliveKey);
    k.addAll(keys);
    return ROUTES_MANY.run(api, k, ttlArg).map(r -> {
      List<List<Route>> out = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        out.add(i < r.size() ? decode(r.get(i)) : List.of());
      }
      return out;
    });
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

  private static List<Route> decode(Response r) {
    List<Route> out = new ArrayList<>(r.size() / 2);
    for (int i = 0; i + 1 < r.size(); i += 2) {
      out.add(Route.decode(r.get(i).toString(), r.get(i + 1).toString()));
    }
    return out;
  }

  @Override
  public Future<Void> gatewayAlive(String gateway) {
    return api.time().compose(t -> {
      long now = t.get(0).toLong() * 1000 + t.get(1).toLong() / 1000;
      return api.zadd(List.of(aliveKey, Long.toString(now), gateway));
    }).mapEmpty();
  }

  @Override
  public Future<Void> gatewayGone(String gateway) {
    return api.zrem(List.of(aliveKey, gateway)).mapEmpty();
  }

  @Override
  public Future<Void> touch(String appId, String userId) {
    return api.expire(List.of(key(appId, userId), Long.toString(ROUTE_TTL_SECONDS))).mapEmpty();
  }
}
