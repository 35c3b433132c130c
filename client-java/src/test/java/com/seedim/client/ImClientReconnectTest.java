package com.seedim.client;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.faults.BlackholeProxy;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static com.seedim.client.Clients.get;
import static com.seedim.client.Recorder.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeping the connection: heartbeats, reconnects after the server drops the socket, backoff, de-duplication of a
 * replayed 140, dead-link detection, 99 SHUTDOWN. The server closes sockets idle for 2 s (idleTimeoutSeconds).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("ImClient: heartbeats, reconnects, de-duplication")
@org.junit.jupiter.api.extension.ExtendWith(ContractCheck.class)
class ImClientReconnectTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.builder().durable(false).verticle(ChatVerticle::new)
      .app(new JsonObject().put("idleTimeoutSeconds", 2)).start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("heartbeats every 500 ms keep a session open past the server's 2 s idle timeout")
  void heartbeatsKeepSession() throws Exception {
    Recorder r = new Recorder();
    try (ImClient c = Clients.client(server.port(), Clients.uid("hb"), "d1", r, null,
      b -> b.heartbeat(Duration.ofMillis(500)))) {
      get(c.connect());
      Thread.sleep(4500);
      assertThat(r.closes).isEmpty();
      assertThat(r.opens.get()).isEqualTo(1);
      assertThat(c.state()).isEqualTo(ImClient.State.OPEN);
      long replies = r.in.stream().filter(i -> i.frame().type() == MsgType.HEARTBEAT_REPLY).count();
      assertThat(replies).as("21s received").isGreaterThanOrEqualTo(6);
    }
  }

  @Test
  @DisplayName("the server drops an idle socket (1001): the client reconnects after a 0.5–1 s backoff with a fresh URL")
  void reconnectAfterServerDrop() throws Exception {
    Recorder r = new Recorder();
    AtomicInteger signs = new AtomicInteger();
    try (ImClient c = Clients.client(server.port(), Clients.uid("drop"), "d1", r, signs,
      b -> b.heartbeat(Duration.ZERO))) {
      get(c.connect());
      waitFor("the server's idle close", () -> !r.closes.isEmpty());
      Recorder.Close close = r.closes.get(0);
      assertThat(close.code()).isEqualTo(1001);
      assertThat(close.reason()).isEqualTo("idle");
      assertThat(close.willReconnect()).isTrue();
      assertThat(close.delayMs()).isBetween(500L, 1000L);
      waitFor("the second connection", () -> r.opens.get() == 2);
      assertThat(signs.get()).as("a fresh URL per attempt").isEqualTo(2);
      assertThat(get(c.heartbeat()).type()).isEqualTo(MsgType.HEARTBEAT_REPLY);
    }
  }

  @Test
  @DisplayName("failed connects back off exponentially with jitter up to the cap, calling the URL supplier each time")
  void backoff() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Recorder r = new Recorder();
    AtomicInteger signs = new AtomicInteger();
    ImClient c = Clients.client(port, "nobody", "d1", r, signs,
      b -> b.backoff(Duration.ofMillis(200), Duration.ofMillis(800)));
    assertThat(ImClientChatTest.cause(() -> get(c.connect())).code()).isEqualTo("DISCONNECTED");
    waitFor("five failed attempts", () -> r.closes.size() >= 5);
    c.close();
    List<Recorder.Close> closes = List.copyOf(r.closes); // a snapshot: the client may still record its final close
    assertThat(closes.get(0).delayMs()).isBetween(100L, 200L);
    assertThat(closes.get(1).delayMs()).isBetween(200L, 400L);
    assertThat(closes.get(2).delayMs()).isBetween(400L, 800L);
    assertThat(closes.get(3).delayMs()).isBetween(400L, 800L);
    assertThat(closes.subList(0, 5)).allMatch(Recorder.Close::willReconnect);
    assertThat(signs.get()).isGreaterThanOrEqualTo(5);
    waitFor("closed", () -> c.state() == ImClient.State.CLOSED);
    assertThat(r.opens.get()).isZero();
  }

  @Test
  @DisplayName("a 140 replayed after a reconnect is acked but emitted once; the app's 141 then makes it delivered")
  void replayedPushEmittedOnce() throws Exception {
    String a = Clients.uid("alice");
    String b = Clients.uid("bob");
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    try (ImClient alice = Clients.client(server.port(), a, "d1", ra, null, x -> x.heartbeat(Duration.ofMillis(500)));
         ImClient bob = Clients.client(server.port(), b, "d1", rb, null, x -> x.heartbeat(Duration.ZERO).autoAck(false))) {
      get(alice.connect());
      get(bob.connect());
      String id = get(alice.sendText(b, "once")).messageId();
      waitFor("the 140", () -> rb.messagesWithId(id) == 1);
      // bob did not ack: the server idles the socket out, bob reconnects, the server replays the undelivered 140
      waitFor("the replay", () -> rb.framesIn(MsgType.PUSH, id) == 2, Duration.ofSeconds(15));
      assertThat(rb.opens.get()).isEqualTo(2);
      assertThat(rb.in.stream().filter(i -> i.frame().type() == MsgType.PUSH).map(Recorder.In::duplicate))
        .containsExactly(false, true);
      Thread.sleep(200);
      assertThat(rb.messagesWithId(id)).as("emitted once").isEqualTo(1);
      assertThat(ra.delivered).isEmpty();
      get(bob.ackMessages(List.of(id)));
      waitFor("alice's 131", () -> ra.delivered.size() == 1);
      assertThat(ra.delivered.get(0).string("messageId")).isEqualTo(id);
    }
  }

  @Test
  @DisplayName("a dead link (no bytes for 3 heartbeat periods) is closed with 4000 and replaced once the network heals")
  void deadLink() throws Exception {
    Recorder r = new Recorder();
    try (BlackholeProxy proxy = new BlackholeProxy("127.0.0.1", server.port());
         ImClient c = Clients.client(proxy.port(), Clients.uid("tunnel"), "d1", r, null,
           b -> b.heartbeat(Duration.ofMillis(300)).backoff(Duration.ofMillis(200), Duration.ofMillis(400))
             .transport(new JdkWebSocketTransport(HttpClient.newHttpClient(), Duration.ofMillis(700))))) {
      get(c.connect());
      proxy.blackhole();
      waitFor("the heartbeat timeout", () -> !r.closes.isEmpty(), Duration.ofSeconds(5));
      assertThat(r.closes.get(0).code()).isEqualTo(4000);
      assertThat(r.closes.get(0).reason()).isEqualTo("heartbeat timeout");
      assertThat(r.closes.get(0).willReconnect()).isTrue();
      waitFor("a timed-out attempt", () -> r.closes.size() >= 2, Duration.ofSeconds(5));
      assertThat(r.opens.get()).isEqualTo(1);
      proxy.heal();
      waitFor("the new connection", () -> r.opens.get() == 2, Duration.ofSeconds(5));
      assertThat(get(c.heartbeat()).type()).isEqualTo(MsgType.HEARTBEAT_REPLY);
    }
  }

  @Test
  @DisplayName("99 SHUTDOWN: the client waits exactly retryAfterMs before reconnecting")
  void shutdown() throws Exception {
    TestServer doomed = TestServer.builder().durable(false).start();
    Recorder r = new Recorder();
    ImClient c = Clients.client(doomed.port(), Clients.uid("sd"), "d1", r, null, null);
    try {
      get(c.connect());
      doomed.close();
      waitFor("the close", () -> !r.closes.isEmpty());
      assertThat(r.notices).singleElement().satisfies(n -> assertThat(n.string("code")).isEqualTo("SHUTDOWN"));
      long retry = r.notices.get(0).number("retryAfterMs", -1);
      assertThat(retry).isBetween(1000L, 5000L);
      assertThat(r.closes.get(0).code()).isEqualTo(1001);
      assertThat(r.closes.get(0).willReconnect()).isTrue();
      assertThat(r.closes.get(0).delayMs()).isEqualTo(retry);
    } finally {
      c.close();
    }
  }
}
