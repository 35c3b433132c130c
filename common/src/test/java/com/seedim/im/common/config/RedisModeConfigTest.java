package com.seedim.im.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code redis.mode} and {@code redis.endpoints}: standalone by default, a Redis Cluster from its seed nodes. */
class RedisModeConfigTest {
  static JsonObject withRedis(JsonObject redis) {
    return ServerConfigTest.prod("a1", ServerConfigTest.GOOD_SECRET).put("redis", redis);
  }

  @Test
  @DisplayName("defaults: standalone, the one endpoint is connectionString")
  void defaults() {
    ServerConfig.RedisConfig r = ServerConfig.fromJson(withRedis(new JsonObject().put("connectionString", "redis://r1:6380")),
      Map.of()).redis();
    assertThat(r.mode()).isEqualTo("standalone");
    assertThat(r.cluster()).isFalse();
    assertThat(r.endpoints()).containsExactly("redis://r1:6380");
  }

  @Test
  @DisplayName("cluster mode with seed endpoints, from the file or from IM_REDIS_MODE / IM_REDIS_ENDPOINTS")
  void cluster() {
    ServerConfig.RedisConfig r = ServerConfig.fromJson(withRedis(new JsonObject().put("mode", "cluster")
      .put("endpoints", new JsonArray().add("redis://a:7000").add("redis://b:7001"))), Map.of()).redis();
    assertThat(r.cluster()).isTrue();
    assertThat(r.endpoints()).containsExactly("redis://a:7000", "redis://b:7001");
    ServerConfig.RedisConfig e = ServerConfig.fromJson(withRedis(new JsonObject()),
      Map.of("IM_REDIS_MODE", "cluster", "IM_REDIS_ENDPOINTS", "redis://x:1, redis://y:2,")).redis();
    assertThat(e.cluster()).isTrue();
    assertThat(e.endpoints()).isEqualTo(List.of("redis://x:1", "redis://y:2"));
  }

  @Test
  @DisplayName("a bad mode, a prefix with a brace, an empty or malformed endpoint list is refused at start with a one-line message")
  void refused() {
    for (Object bad : new Object[] {"Cluster", "sentinel", "", 3}) {
      assertThatThrownBy(() -> ServerConfig.fromJson(withRedis(new JsonObject().put("mode", bad)), Map.of()))
        .as("mode %s", bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redis.mode")
        .hasMessageNotContaining("\n");
    }
    assertThatThrownBy(() -> ServerConfig.fromJson(withRedis(new JsonObject().put("mode", "sentinel")), Map.of()))
      .hasMessage("redis.mode is \"sentinel\": it must be \"standalone\" or \"cluster\" (or IM_REDIS_MODE)");
    assertThatThrownBy(() -> ServerConfig.fromJson(withRedis(new JsonObject().put("prefix", "im{x}:")), Map.of()))
      .hasMessageContaining("redis.prefix").hasMessageNotContaining("\n");
    for (Object bad : new Object[] {new JsonArray(), new JsonArray().add(7), new JsonArray().add("http://x:1"), "redis://x:1"}) {
      assertThatThrownBy(() -> ServerConfig.fromJson(withRedis(new JsonObject().put("mode", "cluster").put("endpoints", bad)),
        Map.of())).as("endpoints %s", bad).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis.endpoints").hasMessageNotContaining("\n");
    }
  }
}
