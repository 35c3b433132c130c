package com.seedim.im.common.bus.msg;

import com.seedim.im.common.bus.RequestContext;
import io.vertx.core.json.JsonObject;

/**
 * One client frame for the service that owns its msgType ({@code MsgType.address()}), or a 130 sent through the HTTP
 * API ({@code Addresses.CHAT_API_SEND}). Reply: a {@code ServiceReply}, or a failure with an {@code ErrorCode}'s bus code.
 *
 * @param ctx   who sent it, as established at the handshake (never read from the frame)
 * @param frame the frame as the client sent it, parsed strictly once by the gateway; read-only for the service
 */
public record FrameRequest(RequestContext ctx, JsonObject frame) implements BusMessage {
  public JsonObject toJson() {
    return new JsonObject().put("ctx", ctx.toJson()).put("frame", frame);
  }

  public static FrameRequest fromJson(JsonObject j) {
    return new FrameRequest(RequestContext.fromJson(j.getJsonObject("ctx")), j.getJsonObject("frame", new JsonObject()));
  }
}
