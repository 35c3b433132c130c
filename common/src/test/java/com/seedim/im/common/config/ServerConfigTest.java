package com.seedim.im.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Config checks of PROTOCOL.md §8 and the security audit (M1, M2, M3, L13). */
class ServerConfigTest {
  static final String GOOD_SECRET = "k7Qz1v9XcR4mWp2sLd8hNf3bTy6uGe0A";

  static JsonObject dev() {
    return new JsonObject().put("mode", "dev").put("apps", new JsonArray()
      .add(new JsonObject().put("appId", ServerConfig.DEV_APP_ID).put("secret", ServerConfig.DEV_SECRET)));
  }

  static JsonObject prod(String appId, String secret) {
    return new JsonObject().put("mode", "prod").put("apps", new JsonArray()
      .add(new JsonObject().put("appId", appId).put("secret", secret)));
  }

  @Test
  @DisplayName("M3: an appId outside the id grammar or containing ':' is refused at config load")
  void appIdGrammar() {
    for (String bad : new String[] {"1:2", "a b", "x|y", "", "a".repeat(65), "é"}) {
      assertThatThrownBy(() -> ServerConfig.fromJson(prod(bad, GOOD_SECRET), Map.of())).as(bad)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("appId");
    }
    assertThat(ServerConfig.fromJson(prod("my-app_1.x@y", GOOD_SECRET), Map.of()).apps().get("my-app_1.x@y")).isNotNull();
  }
}
