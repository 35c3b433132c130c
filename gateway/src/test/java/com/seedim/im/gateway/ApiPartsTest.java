package com.seedim.im.gateway;

import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HTTP API's plain parts, without Vert.x: signs, request reading, media types, and the shared role and push helpers. */
class ApiPartsTest {
  private static final AppConfig HMAC = HandshakeProperties.APPS.get(HandshakeProperties.HMAC_APP);
  private static final AppConfig LEGACY = HandshakeProperties.APPS.get(HandshakeProperties.LEGACY_APP);
  private static final String WS = "ws://127.0.0.1:8080/ws";

  private static Handshake.Result connect(JsonObject signed) {
    String url = signed.getString("url");
    assertThat(url).startsWith(WS + "?");
    Function<String, String> p = HandshakeProperties.params(url.substring(WS.length() + 1));
    return Handshake.check(p, null, HandshakeProperties.APPS, System.currentTimeMillis());
  }

  @Test
  @DisplayName("Signs.login: the URL it hands out passes the handshake, with the canonical role and the device")
  void loginSignConnects() {
    JsonObject s = Signs.login(HMAC, new JsonObject().put("userId", "u1").put("deviceId", "phone").put("role", "KeFu"), WS);
    assertThat(s.getString("role")).isEqualTo("agent");
    assertThat(s.getInteger("msgType")).isEqualTo(Signs.CONNECT_MSG_TYPE);
    Handshake.Result r = connect(s);
    assertThat(r.accepted()).as("%s", r.refusal()).isTrue();
    assertThat(r.identity().userId()).isEqualTo("u1");
    assertThat(r.identity().deviceId()).isEqualTo("phone");
    assertThat(r.identity().role()).isEqualTo("agent");

    JsonObject noDevice = Signs.login(HMAC, new JsonObject().put("userId", "u2"), WS);
    assertThat(noDevice.getString("loginId")).isEqualTo(Handshake.DEFAULT_DEVICE);
    assertThat(connect(noDevice).identity().role()).isEqualTo("user");
  }

  @Test
  @DisplayName("Signs.login for a legacy-sign app: users only, a UUID loginId or none (JSON null)")
  void legacyLoginSign() {
    JsonObject s = Signs.login(LEGACY, new JsonObject().put("userId", "1001"), WS);
    assertThat(s.containsKey("loginId")).isTrue();
    assertThat(s.getValue("loginId")).isNull();
    assertThat(connect(s).accepted()).isTrue();
    String uuid = "123e4567-e89b-12d3-a456-426614174000";
    assertThat(connect(Signs.login(LEGACY, new JsonObject().put("userId", "1001").put("loginId", uuid), WS)).identity().deviceId())
      .isEqualTo(uuid);
    assertThatThrownBy(() -> Signs.login(LEGACY, new JsonObject().put("userId", "1001").put("deviceId", "phone"), WS))
      .isInstanceOf(ProtocolException.class).hasMessageContaining("deviceId");
    assertThatThrownBy(() -> Signs.login(LEGACY, new JsonObject().put("userId", "1001").put("role", "admin"), WS))
      .isInstanceOf(ProtocolException.class).hasMessageContaining("users only");
    assertThatThrownBy(() -> Signs.login(LEGACY, new JsonObject().put("userId", "u1"), WS))
      .isInstanceOf(ProtocolException.class).hasMessageContaining("userIdPattern");
    assertThatThrownBy(() -> Signs.login(HMAC, new JsonObject().put("userId", "1001").put("role", "root"), WS))
      .isInstanceOf(ProtocolException.class).hasMessageContaining("role");
  }

  @Test
  @DisplayName("Signs.chat: a sign that expires after the app's chatSignTtlSeconds")
  void chatSign() {
    JsonObject s = Signs.chat(HMAC, new JsonObject().put("userId", "a").put("receiveUserId", "b"));
    assertThat(s.getString("receiveSign")).hasSize(64);
    assertThat(s.getLong("expiresAt") - s.getLong("timestamp")).isEqualTo(HMAC.chatSignTtlSeconds() * 1000L);
  }

  @Test
  @DisplayName("Role aliases, one table: user by default, agent for custom/kefu, admin for administrator, null when unknown")
  void roles() {
    assertThat(Handshake.canonicalRole(null)).isEqualTo("user");
    assertThat(Handshake.canonicalRole("")).isEqualTo("user");
    assertThat(Handshake.canonicalRole("Custom")).isEqualTo("agent");
    assertThat(Handshake.canonicalRole("ADMINISTRATOR")).isEqualTo("admin");
    assertThat(Handshake.canonicalRole("root")).isNull();
    assertThat(Handshake.isUuid("123e4567-e89b-12d3-a456-426614174000")).isTrue();
    assertThat(Handshake.isUuid("123e4567e89b12d3a456426614174000")).isFalse();
  }

  @Test
  @DisplayName("presence userIds: required, at most 200, every one an id")
  void presenceIds() {
    assertThat(ApiEndpoints.presenceIds("a,b.c,d@e")).containsExactly("a", "b.c", "d@e");
    assertThatThrownBy(() -> ApiEndpoints.presenceIds(" ")).isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> ApiEndpoints.presenceIds("a,,b")).isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> ApiEndpoints.presenceIds(String.join(",", Collections.nCopies(ApiEndpoints.MAX_PRESENCE_USERS + 1, "u"))))
      .isInstanceOf(ProtocolException.class).hasMessageContaining("at most");
  }

  @Test
  @DisplayName("sensitive words: an array of strings, nothing else")
  void words() {
    assertThat(ApiEndpoints.words(new JsonObject().put("words", new JsonArray().add("x").add("y")))).containsExactly("x", "y");
    assertThatThrownBy(() -> ApiEndpoints.words(new JsonObject())).isInstanceOf(ProtocolException.class)
      .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.MISSING_FIELD));
    assertThatThrownBy(() -> ApiEndpoints.words(new JsonObject().put("words", "x"))).isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> ApiEndpoints.words(new JsonObject().put("words", new JsonArray().add(1))))
      .isInstanceOf(ProtocolException.class);
  }

  @Test
  @DisplayName("JSON media type: application/json with an optional utf-8 charset, nothing else")
  void jsonMediaType() {
    assertThat(ApiAuth.isJsonMediaType("application/json")).isTrue();
    assertThat(ApiAuth.isJsonMediaType("Application/JSON; charset=\"UTF-8\"")).isTrue();
    assertThat(ApiAuth.isJsonMediaType("application/json;charset=utf8;")).isTrue();
    assertThat(ApiAuth.isJsonMediaType("application/json; charset=latin1")).isFalse();
    assertThat(ApiAuth.isJsonMediaType("application/json; boundary=x")).isFalse();
    assertThat(ApiAuth.isJsonMediaType("text/json")).isFalse();
    assertThat(ApiAuth.isJsonMediaType(null)).isFalse();
  }

  @Test
  @DisplayName("ServerPush.selfOf: a service reply's self pushes in order, none when absent")
  void selfPushes() {
    JsonObject reply = ServiceReply.ok().self(new JsonArray()
      .add(ServiceReply.push(new JsonObject().put("msgType", 140), true))
      .add(ServiceReply.push(new JsonObject().put("msgType", 410), false))).toJson();
    List<ServerPush> self = ServerPush.selfOf(reply);
    assertThat(self).extracting(p -> p.frame().getInteger("msgType")).containsExactly(140, 410);
    assertThat(self).extracting(ServerPush::reliable).containsExactly(true, false);
    assertThat(ServerPush.selfOf(ServiceReply.ok().toJson())).isEmpty();
  }

  @Test
  @DisplayName("GatewayTick: half the first resend delay, between 50 ms and 1 s")
  void tickPeriod() {
    assertThat(GatewayTick.periodMs(10_000)).isEqualTo(GatewayTick.TICK_MS);
    assertThat(GatewayTick.periodMs(400)).isEqualTo(200);
    assertThat(GatewayTick.periodMs(20)).isEqualTo(GatewayTick.MIN_TICK_MS);
  }
}
