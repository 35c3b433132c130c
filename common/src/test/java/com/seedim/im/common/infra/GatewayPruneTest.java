package com.seedim.im.common.infra;

import com.seedim.im.common.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Audit L11 on the real Redis: gateways dead for long are pruned from {@code gw:alive}. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayPruneTest {
  @Test
  @DisplayName("L11: a gateway dead for longer than the prune age leaves gw:alive; a live one stays")
  void crashedGatewaysArePruned(Vertx vertx) throws Exception {
    String uri = System.getenv().getOrDefault("IM_TEST_REDIS_URI", "redis://127.0.0.1:6379");
    String prefix = "imt:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    Redis redis = Redis.createClient(vertx, uri);
    RedisAPI api = RedisAPI.api(redis);
    try {
      long now = System.currentTimeMillis();
      api.zadd(List.of(prefix + "gw:alive", Long.toString(now - 3_600_000), "crashed-gw",
        Long.toString(now), "live-gw")).await();
      JsonObject j = new JsonObject().put("mode", "prod").put("host", "127.0.0.1").put("port", 0)
        .put("apps", new JsonArray().add(new JsonObject().put("appId", "a1").put("secret", "s".repeat(40))))
        .put("mysql", new JsonObject().put("host", System.getenv().getOrDefault("IM_TEST_MYSQL_HOST", "127.0.0.1"))
          .put("database", "test").put("poolSize", 1))
        .put("redis", new JsonObject().put("connectionString", uri).put("prefix", prefix));
      Infra infra = ProdInfra.connect(vertx, ServerConfig.fromJson(j, Map.of())).await();
      try {
        long until = System.currentTimeMillis() + 5_000;
        while (api.zscore(prefix + "gw:alive", "crashed-gw").await() != null && System.currentTimeMillis() < until) {
          Thread.sleep(100);
        }
        assertThat(api.zscore(prefix + "gw:alive", "crashed-gw").await()).as("crashed gateway pruned").isNull();
        assertThat(api.zscore(prefix + "gw:alive", "live-gw").await()).as("live gateway kept").isNotNull();
      } finally {
        infra.close().await();
      }
    } finally {
      api.eval(List.of("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 0", "0", prefix + "*")).await();
      redis.close();
    }
  }
}
