package com.seedim.im.common.bus.msg;

import io.vertx.core.json.JsonObject;

/**
 * A frame for a user's connections on one gateway.
 *
 * @param reliable tracked for resend until the device acks it (31/141)
 * @param only     the one connection to write it to (a call's bound device), or null for all the user's connections
 * @param except   a connection to skip (the sender's own), or null
 */
public record GatewayPush(String appId, String userId, JsonObject frame, boolean reliable, String only, String except)
  implements GatewayMessage {
  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("op", "push").put("appId", appId).put("userId", userId).put("frame", frame)
      .put("reliable", reliable);
    if (only != null) {
      j.put("only", only);
    }
    if (except != null) {
      j.put("except", except);
    }
    return j;
  }

  public static GatewayPush fromJson(JsonObject j) {
    return new GatewayPush(j.getString("appId"), j.getString("userId"), j.getJsonObject("frame"),
      j.getBoolean("reliable", false), j.getString("only"), j.getString("except"));
  }
}
