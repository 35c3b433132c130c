package com.seedim.im.common.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Customer-service room state shared by the queue, room, signaling and chat services (Redis in production,
 * memory in dev). Chat only needs {@link #roomIdOf}/{@link #get} (room members may message each other).
 */
public interface RoomStore {
  /** The room the user is a member of, or null. */
  Future<String> roomIdOf(String appId, String userId);

  /** The room as {@code {roomId, creator, members:[..], queueId, info, createdAt, callState, caller, callId}}, or null. */
  Future<JsonObject> get(String appId, String roomId);
}
