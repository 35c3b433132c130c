package com.seedim.im.testkit.faults;

import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The harness really builds a three-master cluster: a cluster client spreads keys over every master. */
@ExtendWith(VertxExtension.class)
class RedisClusterTest {
  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void threeMastersShareTheKeys(Vertx vertx) throws Exception {
    try (RedisCluster cluster = RedisCluster.start()) {
      RedisOptions o = new RedisOptions().setType(RedisClientType.CLUSTER);
      cluster.uris().forEach(o::addConnectionString);
      Redis client = Redis.createClient(vertx, o);
      RedisAPI api = RedisAPI.api(client);
      for (int i = 0; i < 60; i++) {
        api.set(List.of("k" + i, "v" + i)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      assertThat(api.get("k7").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString())
        .isEqualTo("v7");
      for (int port : cluster.ports()) {
        assertThat(cluster.dbsize(port)).as("keys on master %s", port).isPositive();
      }
      client.close();
    }
  }
}
