package com.seedim.im.common.store;

import com.seedim.im.common.store.memory.MemoryKeyValueStore;
import com.seedim.im.common.store.memory.MemorySessionDirectory;
import com.seedim.im.common.store.redis.MultiplexedRedis;
import com.seedim.im.common.store.redis.RedisKeyValueStore;
import com.seedim.im.common.store.redis.RedisSessionDirectory;
import com.seedim.im.testkit.faults.RedisCluster;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One contract for the session directory and the key-value store, run on memory, on the machine's Redis and on a Redis
 * Cluster of three masters of the test's own (where a command or script touching two hash slots is refused: the
 * contract passing there shows every operation stays in one slot). Lives in testkit because the cluster harness does.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StoreContractTest {
  static Vertx vertx;
  static Redis redis;
  static RedisAPI api;
  static RedisCluster cluster;
  static Redis clusterRedis;
  static RedisAPI clusterApi;
  static final String PREFIX = "imt:" + UUID.randomUUID().toString().substring(0, 8) + ":";

  @BeforeAll
  static void setUp(Vertx injected) {
    vertx = injected;
    redis = Redis.createClient(vertx, System.getenv().getOrDefault("IM_TEST_REDIS_URI", "redis://127.0.0.1:6379"));
    api = RedisAPI.api(redis);
    cluster = RedisCluster.start();
    RedisOptions o = new RedisOptions().setType(RedisClientType.CLUSTER).setEndpoints(new ArrayList<>(cluster.uris()));
    // as production does: commands pipelined over a few cluster connections, with a deadline
    clusterRedis = new MultiplexedRedis(Redis.createClient(vertx, o), 2, vertx, 5000);
    clusterApi = RedisAPI.api(clusterRedis);
  }

  @AfterAll
  static void tearDown() {
    api.eval(List.of("for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 0", "0", PREFIX + "*")).await();
    redis.close();
    clusterRedis.close();
    cluster.close();
  }

  static Stream<Arguments> directories() {
    String p = PREFIX + UUID.randomUUID().toString().substring(0, 6) + ":";
    return Stream.of(Arguments.of("memory", new MemorySessionDirectory()),
      Arguments.of("redis", new RedisSessionDirectory(vertx, api, p, false)),
      Arguments.of("redis-cluster", new RedisSessionDirectory(vertx, clusterApi, p, true)));
  }

  static Stream<Arguments> kvs() {
    String p = PREFIX + UUID.randomUUID().toString().substring(0, 6) + ":";
    return Stream.of(Arguments.of("memory", new MemoryKeyValueStore()), Arguments.of("redis", new RedisKeyValueStore(api, p)),
      Arguments.of("redis-cluster", new RedisKeyValueStore(clusterApi, p)));
  }

  private static Route route(String device, String conn, String gw, String role, long at) {
    return new Route(device, conn, gw, role, at);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("directories")
  @DisplayName("register: first device, same device replaces, other role replaces all, beyond maxDevices evicts the oldest")
  void registerRules(String name, SessionDirectory d) {
    d.gatewayAlive("gwA").await();
    d.gatewayAlive("gwB").await();
    var r1 = d.register("app", "u1", route("phone", "c1", "gwA", "user", 1000), 2).await();
    assertThat(r1.firstDevice()).isTrue();
    assertThat(r1.displaced()).isEmpty();
    var r2 = d.register("app", "u1", route("web", "c2", "gwB", "user", 2000), 2).await();
    assertThat(r2.firstDevice()).isFalse();
    assertThat(r2.displaced()).isEmpty();
    // a third device beyond maxDevices=2 replaces the oldest (phone)
    var r3 = d.register("app", "u1", route("pad", "c3", "gwA", "user", 3000), 2).await();
    assertThat(r3.displaced()).extracting(Route::connId).containsExactly("c1");
    // the same device again replaces its old connection
    var r4 = d.register("app", "u1", route("pad", "c4", "gwB", "user", 4000), 2).await();
    assertThat(r4.displaced()).extracting(Route::connId).containsExactly("c3");
    assertThat(d.routes("app", "u1").await()).extracting(Route::connId).containsExactlyInAnyOrder("c2", "c4");
    // another role replaces all
    var r5 = d.register("app", "u1", route("desk", "c5", "gwA", "agent", 5000), 5).await();
    assertThat(r5.displaced()).extracting(Route::connId).containsExactlyInAnyOrder("c2", "c4");
    assertThat(d.routes("app", "u1").await()).extracting(Route::role).containsExactly("agent");
    // apps are tenants
    assertThat(d.routes("other", "u1").await()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("directories")
  @DisplayName("unregister only removes the owning connection; last device reported once")
  void unregisterOwnership(String name, SessionDirectory d) {
    d.gatewayAlive("gwA").await();
    d.register("app", "u2", route("phone", "old", "gwA", "user", 1000), 5).await();
    d.register("app", "u2", route("phone", "new", "gwA", "user", 2000), 5).await();
    // the late close of the replaced socket must not remove the new session
    assertThat(d.unregister("app", "u2", "phone", "old").await()).isFalse();
    assertThat(d.routes("app", "u2").await()).extracting(Route::connId).containsExactly("new");
    d.register("app", "u2", route("web", "w", "gwA", "user", 3000), 5).await();
    assertThat(d.unregister("app", "u2", "web", "w").await()).isFalse();
    assertThat(d.unregister("app", "u2", "phone", "new").await()).isTrue();
    assertThat(d.unregister("app", "u2", "phone", "new").await()).isFalse();
    assertThat(d.routes("app", "u2").await()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("directories")
  @DisplayName("a first device learns how long ago the last one left (in the same atomic step), not after a logout, "
    + "and only once")
  void leftAgo(String name, SessionDirectory d) throws InterruptedException {
    d.gatewayAlive("gwA").await();
    var fresh = d.register("app", "u7", route("phone", "c1", "gwA", "user", 1000), 5).await();
    assertThat(fresh.leftAgoMs()).as("never left").isEqualTo(-1);
    assertThat(d.unregister("app", "u7", "phone", "c1").await()).isTrue();
    Thread.sleep(30);
    var back = d.register("app", "u7", route("phone", "c2", "gwA", "user", 2000), 5).await();
    assertThat(back.firstDevice()).isTrue();
    assertThat(back.leftAgoMs()).isBetween(20L, 10_000L);
    var second = d.register("app", "u7", route("web", "c3", "gwA", "user", 3000), 5).await();
    assertThat(second.leftAgoMs()).as("not a first device").isEqualTo(-1);
    assertThat(d.unregister("app", "u7", "web", "c3").await()).isFalse();
    assertThat(d.unregister("app", "u7", "phone", "c2", true).await()).as("logout of the last device").isTrue();
    var afterLogout = d.register("app", "u7", route("phone", "c4", "gwA", "user", 4000), 5).await();
    assertThat(afterLogout.firstDevice()).isTrue();
    assertThat(afterLogout.leftAgoMs()).as("a logout is not a leave within the grace").isEqualTo(-1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("directories")
  @DisplayName("routes of a gateway that is gone do not count")
  void deadGateway(String name, SessionDirectory d) {
    d.gatewayAlive("gwA").await();
    d.gatewayAlive("gwDead").await();
    d.register("app", "u3", route("phone", "c1", "gwDead", "user", 1000), 5).await();
    d.register("app", "u4", route("phone", "c2", "gwA", "user", 1000), 5).await();
    d.gatewayGone("gwDead").await();
    assertThat(d.routes("app", "u3").await()).isEmpty();
    Map<String, List<Route>> many = d.routes("app", List.of("u3", "u4", "nobody")).await();
    assertThat(many).containsOnlyKeys("u4");
    // a new device of u3 is its first live one
    assertThat(d.register("app", "u3", route("web", "c3", "gwA", "user", 2000), 5).await().firstDevice()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("directories")
  @DisplayName("lookups made on one event loop turn (coalesced on Redis, more than one batch) each get their own user's routes")
  void coalescedLookups(String name, SessionDirectory d) {
    d.gatewayAlive("gwA").await();
    d.gatewayAlive("gwGone").await();
    int users = 600; // more than two script calls' worth
    for (int i = 0; i < users; i += 3) {
      d.register("app", "cu" + i, route("phone", "p" + i, "gwA", "user", 1000), 5).await();
      d.register("app", "cu" + i, route("web", "w" + i, i % 2 == 0 ? "gwA" : "gwGone", "user", 1000), 5).await();
    }
    d.gatewayGone("gwGone").await();
    Promise<List<List<Route>>> all = Promise.promise();
    vertx.runOnContext(v -> {
      List<Future<List<Route>>> asked = new ArrayList<>();
      for (int i = 0; i < users; i++) {
        asked.add(d.routes("app", "cu" + i));
      }
      Future.all(asked).map(cf -> asked.stream().map(Future::result).toList()).onComplete(all);
    });
    List<List<Route>> got = all.future().await();
    for (int i = 0; i < users; i++) {
      List<String> expected = i % 3 != 0 ? List.of() : i % 2 == 0 ? List.of("p" + i, "w" + i) : List.of("p" + i);
      assertThat(got.get(i)).as("routes of cu" + i).extracting(Route::connId).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kvs")
  @DisplayName("key-value: set/get/expiry, setIfAbsent once, delete, counters")
  void keyValue(String name, KeyValueStore kv) throws Exception {
    assertThat(kv.get("a").await()).isNull();
    kv.set("a", "1", 60_000).await();
    assertThat(kv.get("a").await()).isEqualTo("1");
    assertThat(kv.setIfAbsent("b", "x", 60_000).await()).isTrue();
    assertThat(kv.setIfAbsent("b", "y", 60_000).await()).isFalse();
    assertThat(kv.get("b").await()).isEqualTo("x");
    kv.delete("b").await();
    assertThat(kv.get("b").await()).isNull();
    kv.set("short", "v", 50).await();
    Thread.sleep(120);
    assertThat(kv.get("short").await()).isNull();
    assertThat(kv.increment("n", 60_000).await()).isEqualTo(1);
    assertThat(kv.increment("n", 60_000).await()).isEqualTo(2);
  }
}
