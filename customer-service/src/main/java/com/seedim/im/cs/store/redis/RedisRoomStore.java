package com.seedim.im.cs.store.redis;

import com.seedim.im.common.store.redis.RedisScript;
import com.seedim.im.cs.store.DeadlineStore;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link RoomStore} on Redis. Keys (P = deployment prefix):
 * <ul>
 *   <li>{@code P room:<app>:<roomId>} hash {@code d} (room JSON), {@code v} (version), {@code agent}, {@code customer}</li>
 *   <li>{@code P uroom:<app>:<user>} the user's newest room id; {@code P urooms:<app>:<user>} zset room id → createdAt</li>
 *   <li>{@code P rooms:<app>} zset room id → createdAt (the app's open rooms)</li>
 * </ul>
 * Queue keys are described in {@link RedisQueueStore}, deadlines in {@link RedisDeadlineStore}.
 * Scripts touch keys derived from the prefix that are not all declared (single-instance Redis, as configured).
 */
public final class RedisRoomStore implements RoomStore {
  // KEYS: room. ARGV: expected version, new JSON.
  private static final RedisScript REPLACE = new RedisScript("""
    if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
    redis.call('HSET', KEYS[1], 'd', ARGV[2])
    redis.call('HINCRBY', KEYS[1], 'v', 1)
    return 1
    """);

  // KEYS: room, rooms zset. ARGV: roomId, uroom prefix, urooms prefix. Returns the room JSON or nil.
  private static final RedisScript CLOSE = new RedisScript("""
    local h = redis.call('HMGET', KEYS[1], 'd', 'agent', 'customer')
    if not h[1] then return false end
    redis.call('DEL', KEYS[1])
    redis.call('ZREM', KEYS[2], ARGV[1])
    for i = 2, 3 do
      local m = h[i]
      if m then
        redis.call('ZREM', ARGV[3] .. m, ARGV[1])
        if redis.call('GET', ARGV[2] .. m) == ARGV[1] then
          local rest = redis.call('ZRANGE', ARGV[3] .. m, -1, -1)
          if #rest > 0 then redis.call('SET', ARGV[2] .. m, rest[1]) else redis.call('DEL', ARGV[2] .. m) end
        end
      end
    end
    return h[1]
    """);

  // KEYS: rooms zset. ARGV: offset, limit, room key prefix. Returns {total, json...} newest first.
  private static final RedisScript LIST = new RedisScript("""
    local from = tonumber(ARGV[1])
    local ids = redis.call('ZREVRANGE', KEYS[1], from, from + tonumber(ARGV[2]) - 1)
    local out = {redis.call('ZCARD', KEYS[1])}
    for _, id in ipairs(ids) do
      local d = redis.call('HGET', ARGV[3] .. id, 'd')
      if d then table.insert(out, d) end
    end
    return out
    """);

  private final RedisAPI api;
  private final String prefix;
  private final RedisQueueStore queues;
  private final RedisDeadlineStore deadlines;

  public RedisRoomStore(RedisAPI api, String prefix) {
    this.api = api;
    this.prefix = prefix;
    this.deadlines = new RedisDeadlineStore(api, prefix);
    this.queues = new RedisQueueStore(api, prefix, this);
  }

  String roomKey(String appId, String roomId) {
    return prefix + "room:" + appId + ":" + roomId;
  }

  String roomKeyPrefix(String appId) {
    return prefix + "room:" + appId + ":";
  }

  String uroomPrefix(String appId) {
    return prefix + "uroom:" + appId + ":";
  }

  String uroomsPrefix(String appId) {
    return prefix + "urooms:" + appId + ":";
  }

  String roomsKey(String appId) {
    return prefix + "rooms:" + appId;
  }

  @Override
  public Future<String> roomIdOf(String appId, String userId) {
    return api.get(uroomPrefix(appId) + userId).map(r -> r == null ? null : r.toString());
  }

  @Override
  public Future<JsonObject> get(String appId, String roomId) {
    return api.hget(roomKey(appId, roomId), "d").map(r -> r == null ? null : new JsonObject(r.toString()));
  }

  @Override
  public Future<List<String>> roomsOf(String appId, String userId) {
    return api.zrange(List.of(uroomsPrefix(appId) + userId, "0", "-1")).map(RedisRoomStore::strings);
  }

  @Override
  public Future<Boolean> shareRoom(String appId, String userA, String userB) {
    if (userA.equals(userB)) {
      return Future.succeededFuture(false);
    }
    return Future.all(roomsOf(appId, userA), roomsOf(appId, userB)).map(cf -> {
      Set<String> a = new HashSet<>(cf.<List<String>>resultAt(0));
      for (String r : cf.<List<String>>resultAt(1)) {
        if (a.contains(r)) {
          return true;
        }
      }
      return false;
    });
  }

  @Override
  public Future<Versioned> load(String appId, String roomId) {
    return api.hmget(List.of(roomKey(appId, roomId), "d", "v")).map(r -> {
      if (r == null || r.get(0) == null || r.get(1) == null) {
        return null;
      }
      return new Versioned(new JsonObject(r.get(0).toString()), r.get(1).toLong());
    });
  }

  @Override
  public Future<Boolean> replace(String appId, String roomId, long version, JsonObject room) {
    return REPLACE.run(api, List.of(roomKey(appId, roomId)), List.of(Long.toString(version), room.encode()))
      .map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<JsonObject> close(String appId, String roomId) {
    return CLOSE.run(api, List.of(roomKey(appId, roomId), roomsKey(appId)),
        List.of(roomId, uroomPrefix(appId), uroomsPrefix(appId)))
      .map(r -> r == null ? null : new JsonObject(r.toString()));
  }

  @Override
  public Future<Page> list(String appId, int offset, int limit) {
    return LIST.run(api, List.of(roomsKey(appId)), List.of(Integer.toString(offset), Integer.toString(limit),
      roomKeyPrefix(appId))).map(r -> {
        List<JsonObject> rooms = new ArrayList<>();
        for (int i = 1; i < r.size(); i++) {
          rooms.add(new JsonObject(r.get(i).toString()));
        }
        return new Page(rooms, r.get(0).toLong());
      });
  }

  @Override
  public QueueStore queues() {
    return queues;
  }

  @Override
  public DeadlineStore deadlines() {
    return deadlines;
  }

  static List<String> strings(Response r) {
    List<String> out = new ArrayList<>();
    if (r != null) {
      for (Response x : r) {
        out.add(x.toString());
      }
    }
    return out;
  }
}
