package com.seedim.im.testkit;

import com.seedim.im.common.security.Signatures;
import com.seedim.im.testkit.contract.HttpContract;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * A plain JDK HTTP client for the gateway's HTTP endpoints, with §10.1 request signing. Every exchange is checked
 * against docs/openapi.yaml ({@link HttpContract}): the response always, the request when it is a well-formed signed
 * call. A violation fails the calling test (an AssertionError from here), after it is recorded.
 */
public final class Http {
  public static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  public record Response(int status, String contentType, String body, java.net.http.HttpHeaders headers) {
    public Response(int status, String contentType, String body) {
      this(status, contentType, body, java.net.http.HttpHeaders.of(java.util.Map.of(), (a, b) -> true));
    }

    public JsonObject json() {
      return new JsonObject(body);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  public static Response get(int port, String pathAndQuery) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(REQUEST_TIMEOUT).GET().build());
  }

  /** A signed API call (PROTOCOL.md §7). */
  public static Response api(int port, String method, String pathAndQuery, String body) {
    return api(port, method, pathAndQuery, body, TestServer.SECRET, System.currentTimeMillis(), UUID.randomUUID().toString());
  }

  public static Response api(int port, String method, String pathAndQuery, String body, String secret, long ts, String nonce) {
    String b = body == null ? "" : body;
    String sig = Signatures.api(secret, method, TestServer.APP_ID, pathAndQuery, Long.toString(ts), nonce, b);
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(REQUEST_TIMEOUT)
      .header("X-App-Id", TestServer.APP_ID).header("X-Timestamp", Long.toString(ts)).header("X-Nonce", nonce)
      .header("X-Signature", sig).header("Content-Type", "application/json")
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(b)).build();
    return send(req);
  }

  /** The four §7 signature headers for a request, as name/value pairs. */
  public static String[] signatureHeaders(String method, String pathAndQuery, String body, long ts, String nonce) {
    String sig = Signatures.api(TestServer.SECRET, method, TestServer.APP_ID, pathAndQuery, Long.toString(ts), nonce, body == null ? "" : body);
    return new String[] {"X-App-Id", TestServer.APP_ID, "X-Timestamp", Long.toString(ts), "X-Nonce", nonce, "X-Signature", sig};
  }

  /** A signed API call with a chosen Content-Type (null: none) and extra headers. */
  public static Response api(int port, String method, String pathAndQuery, String body, String contentType, String... extraHeaders) {
    String nonce = UUID.randomUUID().toString();
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(REQUEST_TIMEOUT)
      .headers(signatureHeaders(method, pathAndQuery, body, System.currentTimeMillis(), nonce))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (extraHeaders.length > 0) {
      b.headers(extraHeaders);
    }
    return send(b.build());
  }

  /** What a raw exchange got back; status -1 when nothing arrived before the read timeout. */
  public record RawResponse(int status, java.util.Map<String, String> headers, String body, long bodyBytesSent, long millis,
                     boolean closedByServer) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  /**
   * One request over a raw socket, for what java.net.http will not send (Host header, multipart, trickling).
   * The head ("METHOD path HTTP/1.1\r\n...\r\n\r\n") is sent, then {@code body} up to {@code sendBodyBytes}
   * bytes (all of it when negative); the writer then stays silent without closing. The response is read with
   * the given timeout while the writer runs. Write errors (the server closed early) are ignored. closedByServer:
   * the connection ended within 2 s after the response.
   */
  public static RawResponse raw(int port, String head, byte[] body, int sendBodyBytes, Duration readTimeout) {
    long start = System.nanoTime();
    java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout((int) readTimeout.toMillis());
      java.io.OutputStream out = s.getOutputStream();
      int limit = sendBodyBytes < 0 ? body.length : Math.min(sendBodyBytes, body.length);
      Thread writer = new Thread(() -> {
        try {
          out.write(head.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          for (int off = 0; off < limit; off += 16384) {
            int n = Math.min(16384, limit - off);
            out.write(body, off, n);
            sent.addAndGet(n);
          }
          out.flush();
        } catch (java.io.IOException ignored) {
          // the server answered and closed before reading everything: that is allowed
        }
      }, "raw-http-writer");
      writer.setDaemon(true);
      writer.start();
      java.io.InputStream in = new java.io.BufferedInputStream(s.getInputStream());
      String statusLine;
      try {
        statusLine = line(in);
      } catch (java.net.SocketTimeoutException e) {
        return new RawResponse(-1, java.util.Map.of(), "", sent.get(), (System.nanoTime() - start) / 1_000_000, false);
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      long sentAtAnswer = sent.get();
      java.util.Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String l = line(in); !l.isEmpty(); l = line(in)) {
        int c = l.indexOf(':');
        headers.put(l.substring(0, c).trim(), l.substring(c + 1).trim());
      }
      int len = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      byte[] b = in.readNBytes(len);
      boolean closed;
      s.setSoTimeout(2000);
      try {
        closed = in.read() == -1;
      } catch (java.net.SocketTimeoutException e) {
        closed = false;
      } catch (java.io.IOException e) {
        closed = true; // reset
      }
      RawResponse response = new RawResponse(Integer.parseInt(statusLine.split(" ")[1]), headers,
        new String(b, StandardCharsets.UTF_8), sentAtAnswer, millis, closed);
      checkRaw(head, body, limit, response);
      return response;
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String line(java.io.InputStream in) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    if (c == -1 && sb.length() == 0) {
      throw new java.io.EOFException("connection closed before a response");
    }
    return sb.toString();
  }

  public static Response send(HttpRequest req) {
    HttpResponse<String> r;
    try {
      r = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    HttpContract.shared().check(req, r).ifPresent(v -> {
      throw new AssertionError("docs/openapi.yaml contract violation: " + v);
    });
    return new Response(r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body(), r.headers());
  }

  /** The contract check of a raw exchange (the head as written, the body bytes sent unless chunked). */
  private static void checkRaw(String head, byte[] body, int sent, RawResponse r) {
    String[] lines = head.split("\r\n");
    String[] requestLine = lines[0].split(" ");
    java.util.Map<String, java.util.List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      if (c > 0) {
        headers.computeIfAbsent(lines[i].substring(0, c).trim(), k -> new java.util.ArrayList<>()).add(lines[i].substring(c + 1).trim());
      }
    }
    boolean chunked = headers.containsKey("Transfer-Encoding");
    String text = chunked ? "" : new String(body, 0, Math.min(sent, body.length), StandardCharsets.UTF_8);
    java.util.Map<String, java.util.List<String>> responseHeaders = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    r.headers().forEach((k, v) -> responseHeaders.put(k, java.util.List.of(v)));
    HttpContract.shared().check(new HttpContract.Exchange(requestLine[0], requestLine[1], headers, text, r.status(), responseHeaders,
      r.body())).ifPresent(v -> {
        throw new AssertionError("docs/openapi.yaml contract violation: " + v);
      });
  }
}
