package com.seedim.im.common.turn;

import com.seedim.im.common.config.TurnConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** TURN REST API credentials (coturn {@code use-auth-secret}) and the {@code iceServers} array. */
class IceServersTest {
  static final String SECRET = "shared-secret-of-at-least-32-bytes!!";

  static TurnConfig turn(int ttl) {
    return new TurnConfig(List.of("turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349?transport=tcp"),
      List.of("stun:stun.example.com:3478"), SECRET, ttl);
  }

  @Test
  @DisplayName("a worked example: username <expiry>:<userId>, credential base64(HMAC-SHA1(secret, username)) (checked once with openssl)")
  void workedExample() {
    // printf '%s' '1700086400:42' | openssl dgst -sha1 -hmac 'shared-secret-of-at-least-32-bytes!!' -binary | base64
    IceServers.Credential c = new IceServers(turn(86_400)).mint("42", 1_700_000_000L);
    assertThat(c.username()).isEqualTo("1700086400:42");
    assertThat(c.credential()).isEqualTo("aSFdUEWSC2kSk1O0vNVtzjMiqGo=");
    assertThat(c.expiresAt()).isEqualTo(1_700_086_400L);
    assertThat(c.toString()).doesNotContain(c.credential());
  }

  @Test
  @DisplayName("the credential equals what openssl computes independently, for other users and times")
  void matchesOpenssl() throws Exception {
    IceServers ice = new IceServers(turn(600));
    for (String user : List.of("1", "agent-7", "u@example.com", "客服")) {
      IceServers.Credential c = ice.mint(user, 1_800_000_123L);
      assertThat(c.username()).isEqualTo("1800000723:" + user);
      String expected = openssl(SECRET, c.username());
      assumeTrue(expected != null, "openssl not available");
      assertThat(c.credential()).isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("expiry is now + ttlSeconds; a later mint expires later and signs differently")
  void expiry() {
    IceServers ice = new IceServers(turn(3600));
    long now = System.currentTimeMillis() / 1000;
    JsonArray servers = ice.forUser("9", now);
    String username = servers.getJsonObject(1).getString("username");
    assertThat(Long.parseLong(username.substring(0, username.indexOf(':')))).isEqualTo(now + 3600);
    JsonObject later = ice.forUser("9", now + 10).getJsonObject(1);
    assertThat(later.getString("username")).isEqualTo((now + 3610) + ":9");
    assertThat(later.getString("credential")).isNotEqualTo(servers.getJsonObject(1).getString("credential"))
      .isEqualTo(IceServers.sign(SECRET, later.getString("username")));
  }

  @Test
  @DisplayName("iceServers: the STUN entry without credentials, the TURN entry with them; what is not configured is omitted")
  void shape() {
    JsonArray all = new IceServers(turn(60)).forUser("5", 100);
    assertThat(all.size()).isEqualTo(2);
    assertThat(all.getJsonObject(0)).isEqualTo(new JsonObject().put("urls", new JsonArray().add("stun:stun.example.com:3478")));
    JsonObject t = all.getJsonObject(1);
    assertThat(t.fieldNames()).containsExactlyInAnyOrder("urls", "username", "credential");
    assertThat(t.getJsonArray("urls")).containsExactly("turn:turn.example.com:3478?transport=udp",
      "turns:turn.example.com:5349?transport=tcp");
    assertThat(t.getString("username")).isEqualTo("160:5");

    JsonArray stunOnly = new IceServers(new TurnConfig(List.of(), List.of("stun:s.example.com"), null, 60)).forUser("5", 100);
    assertThat(stunOnly).containsExactly(new JsonObject().put("urls", new JsonArray().add("stun:s.example.com")));
    assertThat(new IceServers(TurnConfig.NONE).forUser("5")).isEmpty();
    JsonArray turnOnly = new IceServers(new TurnConfig(List.of("turn:t.example.com"), List.of(), SECRET, 60)).forUser("5", 0);
    assertThat(turnOnly.size()).isEqualTo(1);
    assertThat(turnOnly.getJsonObject(0).getString("username")).isEqualTo("60:5");
    assertThatThrownBy(() -> new IceServers(TurnConfig.NONE).mint("5", 0)).isInstanceOf(IllegalStateException.class);
  }

  /** base64(HMAC-SHA1) by openssl, or null when openssl cannot run. */
  static String openssl(String secret, String data) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", "openssl dgst -sha1 -hmac \"$S\" -binary | base64");
    pb.environment().put("S", secret);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return null;
    }
    p.getOutputStream().write(data.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      return null;
    }
    return out.toString(StandardCharsets.UTF_8).trim();
  }
}
