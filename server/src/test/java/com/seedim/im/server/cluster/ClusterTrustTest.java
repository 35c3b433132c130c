package com.seedim.im.server.cluster;

import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Audit H7, hostile: a stranger on the cluster network that knows the cluster name and the member list joins
 * Hazelcast and sends a forged {@code im.chat.api.send} (alice → bob) over the event bus. With event-bus TLS and
 * required client certificates its bus connections to the real nodes are refused, so the send fails and bob gets
 * nothing, while genuine nodes (gateway and chat in separate JVMs, both holding the cluster's certificate) keep
 * working.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterTrustTest {
  static ClusterHarness cluster;
  static WebSocketClient ws;
  static ClusterHarness.Node gw1;
  static ClusterHarness.Node chat1;

  @BeforeAll
  static void startCluster(Vertx vertx) throws Exception {
    cluster = new ClusterHarness(new JsonObject().put("requireChatSign", false));
    long t0 = System.currentTimeMillis();
    chat1 = cluster.start("chat1", "chat");
    gw1 = cluster.start("gw1", "gateway");
    System.out.printf("TLS cluster of 2 JVMs up in %d ms%n", System.currentTimeMillis() - t0);
    ws = vertx.createWebSocketClient();
    Thread.sleep(500);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static TestClient connect(String user, String device) {
    return TestClient.connectReady(ws, gw1.port, user, device, null);
  }

  static void genuineChat(TestClient alice, TestClient bob, String text) {
    JsonObject ack = alice.request(new JsonObject().put("msgType", 130).put("receiveUserId", "bob").put("message", text)
      .put("unique", "u-" + TestClient.newUnique()));
    assertThat(ack.getInteger("msgType")).as("ack of a genuine 130: %s", ack).isEqualTo(30);
    assertThat(bob.await(f -> f.getInteger("msgType") == 140 && text.equals(f.getString("message")), Duration.ofSeconds(10))
      .getString("messageId")).isEqualTo(ack.getString("messageId"));
  }

  @Test
  @DisplayName("a member without the cluster's certificate joins Hazelcast but its forged bus send never arrives")
  void strangerCannotSendOnTheBus() throws Exception {
    TestClient alice = connect("alice", "phone");
    TestClient bob = connect("bob", "phone");
    // genuine nodes with the right certificate work: gateway (gw1) → chat (chat1) → gateway, across JVMs
    genuineChat(alice, bob, "genuine before");

    Path foreign = Files.createDirectories(Path.of("target", "cluster", "foreign-ca-" + System.nanoTime()));
    ClusterHarness.makeCerts(foreign);
    String pass = Files.readString(foreign.resolve("store-password")).trim();
    ClusterHarness.Node plain = cluster.launchMain("rogue-plain", RogueMember.class.getName(), List.of(cluster.clusterName(),
      cluster.membersCsv(), Integer.toString(cluster.reserveHazelcastPort()), TestServer.APP_ID, "plain"));
    ClusterHarness.Node other = cluster.launchMain("rogue-foreign", RogueMember.class.getName(), List.of(cluster.clusterName(),
      cluster.membersCsv(), Integer.toString(cluster.reserveHazelcastPort()), TestServer.APP_ID, "foreign",
      foreign.resolve("node.p12").toString(), pass));
    List<String> report = new ArrayList<>();
    for (ClusterHarness.Node r : List.of(plain, other)) {
      r.process.waitFor(60, TimeUnit.SECONDS);
      List<String> lines = r.logText().lines().filter(l -> l.startsWith("ROGUE")).collect(Collectors.toList());
      System.out.println(r.name + ":\n  " + String.join("\n  ", lines));
      report.addAll(lines);
      assertThat(lines).as(r.name + " log:\n" + r.logText()).anyMatch(l -> l.contains(" done") || l.contains("join: refused"));
    }
    // whatever happened at the join, no forged send was answered ...
    assertThat(report).noneMatch(l -> l.contains("send: ANSWERED"));
    // ... and bob never receives it (5 s after the rogues finished)
    bob.assertNone(f -> f.getInteger("msgType", 0) == 140 && "forged".equals(f.getString("message")), Duration.ofSeconds(5));
    assertThat(bob.history()).noneMatch(f -> "forged".equals(f.getString("message")));

    // what the genuine nodes saw of the rogues
    for (ClusterHarness.Node n : List.of(chat1, gw1)) {
      String seen = n.logText().lines().filter(l -> l.matches("(?i).*(ssl|tls|certificate|handshake|member|rogue).*"))
        .limit(12).collect(Collectors.joining("\n  "));
      System.out.println(n.name + " log about members and TLS:\n  " + seen);
    }
    // and the genuine cluster still works after the rogues left
    genuineChat(alice, bob, "genuine after");
    alice.close();
    bob.close();
  }
}
