package com.seedim.im.common.store;

import com.seedim.im.common.store.redis.MultiplexedRedis;
import com.seedim.im.common.store.redis.RedisSessionDirectory;
import com.seedim.im.testkit.DurableState;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.faults.RedisCluster;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key layout on a real Redis Cluster: one user's keys share a slot; the users of one app spread over every master. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisClusterKeysTest {
  static Vertx vertx;
  static RedisCluster cluster;
  static Redis redis;
  static RedisAPI api;

  @BeforeAll
  static void setUp(Vertx injected) {
    vertx = injected;
    cluster = RedisCluster.start();
    // pipelined lanes as in production (the plain pooled client leases a connection per command)
    redis = new MultiplexedRedis(Redis.createClient(vertx, new RedisOptions().setType(RedisClientType.CLUSTER)
      .setEndpoints(new ArrayList<>(cluster.uris()))), 2, vertx, 5000);
    api = RedisAPI.api(redis);
  }

  @AfterAll
  static void tearDown() {
    redis.close();
    cluster.close();
  }

  @Test
  @DisplayName("a user's keys carry the app+user hash tag: same slot, and our slot is Redis's own CLUSTER KEYSLOT")
  void oneSlotPerUser() throws Exception {
    String route = RedisKeys.user("im:", "r", "app1", "alice:phone@x");
    assertThat(route).isEqualTo("im:r:{app1:alice:phone@x}");
    String other = RedisKeys.user("other-prefix:", "q", "app1", "alice:phone@x");
    assertThat(RedisKeys.slot(route)).isEqualTo(RedisKeys.slot(other));
    assertThat(RedisKeys.slot(route)).isNotEqualTo(RedisKeys.slot(RedisKeys.user("im:", "r", "app1", "bob")));
    int port = cluster.ports().get(0);
    for (String k : List.of(route, "im:gw:alive", "im:clock:{c0}", RedisKeys.user("p:", "r", "1477358668", "u-42"))) {
      assertThat(Integer.parseInt(cluster.cli(port, "CLUSTER", "KEYSLOT", k).trim())).as("slot of %s", k)
        .isEqualTo(RedisKeys.slot(k));
    }
    assertThatThrownBy(() -> RedisKeys.userTag("app", "a}b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("the users of one large app spread over all three masters, and batched lookups read them all back")
  void oneAppSpreads() {
    RedisSessionDirectory d = new RedisSessionDirectory(vertx, api, "imt:spread:", true);
    d.gatewayAlive("gw1").await();
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 90; i++) {
      users.add("user" + i);
      d.register("bigapp", "user" + i, new Route("phone", "c" + i, "gw1", "user", 1000), 3).await();
    }
    for (int port : cluster.ports()) {
      assertThat(cluster.dbsize(port)).as("keys on master %s", port).isGreaterThan(10);
    }
    Map<String, List<Route>> all = d.routes("bigapp", users).await();
    assertThat(all).hasSize(90);
    assertThat(all.get("user7")).extracting(Route::connId).containsExactly("c7");
    d.close();
  }

  @Test
  @DisplayName("a test's cleanup deletes its prefix on every master (each node's SCAN sees only its own keys)")
  void cleanupOnEveryMaster() {
    String prefix = "imt:clean:";
    for (int i = 0; i < 60; i++) {
      api.set(List.of(RedisKeys.user(prefix, "x", "app", "u" + i), "1")).await();
    }
    api.set(List.of("imt:keep:other", "1")).await();
    DurableState.drop(TestServer.MYSQL_HOST, 3306, "imt_none_cleanup", cluster.uris(), prefix);
    for (int i = 0; i < 60; i++) {
      assertThat(api.exists(List.of(RedisKeys.user(prefix, "x", "app", "u" + i))).await().toInteger()).isZero();
    }
    assertThat(api.get("imt:keep:other").await().toString()).isEqualTo("1");
  }
}
