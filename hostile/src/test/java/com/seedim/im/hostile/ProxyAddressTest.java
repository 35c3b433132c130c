package com.seedim.im.hostile;

import com.seedim.im.testkit.TestServer;
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

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The per-address limits behind a load balancer, with a real HAProxy on loopback (Debian's package; the test command
 * installs it): the client's address comes from the PROXY protocol (v2) header, or from {@code X-Forwarded-For}
 * when the TCP peer is a trusted proxy, and never from a header an untrusted client wrote. Clients use distinct
 * source addresses (127.0.0.2, .3, .5) so each has its own handshake bucket.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxyAddressTest {
  static final String HAPROXY = "/usr/sbin/haproxy";
  static final int RATE = 2; // handshakes per second per address, burst 2 × RATE
  private static TestServer proxied;
  private static TestServer forwarded;
  private static Process haproxy;
  private static int tcpPort;
  private static int httpPort;
  private static int v1Port;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    assumeTrue(Files.isExecutable(Path.of(HAPROXY)), "haproxy is not installed (scripts/services.sh installs it)");
    proxied = TestServer.builder().vertx(vertx).server(new JsonObject().put("handshakesPerSecondPerAddress", RATE)
      .put("gateway", new JsonObject().put("proxyProtocol", true))).start();
    forwarded = TestServer.builder().vertx(vertx).server(new JsonObject().put("handshakesPerSecondPerAddress", RATE)
      .put("gateway", new JsonObject().put("trustedProxies", new JsonArray().add("127.0.0.1/32")))).start();
    tcpPort = freePort();
    httpPort = freePort();
    v1Port = freePort();
    Path cfg = Files.createTempFile("haproxy", ".cfg");
    Files.writeString(cfg, String.join("\n",
      "global", "  maxconn 2000",
      "defaults", "  timeout connect 5s", "  timeout client 30s", "  timeout server 30s",
      "frontend tcp_in", "  mode tcp", "  bind 127.0.0.1:" + tcpPort, "  default_backend gw_proxy",
      "backend gw_proxy", "  mode tcp", "  server gw 127.0.0.1:" + proxied.port() + " send-proxy-v2",
      "frontend tcp_v1", "  mode tcp", "  bind 127.0.0.1:" + v1Port, "  default_backend gw_proxy_v1",
      "backend gw_proxy_v1", "  mode tcp", "  server gw 127.0.0.1:" + proxied.port() + " send-proxy",
      "frontend http_in", "  mode http", "  bind 127.0.0.1:" + httpPort, "  option forwardfor", "  default_backend gw_http",
      "backend gw_http", "  mode http", "  server gw 127.0.0.1:" + forwarded.port(), ""));
    haproxy = new ProcessBuilder(HAPROXY, "-db", "-f", cfg.toString()).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    for (int i = 0; i < 50 && !listening(tcpPort); i++) {
      Thread.sleep(100);
    }
    assertThat(listening(tcpPort) && listening(httpPort) && listening(v1Port)).as("haproxy listening").isTrue();
  }

  @AfterAll
  static void stop() throws Exception {
    if (haproxy != null) {
      haproxy.destroy();
      haproxy.waitFor(5, TimeUnit.SECONDS);
    }
    if (proxied != null) {
      proxied.close();
    }
    if (forwarded != null) {
      forwarded.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A signed WebSocket handshake from {@code source} to {@code port}; the HTTP status (0 when the connection closed). */
  private static int handshake(String source, int port, String user, String forwardedFor) throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(source, 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      String req = "GET " + TestServer.query(user, null, null) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + (forwardedFor == null ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n") + "\r\n";
      s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] head = new byte[12];
      int n = in.readNBytes(head, 0, 12);
      if (n < 12) {
        return 0;
      }
      return Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII));
    }
  }

  private static List<Integer> burst(String source, int port, String user, int n, String forwardedFor) throws IOException {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(handshake(source, port, user + i, forwardedFor == null ? null : forwardedFor.replace("#", Integer.toString(i))));
    }
    return out;
  }

  @Test
  @DisplayName("PROXY protocol v2: the handshake rate is counted per real client address, not per HAProxy")
  void proxyProtocol() throws Exception {
    List<Integer> a = burst("127.0.0.2", tcpPort, "pa", 4 * RATE + 2, null);
    List<Integer> b = burst("127.0.0.3", tcpPort, "pb", 2, null);
    System.out.println("[hostile] PROXY v2: client .2 " + a + ", client .3 " + b);
    assertThat(a.subList(0, 2 * RATE)).containsOnly(101);
    assertThat(a.subList(2 * RATE, a.size())).as("the bucket refills at %d/s only", RATE).contains(429);
    assertThat(b).as("another client behind the same proxy has its own bucket").containsOnly(101);
    assertThat(handshake("127.0.0.4", proxied.port(), "direct", null))
      .as("a connection without a PROXY header is not served").isNotEqualTo(101);
  }

  @Test
  @DisplayName("PROXY protocol v1 (text) gives the client address too")
  void proxyProtocolV1() throws Exception {
    List<Integer> a = burst("127.0.0.6", v1Port, "v1a", 4 * RATE + 2, null);
    List<Integer> b = burst("127.0.0.7", v1Port, "v1b", 2, null);
    System.out.println("[hostile] PROXY v1: client .6 " + a + ", client .7 " + b);
    assertThat(a.subList(0, 2 * RATE)).containsOnly(101);
    assertThat(a.subList(2 * RATE, a.size())).contains(429);
    assertThat(b).containsOnly(101);
  }

  @Test
  @DisplayName("X-Forwarded-For from a trusted proxy names the client; a client's own header is never trusted")
  void forwardedFor() throws Exception {
    List<Integer> a = burst("127.0.0.2", httpPort, "fa", 4 * RATE + 2, "10.9.9.#"); // forged hops left of HAProxy's
    List<Integer> b = burst("127.0.0.3", httpPort, "fb", 2, null);
    List<Integer> c = burst("127.0.0.5", forwarded.port(), "fc", 4 * RATE + 2, "10.8.8.#"); // direct, untrusted peer
    System.out.println("[hostile] X-Forwarded-For: client .2 via HAProxy " + a + ", client .3 " + b + ", direct .5 " + c);
    assertThat(a.subList(0, 2 * RATE)).containsOnly(101);
    assertThat(a.subList(2 * RATE, a.size())).as("forged hops do not buy new buckets").contains(429);
    assertThat(b).containsOnly(101);
    assertThat(c.subList(2 * RATE, c.size())).as("an untrusted peer's X-Forwarded-For is ignored").contains(429);
  }
}
