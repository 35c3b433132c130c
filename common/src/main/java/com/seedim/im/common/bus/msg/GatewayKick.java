package com.seedim.im.common.bus.msg;

import com.seedim.im.common.proto.NoticeCode;
import io.vertx.core.json.JsonObject;

/**
 * Close a user's connections on one gateway with a 99 notice.
 *
 * @param connId the one connection to close, or null for all of the user's connections on that gateway
 */
public record GatewayKick(String appId, String userId, String connId, NoticeCode code) implements GatewayMessage {
  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("op", "kick").put("appId", appId).put("userId", userId).put("code", code.name());
    if (connId != null) {
      j.put("connId", connId);
    }
    return j;
  }

  public static GatewayKick fromJson(JsonObject j) {
    String code = j.getString("code", NoticeCode.KICKED.name());
    NoticeCode c;
    try {
      c = NoticeCode.valueOf(code);
    } catch (IllegalArgumentException e) {
      c = NoticeCode.KICKED; // a code of a newer release: still a kick
    }
    return new GatewayKick(j.getString("appId"), j.getString("userId"), j.getString("connId"), c);
  }
}
