package com.seedim.im.cs.store.redis;

import com.seedim.im.common.store.redis.RedisScript;
import com.seedim.im.cs.store.DeadlineStore;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomState;
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
 * {@link RoomStore} on Redis. Keys: the {@code room*} keys of {@link CsKeys}, in the app's slot
 * ({@code {cs:<app>}}) with its queues ({@link RedisQueueStore}) and timers ({@link RedisDeadlineStore}), so one
 * take opens a room atomically on Redis Cluster too. Every key a script touches comes in KEYS.
 *
 * <p>Round trips: one per operation, except {@link #close} of an open room and {@link #list}, which take two: the
 * members (whose room indexes close updates) and the room ids of a page (whose room keys list reads) are read first.
 */
public final class RedisRoomStore implements RoomStore {
  // KEYS: room. ARGV: expected version, new JSON.
  private static final RedisScript REPLACE = new RedisScript("""
    if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
    redis.call('HSET', KEYS[1], 'd', ARGV[2])
    redis.call('HINCRBY', KEYS[1], 'v', 1)
    return 1
    """);

  // KEYS: room, rooms zset[, agent uroom, agent urooms, customer uroom, customer urooms].
  // ARGV: roomId, expected agent, expected customer ('' when not known yet).
  // Returns {'CLOSED', room JSON}, {'RETRY', agent, customer} (members not the expected ones: nothing changed) or nil.
  private static final RedisScript CLOSE = new RedisScript("""
    local h = redis.call('HMGET', KEYS[1], 'd', 'agent', 'customer')
    if not h[1] then return false end
    if (h[2] or '') ~= ARGV[2] or (h[3] or '') ~= ARGV[3] then return {'RETRY', h[2] or '', h[3] or ''} end
    redis.call('DEL', KEYS[1])
    redis.call('ZREM', KEYS[2], ARGV[1])
    for i = 2, 3 do
      local m = h[i]
      if m then
        local uroom, urooms = KEYS[2 * i - 1], KEYS[2 * i]
        redis.call('ZREM', urooms, ARGV[1])
        if redis.call('GET', uroom) == ARGV[1] then
          local rest = redis.call('ZRANGE', urooms, -1, -1)
          if #rest > 0 then redis.call('SET', uroom, rest[1]) else redis.call('DEL', uroom) end
        end
      end
    end
    return {'CLOSED', h[1]}
    """);

  // KEYS: room, from uroom, from urooms, to uroom, to urooms. The transferred room becomes the new agent's newest
  // (uroom), as in the memory store: the room a 550/610 without roomId means is the one it got last.
  // ARGV: expected version, new JSON, roomId, from agent, to agent, maxRooms, the room's createdAt (its index score).
  private static final RedisScript TRANSFER = new RedisScript("""
    local h = redis.call('HMGET', KEYS[1], 'v', 'agent')
    if not h[1] or h[1] ~= ARGV[1] or h[2] ~= ARGV[4] then return 'CHANGED' end
    if redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[6]) then return 'AGENT_BUSY' end
    redis.call('HSET', KEYS[1], 'd', ARGV[2], 'agent', ARGV[5])
    redis.call('HINCRBY', KEYS[1], 'v', 1)
    redis.call('ZREM', KEYS[3], ARGV[3])
    if redis.call('GET', KEYS[2]) == ARGV[3] then
      local rest = redis.call('ZRANGE', KEYS[3], -1, -1)
      if #rest > 0 then redis.call('SET', KEYS[2], rest[1]) else redis.call('DEL', KEYS[2]) end
    end
    redis.call('ZADD', KEYS[5], ARGV[7], ARGV[3])
    redis.call('SET', KEYS[4], ARGV[3])
    return 'TRANSFERRED'
    """);

  // KEYS: rooms zset. ARGV: offset, limit. Returns {total, id...} newest first.
  private static final RedisScript LIST_IDS = new RedisScript("""
    local from = tonumber(ARGV[1])
    local ids = redis.call('ZREVRANGE', KEYS[1], from, from + tonumber(ARGV[2]) - 1)
    local out = {redis.call('ZCARD', KEYS[1])}
    for _, id in ipairs(ids) do table.insert(out, id) end
    return out
    """);

  // KEYS: rooms. Returns the JSON of those still open, in order.
  private static final RedisScript ROOM_DATA = new RedisScript("""
    local out = {}
    for _, k in ipairs(KEYS) do
      local d = redis.call('HGET', k, 'd')
      if d then table.insert(out, d) end
    end
    return out
    """);

  private final RedisAPI api;
  private final CsKeys keys;
  private final RedisQueueStore queues;
  private final RedisDeadlineStore deadlines;

  /**
   * @param prefix the deployment's key prefix; must hold no '{' or '}' (the hash tags are ours)
   * @throws IllegalArgumentException when the prefix holds a brace
   */
  public RedisRoomStore(RedisAPI api, String prefix) {
    this.api = api;
    this.keys = new CsKeys(prefix);
    this.deadlines = new RedisDeadlineStore(api, keys);
    this.queues = new RedisQueueStore(api, keys);
  }

  @Override
  public Future<String> roomIdOf(String appId, String userId) {
    return api.get(keys.userRoom(appId, userId)).map(r -> r == null ? null : r.toString());
  }

  @Override
  public Future<JsonObject> get(String appId, String roomId) {
    return api.hget(keys.room(appId, roomId), "d").map(r -> r == null ? null : new JsonObject(r.toString()));
  }

  @Override
  public Future<List<String>> roomsOf(String appId, String userId) {
    return api.zrange(List.of(keys.userRooms(appId, userId), "0", "-1")).map(RedisRoomStore::strings);
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
    return api.hmget(List.of(keys.room(appId, roomId), "d", "v")).map(r -> {
      if (r == null || r.get(0) == null || r.get(1) == null) {
        return null;
      }
      return new Versioned(new JsonObject(r.get(0).toString()), r.get(1).toLong());
    });
  }

  @Override
  public Future<Boolean> replace(String appId, String roomId, long version, JsonObject room) {
    return REPLACE.run(api, List.of(keys.room(appId, roomId)), List.of(Long.toString(version), room.encode()))
      .map(r -> r.toInteger() == 1);
  }

  /** Two round trips for an open room (the first run reads its members), one when it is closed already. */
  @Override
  public Future<JsonObject> close(String appId, String roomId) {
    return Reread.run("close of room " + appId + "/" + roomId, seen -> {
      List<String> k = new ArrayList<>(List.of(keys.room(appId, roomId), keys.rooms(appId)));
      String agent = seen.isEmpty() ? "" : seen.get(0);
      String customer = seen.isEmpty() ? "" : seen.get(1);
      if (!seen.isEmpty()) {
        k.addAll(List.of(keys.userRoom(appId, agent), keys.userRooms(appId, agent),
          keys.userRoom(appId, customer), keys.userRooms(appId, customer)));
      }
      return CLOSE.run(api, k, List.of(roomId, agent, customer));
    }, r -> r == null ? null : new JsonObject(r.get(1).toString()));
  }

  @Override
  public Future<TransferOutcome> transfer(String appId, String roomId, long version, JsonObject room, String fromAgent,
    String toAgent, int maxRooms) {
    List<String> k = List.of(keys.room(appId, roomId), keys.userRoom(appId, fromAgent), keys.userRooms(appId, fromAgent),
      keys.userRoom(appId, toAgent), keys.userRooms(appId, toAgent));
    List<String> a = List.of(Long.toString(version), room.encode(), roomId, fromAgent, toAgent, Integer.toString(maxRooms),
      Long.toString(room.getLong(RoomState.CREATED_AT, 0L)));
    return TRANSFER.run(api, k, a).map(r -> TransferOutcome.valueOf(r.toString()));
  }

  /** Two round trips: the page's room ids, then their rooms (a room closed in between is left out, as before). */
  @Override
  public Future<Page> list(String appId, int offset, int limit) {
    return LIST_IDS.run(api, List.of(keys.rooms(appId)), List.of(Integer.toString(offset), Integer.toString(limit)))
      .compose(ids -> {
        long total = ids.get(0).toLong();
        List<String> roomKeys = new ArrayList<>();
        for (int i = 1; i < ids.size(); i++) {
          roomKeys.add(keys.room(appId, ids.get(i).toString()));
        }
        if (roomKeys.isEmpty()) {
          return Future.succeededFuture(new Page(List.of(), total));
        }
        return ROOM_DATA.run(api, roomKeys, List.of()).map(r -> {
          List<JsonObject> rooms = new ArrayList<>();
          for (Response d : r) {
            rooms.add(new JsonObject(d.toString()));
          }
          return new Page(rooms, total);
        });
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
