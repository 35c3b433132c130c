package com.seedim.im.gateway;

import com.seedim.im.common.security.Signatures;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/** A plain JDK HTTP client for the gateway's HTTP endpoints, with §7 request signing. */
final class Http {
  static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  record Response(int status, String contentType, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  static Response get(int port, String pathAndQuery) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(REQUEST_TIMEOUT).GET().build());
  }

  /** A signed API call (PROTOCOL.md §7). */
  static Response api(int port, String method, String pathAndQuery, String body) {
    return api(port, method, pathAndQuery, body, TestServer.SECRET, System.currentTimeMillis(), UUID.randomUUID().toString());
  }

  static Response api(int port, String method, String pathAndQuery, String body, String secret, long ts, String nonce) {
    String b = body == null ? "" : body;
    String sig = Signatures.api(secret, method, TestServer.APP_ID, pathAndQuery, Long.toString(ts), nonce, b);
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).timeout(REQUEST_TIMEOUT)
      .header("X-App-Id", TestServer.APP_ID).header("X-Timestamp", Long.toString(ts)).header("X-Nonce", nonce)
      .header("X-Signature", sig).header("Content-Type", "application/json")
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(b)).build();
    return send(req);
  }

  static Response send(HttpRequest req) {
    try {
      HttpResponse<String> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
