package com.seedim.im.gateway;

import com.seedim.im.testkit.Http;
import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.msg.ApiQueries;
import com.seedim.im.common.bus.msg.BusMessages;
import com.seedim.im.testkit.TestClient;
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

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile requests against the business HTTP API (PROTOCOL.md §7) and the dev endpoints, over real HTTP:
 * security-audit.md H1, H5 (pre-authentication body), M1/L8 (/dev), L4, L5.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpApiHostileTest {
  static TestServer prod;
  static TestServer dev;
  static TestServer legacy;
  /** userIds the presence service was asked about (a recording consumer on the prod server's bus). */
  static final List<String> presenceAsked = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start(Vertx vertx) {
    prod = TestServer.builder().vertx(vertx).durable(true).start();
    // on their own Vert.x: servers sharing one event bus would see each other's kick and Redis-reset notices
    dev = TestServer.builder().durable(false).start();
    legacy = TestServer.builder().durable(false).app(new JsonObject().put("legacySign", true)).start();
    prod.vertx().eventBus().consumer(Addresses.CHAT_API_PRESENCE, m -> {
      JsonObject statuses = new JsonObject();
      BusMessages.read(m.body(), ApiQueries.PresenceQuery.class, ApiQueries.PresenceQuery::fromJson).userIds().forEach(id -> {
        presenceAsked.add(id);
        statuses.put(id, false); // the chat service's answer: booleans (docs/openapi.yaml)
      });
      m.reply(new JsonObject().put("statuses", statuses));
    }).completion().await();
  }

  @AfterAll
  static void stop() {
    prod.close();
    dev.close();
    legacy.close();
  }

  private static String head(String method, String pathAndQuery, int port, String... headers) {
    StringBuilder sb = new StringBuilder(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\n");
    boolean host = false;
    for (int i = 0; i < headers.length; i += 2) {
      host |= headers[i].equalsIgnoreCase("Host");
      sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    if (!host) {
      sb.append("Host: 127.0.0.1:").append(port).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  private static byte[] multipartFile(int size) {
    byte[] data = new byte[size];
    Arrays.fill(data, (byte) 'x');
    byte[] pre = ("--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.bin\"\r\n"
      + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] post = "\r\n--B--\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[pre.length + data.length + post.length];
    System.arraycopy(pre, 0, all, 0, pre.length);
    System.arraycopy(data, 0, all, pre.length, data.length);
    System.arraycopy(post, 0, all, pre.length + data.length, post.length);
    return all;
  }

  private static long filesIn(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  private static void assertProblem(Http.Response r, int status, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().getString("code")).isEqualTo(code);
  }

  private static void assertProblem(Http.RawResponse r, int status, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().get("content-type")).startsWith("application/problem+json");
    assertThat(r.json().getString("code")).isEqualTo(code);
  }

  // ---- H1 ----------------------------------------------------------------------------------------------------

  @Test
  @DisplayName("H1: 50 unauthenticated multipart uploads of 900 KB leave nothing on disk and get 401/415")
  void multipartUploadsNeverReachTheDisk() throws IOException {
    Path uploads = Path.of(System.getProperty("user.dir"), "file-uploads");
    deleteTree(uploads); // leftovers of earlier runs of the unfixed code
    long freeBefore = new File(System.getProperty("user.dir")).getUsableSpace();
    byte[] body = multipartFile(900 * 1024);
    for (int i = 0; i < 50; i++) {
      Http.RawResponse r = Http.raw(prod.port(), head("POST", "/api/v1/sign", prod.port(),
        "Content-Type", "multipart/form-data; boundary=B", "Content-Length", Integer.toString(body.length), "Connection", "close"),
        body, -1, Duration.ofSeconds(10));
      assertThat(r.status()).as("answer %d: %s", i, r.body()).isIn(401, 415);
      assertThat(r.headers().get("content-type")).startsWith("application/problem+json");
    }
    long freeAfter = new File(System.getProperty("user.dir")).getUsableSpace();
    long stored = filesIn(uploads);
    deleteTree(uploads);
    assertThat(stored).as("files stored under %s", uploads).isZero();
    // other processes share this disk: only a gross loss (the unfixed code stored 50 × 900 KB) is asserted
    assertThat(freeBefore - freeAfter).as("bytes of free disk used").isLessThan(30L << 20);
  }

  @Test
  @DisplayName("H1: a signed GET with a multipart body is refused with 415; form fields never replace query parameters")
  void multipartBodyNeverFeedsParameters() {
    byte[] form = ("--B\r\nContent-Disposition: form-data; name=\"userIds\"\r\n\r\nb\r\n--B--\r\n").getBytes(StandardCharsets.US_ASCII);
    for (String path : List.of("/api/v1/presence?userIds=a", "/api/v1/presence")) {
      presenceAsked.clear();
      // signed as the empty-body GET the business server sent; the body was added in transit
      String[] sig = Http.signatureHeaders("GET", path, "", System.currentTimeMillis(), UUID.randomUUID().toString());
      String[] headers = Stream.concat(Arrays.stream(sig), Stream.of("Content-Type", "multipart/form-data; boundary=B",
        "Content-Length", Integer.toString(form.length))).toArray(String[]::new);
      Http.RawResponse r = Http.raw(prod.port(), head("GET", path, prod.port(), headers), form, -1, Duration.ofSeconds(10));
      assertThat(presenceAsked).as("presence asked for").doesNotContain("b");
      assertProblem(r, 415, "INVALID_JSON");
    }
  }

  @Test
  @DisplayName("H1: only application/json bodies (charset utf-8 allowed) or empty bodies are accepted")
  void onlyJsonBodies() {
    String body = new JsonObject().put("userId", "alice").encode();
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/sign", body, "text/plain"), 415, "INVALID_JSON");
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/sign", "userId=alice", "application/x-www-form-urlencoded"), 415, "INVALID_JSON");
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/sign", body, null), 415, "INVALID_JSON");
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/sign", body, "application/json; charset=iso-8859-1"), 415, "INVALID_JSON");
    assertThat(Http.api(prod.port(), "POST", "/api/v1/sign", body, "application/json; charset=UTF-8").status()).isEqualTo(200);
    assertThat(Http.api(prod.port(), "POST", "/api/v1/sign", body, "Application/JSON").status()).isEqualTo(200);
    // an empty body needs no JSON content type
    assertThat(Http.api(prod.port(), "GET", "/api/v1/presence?userIds=a", null, null).status()).isEqualTo(200);
  }

  // ---- pre-authentication and body limits (H1, H5) ---------------------------------------------------------------

  @Test
  @DisplayName("H5: a 2 MB body with a stale timestamp is answered 401 before the body is sent")
  void headersAreCheckedBeforeTheBody() {
    byte[] big = new byte[2 << 20];
    Arrays.fill(big, (byte) ' ');
    long stale = System.currentTimeMillis() - 3_600_000;
    String[] sig = Http.signatureHeaders("POST", "/api/v1/messages", "", stale, UUID.randomUUID().toString());
    // with a Content-Length: the client sends 64 KB, then waits
    String[] h1 = Stream.concat(Arrays.stream(sig), Stream.of("Content-Type", "application/json",
      "Content-Length", Integer.toString(big.length))).toArray(String[]::new);
    Http.RawResponse r1 = Http.raw(prod.port(), head("POST", "/api/v1/messages", prod.port(), h1), big, 65536, Duration.ofSeconds(5));
    assertProblem(r1, 401, "UNAUTHORIZED");
    assertThat(r1.bodyBytesSent()).isLessThan(big.length);
    assertThat(r1.closedByServer()).as("the server does not wait for the rest of the body").isTrue();
    // chunked: no length announced; the client sends 512 KB of chunks, then waits
    StringBuilder chunks = new StringBuilder();
    String chunk = Integer.toHexString(8192) + "\r\n" + " ".repeat(8192) + "\r\n";
    for (int i = 0; i < 256; i++) {
      chunks.append(chunk);
    }
    byte[] chunked = chunks.toString().getBytes(StandardCharsets.US_ASCII);
    String[] h2 = Stream.concat(Arrays.stream(sig), Stream.of("Content-Type", "application/json",
      "Transfer-Encoding", "chunked")).toArray(String[]::new);
    Http.RawResponse r2 = Http.raw(prod.port(), head("POST", "/api/v1/messages", prod.port(), h2), chunked, -1, Duration.ofSeconds(5));
    assertProblem(r2, 401, "UNAUTHORIZED");
    assertThat(r2.millis()).isLessThan(5000);
    assertThat(r2.closedByServer()).isTrue();
    // a signature header that is not 64 hex characters, and an unknown app, are refused the same way
    String[] badSig = Http.signatureHeaders("POST", "/api/v1/messages", "", System.currentTimeMillis(), "n-" + UUID.randomUUID());
    badSig[7] = "zz";
    String[] h3 = Stream.concat(Arrays.stream(badSig), Stream.of("Content-Type", "application/json",
      "Content-Length", Integer.toString(big.length))).toArray(String[]::new);
    assertProblem(Http.raw(prod.port(), head("POST", "/api/v1/messages", prod.port(), h3), big, 65536, Duration.ofSeconds(5)),
      401, "UNAUTHORIZED");
  }

  @Test
  @DisplayName("bodies over the limit (64 KB; 1 MB for sensitive words) are 413 TOO_LARGE problems")
  void bodyLimits() {
    String over64k = new JsonObject().put("userId", "a").put("receiveUserId", "b").put("message", "x".repeat(70_000)).encode();
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/messages", over64k), 413, "TOO_LARGE");
    // chunked (no Content-Length): the limit holds while reading
    String path = "/api/v1/messages";
    String[] sig = Http.signatureHeaders("POST", path, over64k, System.currentTimeMillis(), UUID.randomUUID().toString());
    byte[] raw = over64k.getBytes(StandardCharsets.UTF_8);
    String chunked = Integer.toHexString(raw.length) + "\r\n" + over64k + "\r\n0\r\n\r\n";
    String[] h = Stream.concat(Arrays.stream(sig), Stream.of("Content-Type", "application/json", "Transfer-Encoding", "chunked"))
      .toArray(String[]::new);
    assertProblem(Http.raw(prod.port(), head("POST", path, prod.port(), h), chunked.getBytes(StandardCharsets.US_ASCII), -1,
      Duration.ofSeconds(10)), 413, "TOO_LARGE");
    JsonArray many = new JsonArray();
    for (int i = 0; i < 12_000; i++) {
      many.add("word-number-" + i + "-" + "w".repeat(80));
    }
    String over1m = new JsonObject().put("words", many).encode();
    assertThat(over1m.length()).isGreaterThan(1 << 20);
    assertProblem(Http.api(prod.port(), "PUT", "/api/v1/sensitive-words", over1m), 413, "TOO_LARGE");
    JsonArray some = new JsonArray();
    for (int i = 0; i < 1_000; i++) {
      some.add("word-number-" + i + "-" + "w".repeat(80));
    }
    String under1m = new JsonObject().put("words", some).encode();
    assertThat(under1m.length()).isGreaterThan(64 * 1024);
    // no chat service runs here: past the limit it reaches the bus and gets 503, never 413
    assertThat(Http.api(prod.port(), "PUT", "/api/v1/sensitive-words", under1m).status()).isNotEqualTo(413);
  }

  // ---- strict JSON and field errors (L3 for the API, L4) ---------------------------------------------------------

  @Test
  @DisplayName("bodies are strict RFC 8259 JSON objects: comments, duplicate keys and non-objects are 400 INVALID_JSON")
  void strictJson() {
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/sign", "{\"userId\":\"alice\" /* c */}"), 400, "INVALID_JSON");
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/sign", "// c\n{\"userId\":\"alice\"}"), 400, "INVALID_JSON");
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/sign", "{\"userId\":\"alice\",\"userId\":\"bob\"}"), 400, "INVALID_JSON");
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/sign", "[{\"userId\":\"alice\"}]"), 400, "INVALID_JSON");
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/sign", "{\"userId\":\"alice\"} {}"), 400, "INVALID_JSON");
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/sign", "\"alice\""), 400, "INVALID_JSON");
  }

  @Test
  @DisplayName("L4: a field of the wrong type is 400 INVALID_FIELD with a clear message, never 503 or an exception text")
  void malformedFieldsAreInvalidField() {
    Http.Response words = Http.api(prod.port(), "PUT", "/api/v1/sensitive-words", "{\"words\":\"spam\"}");
    assertProblem(words, 400, "INVALID_FIELD");
    assertThat(words.json().getString("detail")).contains("words").doesNotContain("Exception").doesNotContain("class");
    assertProblem(Http.api(prod.port(), "PUT", "/api/v1/sensitive-words", "{\"words\":[1,{}]}"), 400, "INVALID_FIELD");
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/kick", "{\"userId\":\"a\",\"deviceId\":{}}"), 400, "INVALID_FIELD");
    assertProblem(Http.api(prod.port(), "POST", "/api/v1/sign", "{\"userId\":[\"a\"]}"), 400, "INVALID_FIELD");
  }

  @Test
  @DisplayName("a service that does not answer is 503 UNAVAILABLE with retryAfterMs and a Retry-After header")
  void unavailableCarriesRetryAfter() {
    // no chat verticle is deployed on this server: the bus has no handler for the revoke address
    Http.Response r = Http.api(prod.port(), "DELETE", "/api/v1/chat-permission",
      new JsonObject().put("userId", "a").put("receiveUserId", "b").encode());
    assertProblem(r, 503, "UNAVAILABLE");
    assertThat(r.json().getLong("retryAfterMs")).isPositive();
    assertThat(r.header("Retry-After")).matches("[1-9][0-9]*");
  }

  @Test
  @DisplayName("problem details never echo request content")
  void problemsDoNotEcho() {
    Http.Response r = Http.api(prod.port(), "GET", "/api/v1/presence?userIds=a,MARK%3Cscript%3E", null);
    assertProblem(r, 400, "INVALID_FIELD");
    assertThat(r.body()).doesNotContain("MARK").doesNotContain("script");
    Http.Response s = Http.api(prod.port(), "POST", "/api/v1/sign", "{\"userId\":\"a\",\"role\":\"MARKrole\"}");
    assertProblem(s, 400, "INVALID_FIELD");
    assertThat(s.body()).doesNotContain("MARK");
  }

  // ---- L5 --------------------------------------------------------------------------------------------------------

  @Test
  @DisplayName("L5: /api/v1/sign for a legacy-sign app returns URLs that connect, with or without a UUID deviceId")
  void legacySignUrlsConnect() {
    Http.Response r = Http.api(legacy.port(), "POST", "/api/v1/sign", new JsonObject().put("userId", "4805").encode());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    String url = r.json().getString("url");
    TestClient c = legacy.connectRaw(url.substring(url.indexOf("/ws")), "4805", "default", null).await();
    c.send(new JsonObject().put("msgType", 20).put("unique", "hb"));
    assertThat(c.awaitType(21).getString("unique")).isEqualTo("hb");
    assertThat(url).doesNotContain("loginId=");

    String device = UUID.randomUUID().toString();
    Http.Response withDevice = Http.api(legacy.port(), "POST", "/api/v1/sign",
      new JsonObject().put("userId", "4806").put("deviceId", device).encode());
    assertThat(withDevice.status()).as(withDevice.body()).isEqualTo(200);
    String url2 = withDevice.json().getString("url");
    TestClient c2 = legacy.connectRaw(url2.substring(url2.indexOf("/ws")), "4806", device, null).await();
    c2.send(new JsonObject().put("msgType", 20).put("unique", "hb2"));
    assertThat(c2.awaitType(21).getString("unique")).isEqualTo("hb2");

    assertProblem(Http.api(legacy.port(), "POST", "/api/v1/sign",
      new JsonObject().put("userId", "4805").put("deviceId", "phone").encode()), 400, "INVALID_FIELD");
    assertProblem(Http.api(legacy.port(), "POST", "/api/v1/sign",
      new JsonObject().put("userId", "4805").put("loginId", "default").encode()), 400, "INVALID_FIELD");
  }

  // ---- M1 / L8: /dev --------------------------------------------------------------------------------------------

  @Test
  @DisplayName("M1: /dev/* refuses requests that came through a proxy (Forwarded, X-Forwarded-For, X-Real-IP)")
  void devRefusesProxiedRequests() {
    for (String[] h : List.of(new String[] {"X-Forwarded-For", "1.2.3.4"}, new String[] {"Forwarded", "for=1.2.3.4"},
      new String[] {"X-Real-IP", "1.2.3.4"})) {
      for (String path : List.of("/dev/sign?userId=alice", "/dev/chat-sign?userId=alice&receiveUserId=bob")) {
        Http.Response r = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + dev.port() + path))
          .header(h[0], h[1]).GET().build());
        assertThat(r.status()).as("%s with %s", path, h[0]).isEqualTo(403);
        assertThat(r.json().getString("code")).isEqualTo("FORBIDDEN");
      }
    }
    assertThat(Http.get(dev.port(), "/dev/sign?userId=alice").status()).isEqualTo(200);
  }

  @Test
  @DisplayName("L8: /dev/* answers only loopback Host names (DNS rebinding)")
  void devRefusesForeignHost() {
    int port = dev.port();
    for (String host : List.of("evil.example:" + port, "evil.example", "127.example.com:" + port, "localhost.evil.example",
      "127.0.0.1.nip.io:" + port, "10.0.0.1:" + port, "1270.0.0.1")) {
      for (String path : List.of("/dev/sign?userId=alice", "/dev/chat-sign?userId=alice&receiveUserId=bob")) {
        Http.RawResponse r = Http.raw(port, head("GET", path, port, "Host", host, "Connection", "close"), new byte[0], -1,
          Duration.ofSeconds(10));
        assertThat(r.status()).as("%s with Host %s", path, host).isEqualTo(403);
        assertThat(r.json().getString("code")).isEqualTo("FORBIDDEN");
      }
    }
    for (String host : List.of("localhost:" + port, "localhost", "127.0.0.1:" + port, "127.1.2.3", "[::1]:" + port, "LOCALHOST")) {
      Http.RawResponse r = Http.raw(port, head("GET", "/dev/sign?userId=alice", port, "Host", host, "Connection", "close"),
        new byte[0], -1, Duration.ofSeconds(10));
      assertThat(r.status()).as("Host %s", host).isEqualTo(200);
    }
  }
}
