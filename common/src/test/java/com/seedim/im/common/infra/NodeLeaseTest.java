package com.seedim.im.common.infra;

import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.id.IdGenerator;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Audit M8 on the real Redis and MariaDB: the id node lease is renewed only while it is ours. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeLeaseTest {
  static final String REDIS_URI = System.getenv().getOrDefault("IM_TEST_REDIS_URI", "redis://127.0.0.1:6379");
  Vertx vertx;
  Redis redis;
  RedisAPI api;
  String prefix;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    redis = Redis.createClient(vertx, REDIS_URI);
    api = RedisAPI.api(redis);
    prefix = "imt:" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  @AfterEach
  void tearDown() {
    api.eval(List.of("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 0", "0", prefix + "*")).await();
    redis.close();
  }

  private ServerConfig config(Integer nodeId, long leaseMs) {
    JsonObject j = new JsonObject().put("mode", "prod").put("host", "127.0.0.1").put("port", 0)
      .put("apps", new JsonArray().add(new JsonObject().put("appId", "a1").put("secret", "s".repeat(40))))
      .put("mysql", new JsonObject().put("host", System.getenv().getOrDefault("IM_TEST_MYSQL_HOST", "127.0.0.1"))
        .put("database", "test").put("poolSize", 1))
      .put("redis", new JsonObject().put("connectionString", REDIS_URI).put("prefix", prefix))
      .put("nodeLeaseMs", leaseMs);
    if (nodeId != null) {
      j.put("nodeId", nodeId);
    }
    return ServerConfig.fromJson(j, Map.of());
  }

  private static int nodeOf(long id) {
    return (int) ((id >> IdGenerator.SEQ_BITS) & IdGenerator.MAX_NODE);
  }

  @Test
  @DisplayName("a lease taken over by another node is not renewed over it, and its ids stop using that number")
  void stolenLeaseIsNotRenewedAndIdsMoveOff() throws Exception {
    Infra a = ProdInfra.connect(vertx, config(null, 1500)).await();
    try {
      int n = nodeOf(a.ids().next());
      String key = prefix + "node:" + n;
      // another node re-leased the number after a pause of ours longer than the lease
      api.set(List.of(key, "someone-else", "PX", "60000")).await();
      Thread.sleep(2500); // more than one renewal period (lease / 3) and than the lease itself
      Response v = api.get(key).await();
      assertThat(v == null ? null : v.toString()).as("the other node's lease").isEqualTo("someone-else");
      long id;
      try {
        id = a.ids().next();
      } catch (IllegalStateException refused) {
        return; // not re-leased yet: refusing ids is correct too
      }
      assertThat(nodeOf(id)).as("node number of ids issued after the lease was lost").isNotEqualTo(n);
    } finally {
      a.close().await();
    }
  }

  @Test
  @DisplayName("a configured nodeId already held by a live node refuses to start")
  void duplicateConfiguredNodeIdRefused() {
    Infra a = ProdInfra.connect(vertx, config(7, 60_000)).await();
    try {
      assertThatThrownBy(() -> ProdInfra.connect(vertx, config(7, 60_000)).await())
        .hasMessageContaining("node");
    } finally {
      a.close().await();
    }
  }

  @Test
  @DisplayName("an IdGenerator whose lease ran out refuses ids, then issues again once re-leased")
  void expiredLeaseStopsIds() {
    IdGenerator g = new IdGenerator(3);
    g.lease(3, System.currentTimeMillis() - 1);
    assertThatThrownBy(g::next).isInstanceOf(IllegalStateException.class).hasRootCauseInstanceOf(TimeoutException.class);
    g.lease(4, System.currentTimeMillis() + 60_000);
    assertThat(nodeOf(g.next())).isEqualTo(4);
  }
}
