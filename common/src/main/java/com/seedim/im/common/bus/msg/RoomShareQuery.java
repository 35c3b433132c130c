package com.seedim.im.common.bus.msg;

import io.vertx.core.json.JsonObject;

/**
 * Asked by chat of the room service ({@code Addresses.ROOM_SHARE}) when a 130 has no valid chat sign and no cached
 * permission: are the two users the two members of one open room (room members may message each other)? Reply: a
 * Boolean.
 */
public record RoomShareQuery(String appId, String userA, String userB) implements BusMessage {
  public JsonObject toJson() {
    return new JsonObject().put("appId", appId).put("userA", userA).put("userB", userB);
  }

  public static RoomShareQuery fromJson(JsonObject j) {
    return new RoomShareQuery(j.getString("appId"), j.getString("userA"), j.getString("userB"));
  }
}
