package com.seedim.im.common.store.memory;

import com.seedim.im.common.store.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Dev-mode {@link RoomStore}. */
public final class MemoryRoomStore implements RoomStore {
  private final Map<String, JsonObject> rooms = new ConcurrentHashMap<>();
  private final Map<String, String> userRoom = new ConcurrentHashMap<>();

  @Override
  public Future<String> roomIdOf(String appId, String userId) {
    return Future.succeededFuture(userRoom.get(appId + '\n' + userId));
  }

  @Override
  public Future<JsonObject> get(String appId, String roomId) {
    JsonObject r = rooms.get(appId + '\n' + roomId);
    return Future.succeededFuture(r == null ? null : r.copy());
  }
}
