package com.seedim.im.chat;

import com.seedim.im.common.store.Route;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.faults.RedisCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole chat end-to-end contract (130 → 30 → 140 → 141, offline replay on reconnect, presence 200/210, read
 * receipts, retraction, idempotency, ...) in production mode on MariaDB and a real three-master Redis Cluster
 * ({@code redis.mode: cluster}): routes, gateway liveness, idempotency and permission records, the node lease and the
 * lost-data clocks all live on the cluster, where a command or script touching two hash slots is refused.
 */
@DisplayName("chat end to end: MariaDB + Redis Cluster")
class ChatEndToEndClusterTest extends ChatEndToEndContract {
  static RedisCluster cluster;

  /** The same server as {@link #start}, on the cluster. */
  @BeforeAll
  static void startServer(Vertx vertx) {
    cluster = RedisCluster.start();
    server = builder(vertx, true).redisCluster(cluster.uris()).start();
  }

  @AfterAll
  static void stopCluster() {
    stop(); // the server first: it releases its lease and drops its keys on the cluster
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  /** As {@link ChatEndToEndDurableTest}: every unread counter recomputed by SQL from chat_messages. */
  @Override
  protected void assertUnreadTruth(List<String> users) {
    assertUnreadTruthBySql(users);
  }

  @Test
  @DisplayName("the users' route records spread over every master of the cluster")
  void routesSpread() {
    for (int i = 0; i < 12; i++) {
      server.connect(u("spread" + i));
    }
    for (int port : cluster.ports()) {
      assertThat(cluster.dbsize(port)).as("keys on master %s", port).isPositive();
    }
  }

  @Test
  @DisplayName("multi-device: the same device connecting again closes the old socket with 99; the new one gets the messages")
  void sameDeviceKick() {
    TestClient alice = server.connect(u("alice"));
    TestClient old = server.connect(u("kim"), "phone");
    TestClient web = server.connect(u("kim"), "web");
    TestClient fresh = server.connect(u("kim"), "phone");
    JsonObject notice = old.awaitType(99);
    assertThat(notice.getInteger("msgType")).isEqualTo(99);
    assertThat(old.awaitClose(Duration.ofSeconds(5))).isNotNull();
    String id = send(alice, fresh.userId, "to both devices").getString("messageId");
    awaitPush(fresh, 140, id);
    awaitPush(web, 140, id);
    old.assertNone(f -> f.getInteger("msgType", 0) == 140, Duration.ofMillis(300));
  }

  @Test
  @DisplayName("a route whose gateway just died still counts as live for a moment: the push to it is lost, the message"
    + " is not (the receiver's next connect replays it)")
  void pushToAJustDeadGatewayIsReplayed() {
    TestClient alice = server.connect(u("alice"));
    String bob = u("bob");
    // a route younger than the grace, on a gateway no node has seen: what a node's stale snapshot treats as live
    server.infra().directory().register(TestServer.APP_ID, bob,
      new Route("phone", "ghost-1", "im.gw.node.ghost", "user", System.currentTimeMillis()), 5).await();
    assertThat(server.infra().directory().routes(TestServer.APP_ID, bob).await()).extracting(Route::connId)
      .containsExactly("ghost-1");
    String id = send(alice, bob, "to a dead gateway").getString("messageId");
    TestClient back = server.connect(bob, "phone");
    awaitPush(back, 140, id);
  }
}
