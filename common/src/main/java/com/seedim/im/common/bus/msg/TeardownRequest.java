package com.seedim.im.common.bus.msg;

import com.seedim.im.common.bus.RequestContext;
import io.vertx.core.json.JsonObject;

/**
 * End a room: sent by queue (420) and signaling (330 ends the room) to {@code Addresses.ROOM_TEARDOWN}; the room
 * service closes it once (exactly one caller wins the close) and sends 321/421/560. Reply: {@code {self:[..]}} with
 * the pushes for the requesting connection, in order.
 *
 * @param ctx    the requesting connection (its own pushes come back in the reply)
 * @param leaver the member who caused it, or null
 */
public record TeardownRequest(RequestContext ctx, String appId, String roomId, TeardownReason reason, String leaver)
  implements BusMessage {
  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("ctx", ctx.toJson()).put("appId", appId).put("roomId", roomId).put("reason", reason.wire());
    if (leaver != null) {
      j.put("leaver", leaver);
    }
    return j;
  }

  public static TeardownRequest fromJson(JsonObject j) {
    TeardownReason r = TeardownReason.of(j.getString("reason"));
    return new TeardownRequest(RequestContext.fromJson(j.getJsonObject("ctx")), j.getString("appId"), j.getString("roomId"),
      r == null ? TeardownReason.LEFT : r, j.getString("leaver"));
  }
}
