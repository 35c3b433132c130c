package com.seedim.im.common.bus.msg;

import com.seedim.im.common.bus.RequestContext;
import io.vertx.core.json.JsonObject;

/**
 * A device disconnected: sent by the gateway to chat, room and queue (their {@code *_DISCONNECT} addresses) once its
 * route is gone. Reply: empty JSON. Retried by the gateway while no service answers (NO_HANDLERS).
 *
 * @param lastDevice true when it was the user's last connected device (presence goes offline, graces start)
 * @param logout     the client said 20 (logout) first: leave at once, no grace
 * @param kicked     the connection was closed by a kick (99 KICKED): rooms end with reason {@code kicked}
 */
public record SessionClosed(RequestContext ctx, boolean lastDevice, boolean logout, boolean kicked) implements BusMessage {
  public JsonObject toJson() {
    return new JsonObject().put("ctx", ctx.toJson()).put("lastDevice", lastDevice).put("logout", logout).put("kicked", kicked);
  }

  public static SessionClosed fromJson(JsonObject j) {
    return new SessionClosed(RequestContext.fromJson(j.getJsonObject("ctx")), j.getBoolean("lastDevice", false),
      j.getBoolean("logout", false), j.getBoolean("kicked", false));
  }
}
