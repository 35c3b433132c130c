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
 * @param leftAgoMs   a first device: how long ago the user's last device left, -1 when unknown (presence's grace)
 */
public record SessionOpened(RequestContext ctx, boolean firstDevice, Long headsSince, long leftAgoMs)
  implements BusMessage {
  public SessionOpened(RequestContext ctx, boolean firstDevice, Long headsSince) {
    this(ctx, firstDevice, headsSince, -1);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("ctx", ctx.toJson()).put("firstDevice", firstDevice).put("leftAgoMs", leftAgoMs);
    if (headsSince != null) {
      j.put("headsSince", headsSince);
    }
    return j;
  }

  public static SessionOpened fromJson(JsonObject j) {
    return new SessionOpened(RequestContext.fromJson(j.getJsonObject("ctx")), j.getBoolean("firstDevice", false),
      j.getLong("headsSince"), j.getLong("leftAgoMs", -1L));
  }
}
