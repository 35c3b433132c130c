package com.seedim.im.common.bus;

import io.vertx.core.json.JsonObject;

/**
 * Who sent a frame, as established by the gateway at the handshake (never taken from the frame).
 *
 * @param connId  the sending connection (null for HTTP API calls)
 * @param gateway the push address of the gateway instance holding that connection (null for HTTP API calls)
 */
public record RequestContext(String appId, String userId, String deviceId, String role, String connId, String gateway) {
  public static final String ROLE_USER = "user";
  public static final String ROLE_AGENT = "agent";
  public static final String ROLE_ADMIN = "admin";
  /**
   * The device of messages a business server sends through the HTTP API ({@code POST /api/v1/messages}): '#' is not an
   * id character, so no real device has it.
   */
  public static final String API_DEVICE = "#api";

  public boolean isAgent() {
    return ROLE_AGENT.equals(role);
  }

  public boolean isAdmin() {
    return ROLE_ADMIN.equals(role);
  }

  public boolean isUser() {
    return ROLE_USER.equals(role);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("appId", appId).put("userId", userId).put("deviceId", deviceId).put("role", role);
    if (connId != null) {
      j.put("connId", connId).put("gateway", gateway);
    }
    return j;
  }

  public static RequestContext fromJson(JsonObject j) {
    return new RequestContext(j.getString("appId"), j.getString("userId"), j.getString("deviceId"),
      j.getString("role", ROLE_USER), j.getString("connId"), j.getString("gateway"));
  }
}
