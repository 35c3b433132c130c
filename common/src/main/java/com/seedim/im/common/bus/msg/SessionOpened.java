package com.seedim.im.common.bus.msg;

import com.seedim.im.common.bus.RequestContext;
import io.vertx.core.json.JsonObject;

/**
 * A device connected: sent by the gateway to chat, room and queue (their {@code *_CONNECT} addresses) before the
 * WebSocket upgrade. Reply: a {@code ServiceReply} whose {@code self} pushes the gateway writes after the 11
 * (1170 heads and undelivered 140s from chat, 551/301 from room, 410 from queue).
 *
 * @param firstDevice true when no other device of the user was connected
 * @param headsSince  the client's {@code headsSince} (chat only; null when absent)
 */
public record SessionOpened(RequestContext ctx, boolean firstDevice, Long headsSince) implements BusMessage {
  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("ctx", ctx.toJson()).put("firstDevice", firstDevice);
    if (headsSince != null) {
      j.put("headsSince", headsSince);
    }
    return j;
  }

  public static SessionOpened fromJson(JsonObject j) {
    return new SessionOpened(RequestContext.fromJson(j.getJsonObject("ctx")), j.getBoolean("firstDevice", false),
      j.getLong("headsSince"));
  }
}
