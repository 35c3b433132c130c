package com.seedim.im.gateway;

import com.seedim.im.common.security.Signatures;
import com.seedim.im.testkit.Http;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Rotating an app secret (docs/operations.md, "Rotating an app secret"): with {@code previousSecret} and
 * {@code previousSecretUntil}, connect URLs and API calls signed with either secret are accepted until the window
 * ends; what the server signs itself ({@code POST /api/v1/sign}) uses the new secret; after the window, or with a
 * third secret, a signature is refused with 401. (The chat permission is covered by ChatPermissionTest.)
 */
class SecretRotationTest {
  private static final String OLD = TestServer.SECRET;
  private static final String NEW = "rotated-secret-9876543210-9876543210-zyxwvu";
  private TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private TestServer start(Instant until) {
    server = TestServer.builder().durable(false)
      .app(new JsonObject().put("secret", NEW).put("previousSecret", OLD).put("previousSecretUntil", until.toString()))
      .start();
    return server;
  }

  private String url(String secret, String userId) {
    long txNo = System.currentTimeMillis();
    return "/ws?appId=" + TestServer.APP_ID + "&userId=" + userId + "&loginId=d1&role=user&msgType=10&txNo=" + txNo
      + "&sign=" + Signatures.login(secret, TestServer.APP_ID, userId, "d1", "user", Long.toString(txNo));
  }

  private int connectStatus(String secret, String userId) {
    try {
      TestClient c = server.connectRaw(url(secret, userId), userId, "d1", null).await();
      c.close();
      return 101;
    } catch (UpgradeRejectedException e) {
      return e.getStatus();
    }
  }

  private Http.Response api(String secret, String body) {
    return Http.api(server.port(), "POST", "/api/v1/sign", body, secret, System.currentTimeMillis(), UUID.randomUUID().toString());
  }

  @Test
  @DisplayName("during the window both secrets sign connects and API calls; the server signs with the new one; a third secret is refused")
  void bothSecretsDuringTheWindow() {
    start(Instant.now().plus(Duration.ofHours(1)));
    assertThat(connectStatus(OLD, "alice")).as("a URL signed with the previous secret").isEqualTo(101);
    assertThat(connectStatus(NEW, "bob")).as("a URL signed with the new secret").isEqualTo(101);
    assertThat(connectStatus("some-other-secret-0123456789-0123456789", "carol")).isEqualTo(401);

    Http.Response byOld = api(OLD, "{\"userId\":\"dave\"}");
    assertThat(byOld.status()).as(byOld.body()).isEqualTo(200);
    assertThat(api(NEW, "{\"userId\":\"dave\"}").status()).isEqualTo(200);
    assertThat(api("some-other-secret-0123456789-0123456789", "{\"userId\":\"dave\"}").status()).isEqualTo(401);

    String signed = byOld.json().getString("url");
    String query = URI.create(signed).getRawQuery();
    String txNo = param(query, "txNo");
    assertThat(param(query, "sign")).as("the server signs with the new secret")
      .isEqualTo(Signatures.login(NEW, TestServer.APP_ID, "dave", param(query, "loginId") == null ? "" : param(query, "loginId"),
        param(query, "role") == null ? "" : param(query, "role"), txNo));
  }

  @Test
  @DisplayName("after the window the previous secret is refused for connects and API calls; the new one keeps working")
  void previousSecretRefusedAfterTheWindow() {
    start(Instant.now().minus(Duration.ofSeconds(1)));
    assertThat(connectStatus(OLD, "alice")).isEqualTo(401);
    assertThat(connectStatus(NEW, "bob")).isEqualTo(101);
    assertThat(api(OLD, "{\"userId\":\"dave\"}").status()).isEqualTo(401);
    assertThat(api(NEW, "{\"userId\":\"dave\"}").status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a rotation without an end, with a malformed end or with the same secret twice refuses to start")
  void refusedConfigs() {
    assertThatThrownBy(() -> TestServer.builder().durable(false).app(new JsonObject().put("secret", NEW).put("previousSecret", OLD))
      .start()).hasMessageContaining("previousSecretUntil");
    assertThatThrownBy(() -> TestServer.builder().durable(false).app(new JsonObject().put("secret", NEW).put("previousSecret", OLD)
      .put("previousSecretUntil", "next week")).start()).hasMessageContaining("ISO-8601");
    assertThatThrownBy(() -> TestServer.builder().durable(false).app(new JsonObject().put("secret", NEW).put("previousSecret", NEW)
      .put("previousSecretUntil", "2030-01-01T00:00:00Z")).start()).hasMessageContaining("previousSecret");
  }

  private static String param(String query, String name) {
    for (String kv : query.split("&")) {
      int eq = kv.indexOf('=');
      if (kv.substring(0, eq).equals(name)) {
        return java.net.URLDecoder.decode(kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }
}
