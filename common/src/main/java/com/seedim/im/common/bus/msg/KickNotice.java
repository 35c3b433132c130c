package com.seedim.im.common.bus.msg;

import io.vertx.core.json.JsonObject;

/**
 * Published to every gateway ({@code KickRecords.ADDRESS}) after a kick was stored: the user may not reconnect before
 * {@code expiresAt} with a sign made before {@code at}.
 */
public record KickNotice(String appId, String userId, long at, long expiresAt) implements BusMessage {
  public JsonObject toJson() {
    return new JsonObject().put("appId", appId).put("userId", userId).put("at", at).put("expiresAt", expiresAt);
  }

  public static KickNotice fromJson(JsonObject j) {
    return new KickNotice(j.getString("appId"), j.getString("userId"), j.getLong("at", 0L), j.getLong("expiresAt", 0L));
  }
}
