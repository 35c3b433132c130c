package com.seedim.im.gateway;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.security.Signatures;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The signs the HTTP API hands out (PROTOCOL.md §7; the dev endpoints use them too): a connect URL with its login
 * sign (what the original {@code /im/sign} returned), and a chat sign. Plain: the clock is the only input besides the
 * request and the app.
 */
final class Signs {
  /** The {@code msgType} a connect URL carries, as the original {@code /im/sign} answers had it. */
  static final int CONNECT_MSG_TYPE = 10;

  private Signs() {
  }

  /** POST /api/v1/sign: {@code userId}, {@code deviceId} (or {@code loginId}), {@code role}. */
  static JsonObject login(AppConfig app, JsonObject b, String wsUrl) {
    String userId = Frames.reqId(b, "userId");
    String deviceField = "deviceId";
    String deviceId = Frames.optId(b, "deviceId");
    if (deviceId == null) {
      deviceField = "loginId";
      deviceId = Frames.optId(b, "loginId");
    }
    if (app.legacySign()) {
      // the legacy handshake takes a loginId only as a UUID; without one the URL carries none (device "default")
      if (deviceId != null && !Handshake.isUuid(deviceId)) {
        throw ProtocolException.invalid(deviceField, "legacy-sign apps need a UUID (8-4-4-4-12 hex digits)");
      }
    } else if (deviceId == null) {
      deviceId = Handshake.DEFAULT_DEVICE;
    }
    String role = Handshake.canonicalRole(Frames.optString(b, "role"));
    if (role == null) {
      throw ProtocolException.invalid("role", "user, agent or admin");
    }
    String txNo = Long.toString(System.currentTimeMillis());
    String sign;
    StringBuilder url = new StringBuilder(wsUrl).append("?appId=").append(enc(app.appId())).append("&userId=").append(enc(userId));
    if (deviceId != null) {
      url.append("&loginId=").append(enc(deviceId));
    }
    if (app.legacySign()) {
      if (!"user".equals(role)) {
        throw ProtocolException.invalid("role", "legacy-sign apps connect users only");
      }
      if (!app.userIdPattern().matcher(userId).matches()) {
        throw ProtocolException.invalid("userId", "does not match this app's userIdPattern");
      }
      sign = Signatures.legacyLogin(app.secret(), app.appId(), userId, deviceId, txNo);
    } else {
      sign = Signatures.login(app.secret(), app.appId(), userId, deviceId, role, txNo);
      url.append("&role=").append(role);
    }
    url.append("&msgType=").append(CONNECT_MSG_TYPE).append("&txNo=").append(txNo).append("&sign=").append(sign);
    // loginId is JSON null for a legacy URL without one (a client appending "loginId=null" still connects, §2)
    return new JsonObject().put("url", url.toString()).put("appId", app.appId()).put("userId", userId)
      .put("loginId", deviceId).put("role", role).put("msgType", CONNECT_MSG_TYPE).put("txNo", Long.parseLong(txNo)).put("sign", sign)
      .put("heartbeatSeconds", app.heartbeatSeconds());
  }

  /** POST /api/v1/chat-sign: permission for {@code userId} to message {@code receiveUserId}. */
  static JsonObject chat(AppConfig app, JsonObject b) {
    String userId = Frames.reqId(b, "userId");
    String receiver = Frames.reqId(b, "receiveUserId");
    long ts = System.currentTimeMillis();
    String sign = app.legacySign()
      ? Signatures.legacyChat(app.secret(), app.appId(), receiver, ts)
      : Signatures.chat(app.secret(), app.appId(), userId, receiver, ts);
    return new JsonObject().put("receiveSign", sign).put("timestamp", ts)
      .put("expiresAt", ts + app.chatSignTtlSeconds() * 1000L);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
