package com.seedim.im.common.store.redis;

import com.seedim.im.common.store.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;

/** {@link RoomStore} on Redis: room {@code <prefix>room:<app>:<roomId>} (JSON), membership {@code <prefix>uroom:<app>:<user>}. */
public final class RedisRoomStore implements RoomStore {
  private final RedisAPI api;
  private final String prefix;

  public RedisRoomStore(RedisAPI api, String prefix) {
    this.api = api;
    this.prefix = prefix;
  }

  @Override
  public Future<String> roomIdOf(String appId, String userId) {
    return api.get(prefix + "uroom:" + appId + ":" + userId).map(r -> r == null ? null : r.toString());
  }

  @Override
  public Future<JsonObject> get(String appId, String roomId) {
    return api.get(prefix + "room:" + appId + ":" + roomId).map(r -> r == null ? null : new JsonObject(r.toString()));
  }
}
