package com.seedim.im.hostile;

import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on one gateway over real sockets (security audit H2–H5, M4, M6, M10 and the control-frame flood), each
 * while a healthy client on the same gateway keeps timing its heartbeats. Every limit is set small here so that each
 * attack ends within seconds; docs/security.md gives the defaults.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GatewayHostileTest {
  static final long MB = 1 << 20;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private Vertx vertx;
  private TestServer server;
  private Probe probe;

  @BeforeEach
  void injectVertx(Vertx vertx) {
    this.vertx = vertx;
  }

  private TestServer start(JsonObject gateway, JsonObject serverOverrides) {
    probe = new Probe();
    server = TestServer.builder().vertx(vertx)
      .server(new JsonObject().put("gateway", gateway).mergeIn(serverOverrides))
      .verticle(infra -> probe)
      .start();
    return server;
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    closing.add(c);
    return c;
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing) {
      try {
        c.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    if (server != null) {
      server.close();
    }
  }

  static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static String path(String user) {
    return TestServer.query(user, "d1", null);
  }

  private void awaitConnections(int n, Duration within) throws InterruptedException {
    long deadline = System.currentTimeMillis() + within.toMillis();
    while (server.gateway().connectionCount() != n && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(server.gateway().connectionCount()).as("open sockets").isEqualTo(n);
  }

  @Test
  @DisplayName("H2: a client that never reads while its heartbeats echo 120 KB marks is closed 4002; heap stays bounded")
  void slowReaderIsClosed() throws Exception {
    start(new JsonObject().put("slowConsumerMs", 2000), new JsonObject());
    HealthyClient healthy = closeLater(new HealthyClient(server, "healthy"));
    long heapBefore = usedHeapAfterGc();
    RawWebSocket raw = closeLater(RawWebSocket.connect(server.port(), path("reader"), 4096));
    String mark = "x".repeat(120 * 1024);
    AtomicLong sent = new AtomicLong();
    AtomicBoolean stopped = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < 2000; i++) {
          raw.sendText("{\"msgType\":20,\"unique\":\"" + i + "\",\"mark\":\"" + mark + "\"}");
          sent.incrementAndGet();
        }
      } catch (IOException e) {
        stopped.set(true); // the server closed the socket under it
      }
    });
    writer.setDaemon(true);
    writer.start();
    writer.join(30_000);
    awaitConnections(1, Duration.ofSeconds(10)); // only the healthy client is left
    long grown = usedHeapAfterGc() - heapBefore;
    System.out.printf("[hostile] slow reader: closed after %d of 2000 heartbeats of 120 KB; heap +%d MB; healthy: %s%n",
      sent.get(), grown / MB, healthy.stopAndCheck());
    assertThat(stopped).as("the server closed the non-reading socket").isTrue();
    assertThat(sent.get()).isLessThan(2000);
    assertThat(grown).as("heap growth").isLessThan(64 * MB);
  }

  @Test
  @DisplayName("H3: frames streamed behind a request in flight are backpressured (socket paused), not queued without bound")
  void inboundFloodIsBackpressured() throws Exception {
    start(new JsonObject(), new JsonObject());
    probe.slowMs = 6000;
    HealthyClient healthy = closeLater(new HealthyClient(server, "healthy"));
    long heapBefore = usedHeapAfterGc();
    RawWebSocket raw = closeLater(RawWebSocket.connect(server.port(), path("flooder"), 0));
    raw.sendText("{\"msgType\":540,\"unique\":\"slow\"}"); // in flight for 6 s: everything after it queues
    String mark = "y".repeat(120 * 1024);
    AtomicLong sentBytes = new AtomicLong();
    AtomicBoolean closed = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < 999; i++) {
          String f = "{\"msgType\":101,\"unique\":\"p" + i + "\",\"receiveUserId\":\"bob\",\"mark\":\"" + mark + "\"}";
          raw.sendText(f);
          sentBytes.addAndGet(f.length());
        }
      } catch (IOException e) {
        closed.set(true);
      }
    });
    writer.setDaemon(true);
    writer.start();
    writer.join(4000);
    long grown = usedHeapAfterGc() - heapBefore;
    System.out.printf("[hostile] inbound flood: %d MB written by the client in 4 s (closed: %s); heap +%d MB; healthy: %s%n",
      sentBytes.get() / MB, closed.get(), grown / MB, healthy.stopAndCheck());
    assertThat(closed.get() || sentBytes.get() < 32 * MB)
      .as("the client is either blocked by TCP backpressure or closed; it wrote %d MB", sentBytes.get() / MB).isTrue();
    assertThat(grown).as("heap growth").isLessThan(64 * MB);
    raw.close();
  }

  @Test
  @DisplayName("H4: the rate limit applies to the parsed msgType; decoys by nesting are limited, by comment or duplicate key refused as INVALID_JSON")
  void rateLimitSeesTheParsedType() throws Exception {
    start(new JsonObject(), new JsonObject());
    HealthyClient healthy = closeLater(new HealthyClient(server, "healthy"));
    TestClient c = server.connect("decoy");
    long t0 = System.currentTimeMillis();
    for (int i = 0; i < 300; i++) {
      c.sendText("{\"mark\":{\"msgType\":20},\"msgType\":101,\"unique\":\"r" + i + "\",\"receiveUserId\":\"bob\"}");
    }
    int answered = 0;
    int limited = 0;
    for (int i = 0; i < 300; i++) {
      JsonObject f = c.await(x -> x.getInteger("msgType", 0) == 101 || x.getInteger("msgType", 0) == 10);
      if (f.getInteger("msgType") == 101) {
        answered++;
      } else {
        assertThat(f.getString("code")).isEqualTo("RATE_LIMITED");
        limited++;
      }
    }
    double elapsedS = (System.currentTimeMillis() - t0) / 1000.0;
    int bound = 100 + (int) Math.ceil(elapsedS * 30) + 5;
    System.out.printf("[hostile] nested decoy: %d answered, %d RATE_LIMITED in %.2f s (bound %d)%n", answered, limited, elapsedS, bound);
    assertThat(answered).isLessThanOrEqualTo(bound);
    assertThat(limited).isGreaterThanOrEqualTo(300 - bound);

    for (String form : List.of("{\"msgType\":31,\"msgType\":101,\"unique\":\"d%d\"}", "{/*\"msgType\":20*/\"msgType\":101,\"unique\":\"k%d\"}")) {
      TestClient d = server.connect("decoy-" + form.length());
      for (int i = 0; i < 30; i++) {
        d.sendText(String.format(form, i));
      }
      JsonObject first = d.await(x -> x.getInteger("msgType", 0) == 10);
      assertThat(first.getString("code")).isEqualTo("INVALID_JSON");
      assertThat(d.awaitClose(Duration.ofSeconds(5))).as("20 abusive errors close 1008").isEqualTo((short) 1008);
      assertThat(d.history()).noneMatch(x -> x.getInteger("msgType", 0) == 101);
    }
    System.out.println("[hostile] decoys, healthy: " + healthy.stopAndCheck());
  }

  @Test
  @DisplayName("H5: idle and trickling connections (headers, bodies) are closed by their deadlines; signed clients still connect")
  void slowlorisIsClosed() throws Exception {
    start(new JsonObject().put("handshakeTimeoutMs", 1000).put("requestTimeoutMs", 2000), new JsonObject());
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      idle.add(closeLater(RawWebSocket.tcp(server.port(), 0)));
    }
    List<Socket> trickle = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      trickle.add(closeLater(RawWebSocket.tcp(server.port(), 0)));
    }
    List<Socket> bodies = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Socket s = closeLater(RawWebSocket.tcp(server.port(), 0));
      s.getOutputStream().write(("POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 1000000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
      bodies.add(s);
    }
    HealthyClient healthy = closeLater(new HealthyClient(server, "healthy"));
    long t0 = System.currentTimeMillis();
    byte[] header = "GET /ws?appId=1477358668&userId=u".getBytes(StandardCharsets.US_ASCII);
    int pos = 0;
    while (System.currentTimeMillis() - t0 < 4000) {
      for (Socket s : trickle) {
        trySend(s, new byte[] {header[pos % header.length]});
      }
      for (Socket s : bodies) {
        trySend(s, " ".repeat(1024).getBytes(StandardCharsets.US_ASCII));
      }
      pos++;
      Thread.sleep(300);
    }
    TestClient late = server.connect("late"); // a signed client still gets in after the attack
    late.close();
    assertThat(countClosed(idle)).as("idle connections closed").isEqualTo(idle.size());
    assertThat(countClosed(trickle)).as("trickled headers closed").isEqualTo(trickle.size());
    assertThat(countClosed(bodies)).as("trickled bodies closed").isEqualTo(bodies.size());
    System.out.println("[hostile] slowloris: 140 connections closed within 4 s; healthy: " + healthy.stopAndCheck());
  }

  @Test
  @DisplayName("H5: one address holds at most maxConnectionsPerAddress connections without a session")
  void connectionsPerAddressAreLimited() throws Exception {
    start(new JsonObject().put("maxConnectionsPerAddress", 20), new JsonObject());
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      held.add(closeLater(RawWebSocket.tcp(server.port(), 0)));
    }
    Socket extra = closeLater(RawWebSocket.tcp(server.port(), 0));
    assertThat(countClosed(List.of(extra))).as("the 21st connection is closed at once").isEqualTo(1);
    for (Socket s : held) {
      s.close();
    }
    Thread.sleep(200);
    TestClient ok = server.connect("after"); // slots come back when connections close
    ok.close();
  }

  private static void trySend(Socket s, byte[] b) {
    try {
      OutputStream o = s.getOutputStream();
      o.write(b);
      o.flush();
    } catch (IOException e) {
      // closed by the server: what the test waits for
    }
  }

  private static int countClosed(List<Socket> sockets) throws IOException {
    int closed = 0;
    for (Socket s : sockets) {
      s.setSoTimeout(3000);
      try {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) > 0) {
          // a 408/503 answer is fine too: read until the close
        }
        if (n < 0) {
          closed++;
        }
      } catch (SocketTimeoutException e) {
        // still open
      } catch (IOException e) {
        closed++; // reset
      }
    }
    return closed;
  }

  @Test
  @DisplayName("control frames: a ping flood is answered within bounds, then closed 1008")
  void pingFloodIsClosed() throws Exception {
    start(new JsonObject(), new JsonObject());
    HealthyClient healthy = closeLater(new HealthyClient(server, "healthy"));
    RawWebSocket raw = closeLater(RawWebSocket.connect(server.port(), path("pinger"), 0));
    int sent = 0;
    try {
      for (; sent < 2000; sent++) {
        raw.send(true, 0, RawWebSocket.PING, new byte[125]);
      }
    } catch (IOException e) {
      // closed under the flood
    }
    int pongs = 0;
    int close = -1;
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      RawWebSocket.Frame f;
      try {
        f = raw.read(1000);
      } catch (IOException e) {
        break;
      }
      if (f == null) {
        continue;
      }
      if (f.opcode() == RawWebSocket.PONG) {
        pongs++;
      } else if (f.opcode() == RawWebSocket.CLOSE) {
        close = f.closeCode();
        break;
      }
    }
    System.out.printf("[hostile] ping flood: %d sent, %d pongs, close %d; healthy: %s%n", sent, pongs, close, healthy.stopAndCheck());
    assertThat(close).isEqualTo(1008);
  }

  /** The whole HTTP response of a raw upgrade request (status line, headers, body), read until the server closes or 5 s. */
  private static String rawHandshake(int port, String pathAndQuery) throws IOException {
    try (Socket s = RawWebSocket.tcp(port, 0)) {
      s.setSoTimeout(8000);
      s.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      long deadline = System.currentTimeMillis() + 8000;
      try {
        int n;
        while (System.currentTimeMillis() < deadline && (n = s.getInputStream().read(buf)) > 0) {
          b.write(buf, 0, n);
          String sofar = b.toString(StandardCharsets.UTF_8);
          if (sofar.startsWith("HTTP/1.1 101") || sofar.endsWith("}")) {
            break;
          }
        }
      } catch (SocketTimeoutException e) {
        // what came so far
      }
      return b.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  @DisplayName("M6: a connect sequence that fails or times out is a 503 with retryAfterMs, never a socket without its replay")
  void failedConnectSequenceIs503() throws Exception {
    start(new JsonObject(), new JsonObject().put("busTimeoutMs", 1000));
    for (Probe.ConnectMode mode : List.of(Probe.ConnectMode.FAIL, Probe.ConnectMode.HANG)) {
      probe.connectMode = mode;
      long t0 = System.currentTimeMillis();
      String response = rawHandshake(server.port(), path("seq-" + mode));
      long took = System.currentTimeMillis() - t0;
      System.out.printf("[hostile] connect step %s: answered in %d ms: %s%n", mode, took, response.lines().findFirst().orElse(""));
      assertThat(response).startsWith("HTTP/1.1 503");
      assertThat(response).containsIgnoringCase("Retry-After:");
      JsonObject body = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
      assertThat(body.getString("code")).isEqualTo("UNAVAILABLE");
      assertThat(body.getLong("retryAfterMs")).isBetween(1000L, 5000L);
      assertThat(took).isLessThan(5000);
      awaitConnections(0, Duration.ofSeconds(2));
    }
    probe.connectMode = Probe.ConnectMode.OK;
    server.connect("recovered").close(); // recovers by itself
  }

  @Test
  @DisplayName("M4: a retry of a request whose outcome was unknown gets the recorded result; the service ran once")
  void unknownOutcomeIsNotRunTwice() throws Exception {
    start(new JsonObject(), new JsonObject().put("busTimeoutMs", 1000));
    probe.takeDelayMs = 1600;
    TestClient agent = server.connect("agent1", "d1", "agent");
    agent.send(new JsonObject().put("msgType", 401).put("unique", "t1"));
    JsonObject first = agent.await(f -> f.getInteger("msgType", 0) == 10);
    assertThat(first.getString("code")).isEqualTo("UNAVAILABLE");
    Thread.sleep(1500); // the service finished meanwhile
    agent.send(new JsonObject().put("msgType", 401).put("unique", "t1"));
    JsonObject ack = agent.await(f -> f.getInteger("msgType", 0) == 30 || f.getInteger("msgType", 0) == 10);
    assertThat(ack.getInteger("msgType")).as("the retry's answer: %s", ack).isEqualTo(30);
    JsonObject taken = agent.awaitType(402);
    assertThat(taken.getString("receiveUserId")).isEqualTo("c1");
    assertThat(probe.takes.get()).as("times the take ran").isEqualTo(1);
  }

  @Test
  @DisplayName("M10: sockets closed right after the upgrade leave no route behind (real Redis)")
  void fastClosesLeaveNoRoute() throws Exception {
    probe = new Probe();
    server = TestServer.builder().vertx(vertx).durable(true).verticle(infra -> probe).start();
    List<String> users = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String u = "fast" + i;
      users.add(u);
      RawWebSocket.connect(server.port(), path(u), 0).close();
    }
    Thread.sleep(1500);
    for (String u : users) {
      assertThat(server.infra().directory().routes(TestServer.APP_ID, u).await()).as("routes of %s", u).isEmpty();
    }
    assertThat(probe.disconnects).hasSizeGreaterThanOrEqualTo(40);
  }
}
