package com.seedim.im.hostile;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.common.security.Signatures;
import com.seedim.im.queue.QueueVerticle;
import com.seedim.im.room.RoomVerticle;
import com.seedim.im.signaling.SignalingVerticle;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.faults.PrivateRedis;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator's bad day with Redis, on a private redis-server this test starts (never the shared one), under chat
 * load, with a customer waiting, a room open and a kicked user: Redis is killed (frames and handshakes are refused
 * cleanly, heartbeats still answered), then comes back EMPTY. The gateways notice, re-register their live sessions,
 * tell the waiting customer (431 {@code waitIndex: -1}) and both room members (560 {@code lost}); the kicked sign stays
 * refused (kick records live in MariaDB); an API request signed before the loss is refused; every message that got
 * its 30 reaches the receiver, who stayed online throughout.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RedisLossTest {
  /** How long Redis stays down before it comes back empty: {@code -Dfault.windowMs} (short in the test command). */
  static final long WINDOW_MS = Long.getLong("fault.windowMs", 2500);

  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private static int api(TestServer server, String method, String path, String body, long ts) throws Exception {
    String nonce = UUID.randomUUID().toString();
    String sig = Signatures.api(TestServer.SECRET, method, TestServer.APP_ID, path, Long.toString(ts), nonce, body);
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(15))
      .header("X-App-Id", TestServer.APP_ID).header("X-Timestamp", Long.toString(ts)).header("X-Nonce", nonce)
      .header("X-Signature", sig).header("Content-Type", "application/json")
      .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    return HTTP.send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static boolean is(JsonObject f, int type) {
    return f.getInteger("msgType", 0) == type;
  }

  @Test
  @DisplayName("Redis killed, then back empty, under chat load: clean refusals, re-registered routes, 431 -1 and 560 lost, kicks kept, nothing acked lost")
  void redisKilledThenBackEmpty(Vertx vertx) throws Exception {
    try (PrivateRedis redis = PrivateRedis.start();
         TestServer server = TestServer.builder().vertx(vertx).durable(true).redisUri(redis.uri())
           .app(new JsonObject().put("requireChatSign", false).put("framesPerSecond", 200).put("framesBurst", 200))
           .server(new JsonObject().put("busTimeoutMs", 3000)
             .put("chat", new JsonObject().put("sweepPeriodMs", 1000).put("sweepMinAgeMs", 2000)))
           .verticle(ChatVerticle::new).verticle(QueueVerticle::new).verticle(RoomVerticle::new).verticle(SignalingVerticle::new)
           .start()) {
      TestClient bob = server.connect("bob");
      TestClient alice = server.connect("alice");
      TestClient waiting = server.connect("c1");
      waiting.request(new JsonObject().put("msgType", 400).put("unique", "e1").put("queueId", "sales"));
      waiting.await(f -> is(f, 410));
      TestClient customer = server.connect("c2");
      customer.request(new JsonObject().put("msgType", 400).put("unique", "e2").put("queueId", "support"));
      TestClient agent = server.connect("g1", "d1", "agent");
      JsonObject taken = agent.query(new JsonObject().put("msgType", 401).put("unique", "t1").put("queueId", "support"), 402);
      String roomId = taken.getString("roomId");
      customer.await(f -> is(f, 551));
      // a kicked user: its sign (issued before the kick) must stay refused whatever Redis loses
      String kickedQuery = TestServer.query("kicked", null, null);
      server.connectRaw(kickedQuery, "kicked", "default", null).await();
      Thread.sleep(5); // the kick is later than the sign's txNo
      assertThat(api(server, "POST", "/api/v1/kick", "{\"userId\":\"kicked\"}", System.currentTimeMillis())).isEqualTo(200);
      long signedBeforeLoss = System.currentTimeMillis();

      ChatStream chat = new ChatStream(alice, bob, "bob", 20);
      Thread.sleep(1500);
      HealthyClient healthy = new HealthyClient(server, "healthy");

      redis.kill();
      long t0 = System.currentTimeMillis();
      Thread.sleep(500);
      String during = TestServer.query("during", null, null);
      Throwable refused = null;
      try {
        server.connectRaw(during, "during", "default", null).await();
      } catch (Throwable e) {
        refused = e;
      }
      assertThat(refused).as("a handshake while Redis is down").isNotNull().hasMessageContaining("503");
      assertThat(System.currentTimeMillis() - t0).as("the refusal came within the bus timeout").isLessThan(5000);
      Thread.sleep(2000);

      redis.restartEmpty();
      long back = System.currentTimeMillis();
      JsonObject lostPlace = waiting.await(f -> is(f, 431) && f.getInteger("waitIndex") == -1, Duration.ofSeconds(10));
      JsonObject lostRoomC = customer.await(f -> is(f, 560) && "lost".equals(f.getString("reason")), Duration.ofSeconds(10));
      JsonObject lostRoomG = agent.await(f -> is(f, 560) && "lost".equals(f.getString("reason")), Duration.ofSeconds(10));
      long noticed = System.currentTimeMillis() - back;
      assertThat(lostPlace.getString("queueId")).isEqualTo("sales");
      assertThat(lostRoomC.getString("roomId")).isEqualTo(roomId);
      assertThat(lostRoomG.getString("roomId")).isEqualTo(roomId);
      // the customer can queue again, the agent can take again: the state is usable at once
      waiting.request(new JsonObject().put("msgType", 400).put("unique", "e3").put("queueId", "sales"));
      waiting.await(f -> is(f, 410), Duration.ofSeconds(10));

      Thread.sleep(3000);
      chat.stop();
      String health = healthy.stopAndCheck();
      healthy.close();

      // the kicked sign stays refused; an API request signed before the loss is refused, a fresh one works
      Throwable kickedAgain = null;
      try {
        server.connectRaw(kickedQuery, "kicked", "default", null).await();
      } catch (Throwable e) {
        kickedAgain = e;
      }
      assertThat(kickedAgain).as("the kicked user's old sign after the reset").isNotNull().hasMessageContaining("401");
      assertThat(api(server, "GET", "/api/v1/presence?userIds=bob", "", signedBeforeLoss)).isEqualTo(401);
      assertThat(api(server, "GET", "/api/v1/presence?userIds=bob", "", System.currentTimeMillis())).isEqualTo(200);

      // every acked message reaches bob, who stayed online (the ones stored while routes were gone via the sweeper)
      Set<String> missing = chat.missing(Duration.ofSeconds(30));
      System.out.printf("[hostile] redis loss: %d acked, %d UNAVAILABLE, %d other errors, %d missing at bob; lost state announced "
          + "%d ms after Redis came back; healthy during the outage: %s%n",
        chat.acked.size(), chat.unavailable.get(), chat.other.get(), missing.size(), noticed, health);
      assertThat(chat.other.get()).as("errors other than UNAVAILABLE").isZero();
      assertThat(missing).as("acked messages never delivered to the online receiver").isEmpty();
      assertThat(chat.acked).hasSizeGreaterThan(50);
    }
  }
}
