package com.seedim.im.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code turn} section: parsing, environment overrides, and what a production start refuses. */
class TurnConfigTest {
  static final String TURN_SECRET = "a-turn-secret-of-more-than-32-bytes-0123456789";

  static JsonObject prodWith(JsonObject turn) {
    return ConfigValidatorTest.prod().put("turn", turn);
  }

  @Test
  @DisplayName("not configured: no URIs, no secret, one-day TTL")
  void absent() {
    TurnConfig t = TurnConfig.of(ServerConfig.fromJson(ConfigValidatorTest.prod(), Map.of()));
    assertThat(t.configured()).isFalse();
    assertThat(t.urls()).isEmpty();
    assertThat(t.ttlSeconds()).isEqualTo(86_400);
  }

  @Test
  @DisplayName("the config and its environment overrides IM_TURN_URLS, IM_TURN_STUN_URLS, IM_TURN_SECRET")
  void parsed() {
    TurnConfig t = TurnConfig.of(ServerConfig.fromJson(prodWith(new JsonObject()
      .put("urls", new JsonArray().add("turn:t.example.com:3478")).put("secret", TURN_SECRET).put("ttlSeconds", 7200)), Map.of()));
    assertThat(t.configured()).isTrue();
    assertThat(t.urls()).containsExactly("turn:t.example.com:3478");
    assertThat(t.ttlSeconds()).isEqualTo(7200);
    assertThat(t.toString()).doesNotContain(TURN_SECRET);

    TurnConfig e = TurnConfig.of(ServerConfig.fromJson(ConfigValidatorTest.prod(), Map.of(
      "IM_TURN_URLS", "turn:a.example.com:3478?transport=udp, turns:a.example.com:5349",
      "IM_TURN_STUN_URLS", "stun:a.example.com:3478", "IM_TURN_SECRET", TURN_SECRET)));
    assertThat(e.urls()).containsExactly("turn:a.example.com:3478?transport=udp", "turns:a.example.com:5349");
    assertThat(e.stunUrls()).containsExactly("stun:a.example.com:3478");
    assertThat(e.secret()).isEqualTo(TURN_SECRET);
  }

  @Test
  @DisplayName("refused: a short or placeholder secret in production, URIs without a secret, a wrong scheme, a TTL out of range")
  void refused() {
    JsonArray urls = new JsonArray().add("turn:t.example.com:3478");
    assertThatThrownBy(() -> ServerConfig.fromJson(prodWith(new JsonObject().put("urls", urls).put("secret", "short")), Map.of()))
      .hasMessageContaining("turn.secret").hasMessageNotContaining("short\"");
    assertThatThrownBy(() -> ServerConfig.fromJson(prodWith(new JsonObject().put("urls", urls)
      .put("secret", "replace-with-32-or-more-random-bytes-of-secret")), Map.of())).hasMessageContaining("turn.secret");
    assertThatThrownBy(() -> ServerConfig.fromJson(prodWith(new JsonObject().put("urls", urls)), Map.of()))
      .hasMessageContaining("turn.secret");
    assertThatThrownBy(() -> ServerConfig.fromJson(prodWith(new JsonObject().put("secret", TURN_SECRET)), Map.of()))
      .hasMessageContaining("turn.urls");
    assertThat(ConfigValidatorTest.refusal(prodWith(new JsonObject().put("urls", new JsonArray().add("http://t.example.com"))
      .put("secret", TURN_SECRET)), "turn.urls")).contains("turn: or turns:");
    assertThat(ConfigValidatorTest.refusal(prodWith(new JsonObject().put("stunUrls", new JsonArray().add("turn:x"))),
      "turn.stunUrls")).contains("stun:");
    ConfigValidatorTest.refusal(prodWith(new JsonObject().put("ttlSeconds", 5)), "turn.ttlSeconds");
    ConfigValidatorTest.refusal(prodWith(new JsonObject().put("realm", "x")), "turn.realm");
    // dev mode takes a short secret
    JsonObject dev = ConfigValidatorTest.prod().put("mode", "dev").put("turn", new JsonObject().put("urls", urls).put("secret", "dev"));
    assertThat(TurnConfig.of(ServerConfig.fromJson(dev, Map.of())).configured()).isTrue();
  }
}
