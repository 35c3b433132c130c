package com.seedim.im.common.infra;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.store.Route;
import com.seedim.im.testkit.faults.RedisCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The production infra ({@code redis.mode: cluster}) on a real three-master Redis Cluster. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisClusterInfraTest {
  static RedisCluster cluster;

  @BeforeAll
  static void setUp() {
    cluster = RedisCluster.start();
  }

  @AfterAll
  static void tearDown() {
    cluster.close();
  }

  static ServerConfig config(String prefix) {
    JsonObject j = new JsonObject().put("mode", "prod").put("host", "127.0.0.1").put("port", 0)
      .put("apps", new JsonArray().add(new JsonObject().put("appId", "a1").put("secret", "s".repeat(40))))
      .put("mysql", new JsonObject().put("host", System.getenv().getOrDefault("IM_TEST_MYSQL_HOST", "127.0.0.1"))
        .put("database", "test").put("poolSize", 1))
      .put("redis", new JsonObject().put("mode", "cluster").put("endpoints", new JsonArray(new ArrayList<>(cluster.uris())))
        .put("prefix", prefix).put("commandTimeoutMs", 1000));
    return ServerConfig.fromJson(j, Map.of());
  }

  @Test
  @DisplayName("one lost-data clock per master: FLUSHALL of one master alone publishes the reset")
  void oneMasterLosingItsDataIsNoticed(Vertx vertx) throws Exception {
    String prefix = "imt:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    Infra infra = Infra.create(vertx, config(prefix)).await();
    List<Long> resets = new CopyOnWriteArrayList<>();
    vertx.eventBus().localConsumer(Addresses.LOCAL_REDIS_RESET, m -> resets.add(System.currentTimeMillis())).completion().await();
    try {
      assertThat(infra.ids()).as("message-id node leased on the cluster").isNotNull();
      // every master gets its clock within a few checks
      long until = System.currentTimeMillis() + 10_000;
      while (!everyMasterHasAClock(prefix) && System.currentTimeMillis() < until) {
        Thread.sleep(200);
      }
      assertThat(everyMasterHasAClock(prefix)).as("a clock on every master").isTrue();
      Thread.sleep(2 * RedisResets.CHECK_MS);
      assertThat(resets).isEmpty();
      int victim = cluster.ports().get(2);
      cluster.cli(victim, "FLUSHALL");
      until = System.currentTimeMillis() + 10_000;
      while (resets.isEmpty() && System.currentTimeMillis() < until) {
        Thread.sleep(100);
      }
      assertThat(resets).as("reset published after one master lost its data").isNotEmpty();
      // the directory still works on every master afterwards
      infra.directory().gatewayAlive("gw-x").await();
      for (int i = 0; i < 30; i++) {
        infra.directory().register("a1", "u" + i, new Route("d", "c" + i, "gw-x", "user", 1000), 2).await();
      }
      assertThat(infra.directory().routes("a1", List.of("u1", "u2", "u29")).await()).hasSize(3);
    } finally {
      infra.close().await();
    }
  }

  /** The ids of the clients connected to a node (but the redis-cli asking). */
  private static Set<String> clientIds(int port) throws Exception {
    Set<String> ids = new HashSet<>();
    for (String line : cluster.cli(port, "CLIENT", "LIST").split("\n")) {
      Matcher m = ID.matcher(line);
      if (m.find() && !line.contains("cmd=client|list")) {
        ids.add(m.group(1));
      }
    }
    return ids;
  }

  private static final Pattern ID = Pattern.compile("\\bid=(\\d+)");

  private static boolean everyMasterHasAClock(String prefix) throws Exception {
    for (int port : cluster.ports()) {
      String keys = cluster.cli(port, "KEYS", prefix + "clock:*");
      if (keys.isBlank()) {
        return false;
      }
    }
    return true;
  }

  @Test
  @DisplayName("a cluster lane whose master went silent is dropped and closed for real; commands work again after")
  void silentMasterLane(Vertx vertx) throws Exception {
    String prefix = "imt:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    Infra infra = Infra.create(vertx, config(prefix)).await();
    try {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        keys.add("k" + i);
        infra.kv().set("k" + i, "v" + i, 60_000).await();
      }
      int port = cluster.ports().get(0);
      Set<String> before = clientIds(port);
      // the master stops answering clients (its sockets stay open): commands on it time out
      cluster.cli(port, "CLIENT", "PAUSE", "2500", "ALL");
      int failed = 0;
      for (String k : keys) {
        try {
          infra.kv().get(k).await();
        } catch (Exception e) { // await() rethrows the TimeoutException as is
          failed++;
        }
        if (failed > 0) {
          break;
        }
      }
      assertThat(failed).as("a command on the paused master timed out").isPositive();
      Thread.sleep(3000);
      for (String k : keys) {
        assertThat(infra.kv().get(k).await()).isEqualTo("v" + k.substring(1));
      }
      Set<String> gone = new HashSet<>(before);
      gone.removeAll(clientIds(port));
      assertThat(gone).as("the timed-out lane's socket to the silent master was closed, not recycled").isNotEmpty();
    } finally {
      infra.close().await();
    }
  }
}
