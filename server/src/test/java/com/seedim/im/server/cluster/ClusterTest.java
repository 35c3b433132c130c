package com.seedim.im.server.cluster;

import com.seedim.im.testkit.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 5: separate JVMs on loopback — two gateways, one chat node, two queue nodes, one room node, one
 * signaling node — clustered with Hazelcast on the real MariaDB and Redis.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(VertxExtension.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterTest {
  static ClusterHarness cluster;
  static WebSocketClient ws;
  static ClusterHarness.Node gw1;
  static ClusterHarness.Node gw2;

  @BeforeAll
  static void startCluster(Vertx vertx) throws Exception {
    cluster = new ClusterHarness(new JsonObject().put("requireChatSign", false).put("maxRoomsPerAgent", 1000)
      .put("framesPerSecond", 5000).put("framesBurst", 5000)
      .put("queues", new JsonArray().add(new JsonObject().put("id", "support").put("agents", "all"))));
    cluster.up(new String[] {"chat1", "chat"}, new String[] {"gw1", "gateway"}, new String[] {"gw2", "gateway"},
      new String[] {"queue1", "queue"}, new String[] {"queue2", "queue"}, new String[] {"room1", "room"},
      new String[] {"sig1", "signaling"});
    gw1 = cluster.node("gw1");
    gw2 = cluster.node("gw2");
    ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1000));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  static TestClient connect(ClusterHarness.Node gw, String user, String device, String role) {
    return TestClient.connectReady(ws, gw.port, user, device, role);
  }

  static String get(int port, String path) {
    try {
      var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
      var res = client.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
      return res.body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static JsonObject chat(String to, String text, String unique) {
    return new JsonObject().put("msgType", 130).put("receiveUserId", to).put("message", text).put("unique", unique);
  }

  @Test
  @Order(1)
  @DisplayName("users on different gateways chat both ways, multi-device across gateways, 141 → 131 across nodes")
  void crossGatewayChat() {
    TestClient alicePhone = connect(gw1, "alice", "phone", null);
    TestClient aliceWeb = connect(gw2, "alice", "web", null);
    TestClient bob = connect(gw2, "bob", "phone", null);
    JsonObject ack = alicePhone.request(chat("bob", "hi bob", "c1"));
    assertThat(ack.getInteger("msgType")).isEqualTo(30);
    String id = ack.getString("messageId");
    assertThat(bob.awaitType(140).getString("messageId")).isEqualTo(id);
    assertThat(aliceWeb.awaitType(140).getString("messageId")).isEqualTo(id);
    assertThat(alicePhone.awaitType(131).getString("messageId")).isEqualTo(id);
    assertThat(aliceWeb.awaitType(131).getString("messageId")).isEqualTo(id);
    JsonObject back = bob.request(chat("alice", "hi alice", "c2"));
    assertThat(alicePhone.awaitType(140).getString("messageId")).isEqualTo(back.getString("messageId"));
    assertThat(aliceWeb.awaitType(140).getString("message")).isEqualTo("hi alice");
    alicePhone.assertNone(f -> f.getInteger("msgType") == 140 && f.getString("message").equals("hi bob"), Duration.ofMillis(200));
    System.out.println("cross-gateway chat: alice(gw1,gw2) <-> bob(gw2) ok");
    // every node is ready, clustered, and exposes Prometheus metrics of its own work
    for (String name : List.of("gw1", "gw2", "chat1", "queue1", "queue2", "room1", "sig1")) {
      String ready = get(cluster.node(name).managementPort(), "/ready");
      assertThat(ready).as(name).contains("\"READY\"").contains("\"clustered\":true");
    }
    assertThat(get(cluster.node("chat1").managementPort(), "/metrics")).contains("im_handler_seconds_count{handler=\"im.chat.send\",outcome=\"ok\"}");
    assertThat(get(gw1.managementPort(), "/metrics")).contains("im_gateway_frames_by_type_total").contains("vertx_eventbus");
  }

  @Test
  @Order(2)
  @DisplayName("queue nodes on two JVMs: every waiting customer is taken exactly once by concurrent agents")
  void queueExactlyOnceAcrossNodes() throws Exception {
    int customers = 40;
    int agents = 4;
    Map<String, TestClient> waiting = new HashMap<>();
    for (int i = 0; i < customers; i++) {
      String u = "cust" + i;
      TestClient c = connect(i % 2 == 0 ? gw1 : gw2, u, "phone", null);
      assertThat(c.request(new JsonObject().put("msgType", 400).put("queueId", "support")).getInteger("msgType")).isEqualTo(30);
      waiting.put(u, c);
    }
    List<TestClient> agentClients = new ArrayList<>();
    for (int a = 0; a < agents; a++) {
      agentClients.add(connect(a % 2 == 0 ? gw1 : gw2, "agent" + a, "desk", "agent"));
    }
    Map<String, List<String>> takenBy = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(agents);
    List<Future<?>> runs = new ArrayList<>();
    for (int a = 0; a < agents; a++) {
      TestClient agent = agentClients.get(a);
      String name = "agent" + a;
      runs.add(pool.submit(() -> {
        while (true) {
          JsonObject f = agent.request(new JsonObject().put("msgType", 401).put("queueId", "support"));
          if (f.getInteger("msgType") == 10) {
            assertThat(f.getString("code")).isEqualTo("QUEUE_EMPTY");
            return;
          }
          String u = f.getString("unique");
          JsonObject taken = agent.await(x -> x.getInteger("msgType") == 402 && u.equals(x.getString("unique")));
          takenBy.computeIfAbsent(taken.getString("receiveUserId"), k -> new CopyOnWriteArrayList<>()).add(name);
        }
      }));
    }
    for (Future<?> r : runs) {
      r.get();
    }
    pool.shutdown();
    long twice = takenBy.values().stream().filter(l -> l.size() > 1).count();
    System.out.printf("queue across 2 queue nodes: customers=%d taken=%d takenTwice=%d lost=%d%n", customers, takenBy.size(),
      twice, customers - takenBy.size());
    assertThat(twice).isZero();
    assertThat(takenBy.keySet()).containsExactlyInAnyOrderElementsOf(waiting.keySet());
    for (Map.Entry<String, TestClient> e : waiting.entrySet()) {
      JsonObject push = e.getValue().awaitType(402);
      assertThat(push.getString("userId")).isEqualTo(takenBy.get(e.getKey()).get(0));
    }
  }

  @Test
  @Order(3)
  @DisplayName("redeploying the chat node: UNAVAILABLE (never silence) while it is gone, service resumes by itself")
  void redeployChat() throws Exception {
    TestClient carol = connect(gw1, "carol", "phone", null);
    TestClient dave = connect(gw2, "dave", "phone", null);
    assertThat(carol.request(chat("dave", "before", "r1")).getInteger("msgType")).isEqualTo(30);
    dave.awaitType(140);
    cluster.stop(cluster.node("chat1"));
    JsonObject during = carol.request(chat("dave", "during", "r2"));
    assertThat(during.getInteger("msgType")).isEqualTo(10);
    assertThat(during.getString("code")).isEqualTo("UNAVAILABLE");
    cluster.start("chat2", "chat");
    JsonObject after = null;
    for (int i = 0; i < 50; i++) {
      after = carol.request(chat("dave", "during", "r2")); // the same unique: a retry, not a new message
      if (after.getInteger("msgType") == 30) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(after.getInteger("msgType")).isEqualTo(30);
    assertThat(dave.awaitType(140).getString("message")).isEqualTo("during");
    JsonObject history = carol.query(new JsonObject().put("msgType", 161).put("sender", "dave"), 162);
    assertThat(history.getJsonArray("messages")).hasSize(2);
    System.out.println("chat redeploy: UNAVAILABLE while down, resumed after the new node registered");
  }

  @Test
  @Order(4)
  @DisplayName("kill -9 of a gateway and of the chat node during 1,000 messages: nothing acked is lost or duplicated")
  void crashesDuringStream() throws Exception {
    int total = 1000;
    TestClient sender = connect(gw1, "erin", "phone", null);
    AtomicBoolean done = new AtomicBoolean();
    List<TestClient> receivers = new CopyOnWriteArrayList<>();
    receivers.add(connect(gw2, "frank", "phone", null));
    // the receiver reconnects like a real client: backoff, then whichever gateway is alive
    Thread reconnector = new Thread(() -> {
      long backoff = 200;
      while (!done.get()) {
        TestClient last = receivers.get(receivers.size() - 1);
        if (last.isClosed()) {
          try {
            Thread.sleep(backoff);
            ClusterHarness.Node target = gw2.alive() ? gw2 : gw1;
            receivers.add(connect(target, "frank", "phone", null));
            backoff = 200;
          } catch (Throwable t) {
            backoff = Math.min(backoff * 2, 3000);
          }
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    reconnector.start();
    Map<String, String> acked = new HashMap<>(); // unique -> messageId
    Map<String, Set<String>> idsPerUnique = new HashMap<>();
    int sentFrames = 0;
    int unavailable = 0;
    for (int i = 0; i < total; i++) {
      String u = "s" + i;
      if (i == 300) {
        cluster.kill9(gw2);
        System.out.println("killed gw2 (kill -9) after 300 messages");
      }
      if (i == 600) {
        cluster.kill9(cluster.node("chat2"));
        System.out.println("killed chat2 (kill -9) after 600 messages");
        cluster.launch("chat3", "chat");
      }
      long giveUp = System.currentTimeMillis() + 60_000;
      while (true) {
        assertThat(System.currentTimeMillis()).as("message %s still not acked after 60 s", u).isLessThan(giveUp);
        sentFrames++;
        JsonObject r;
        try {
          r = sender.request(chat("frank", "m" + i, u));
        } catch (AssertionError timeout) {
          unavailable++;
          continue;
        }
        if (r.getInteger("msgType") == 30) {
          acked.put(u, r.getString("messageId"));
          idsPerUnique.computeIfAbsent(u, k -> new HashSet<>()).add(r.getString("messageId"));
          break;
        }
        assertThat(r.getString("code")).isEqualTo("UNAVAILABLE");
        unavailable++;
        Thread.sleep(100);
      }
    }
    Set<String> ackedIds = new HashSet<>(acked.values());
    // wait until the receiver has every acked message (replay on reconnect, sweeper for pushes lost in a crash)
    long deadline = System.currentTimeMillis() + 90_000;
    Set<String> delivered = new HashSet<>();
    int pushes = 0;
    while (System.currentTimeMillis() < deadline) {
      delivered.clear();
      pushes = 0;
      for (TestClient c : receivers) {
        for (JsonObject f : c.history()) {
          if (f.getInteger("msgType") == 140) {
            delivered.add(f.getString("messageId"));
            pushes++;
          }
        }
      }
      if (delivered.containsAll(ackedIds)) {
        break;
      }
      Thread.sleep(500);
    }
    done.set(true);
    reconnector.join();
    Set<String> missing = new HashSet<>(ackedIds);
    missing.removeAll(delivered);
    long secondIds = idsPerUnique.values().stream().filter(s -> s.size() > 1).count();
    Set<String> foreign = new HashSet<>(delivered);
    foreign.removeAll(ackedIds);
    System.out.printf("stream: sent=%d frames=%d unavailableOrTimeout=%d acked=%d delivered=%d pushes=%d duplicatePushes=%d "
        + "ackedButUndelivered=%d uniquesWithSecondMessageId=%d deliveredNotAcked=%d receiverConnections=%d%n",
      total, sentFrames, unavailable, acked.size(), delivered.size(), pushes, pushes - delivered.size(), missing.size(),
      secondIds, foreign.size(), receivers.size());
    assertThat(acked).hasSize(total);
    assertThat(missing).as("acked but undelivered").isEmpty();
    assertThat(secondIds).as("a unique that got a second messageId").isZero();
    assertThat(foreign).as("delivered messages nobody got a 30 for").isEmpty();
  }
}
