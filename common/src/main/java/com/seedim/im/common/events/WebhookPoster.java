package com.seedim.im.common.events;

import com.seedim.im.common.security.Signatures;
import com.seedim.im.common.store.Deadlines;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;

/**
 * POSTs a JSON body to a business server, signed with the HTTP API scheme of protocol §11.4 (the scheme the business
 * side already verifies for calls it makes): {@code X-App-Id}, {@code X-Timestamp} and {@code X-Nonce} fresh per
 * attempt, {@code X-Signature} over {@code POST}, the app, the URL's path and query, the timestamp, the nonce and the
 * exact body. Used by the delivery worker and the {@code before.message} hook.
 */
public final class WebhookPoster {
  public static final String USER_AGENT = "SeedIM-Webhooks/1";
  /** Connections kept per receiver host. */
  static final int POOL_SIZE = 8;
  /** The most of an answer read (the hook's verdict; a delivery's answer body is not used). */
  public static final int MAX_ANSWER_BYTES = 64 * 1024;
  /** A POST's deadline is its timeout plus this. */
  public static final long DEADLINE_SLACK_MS = 100;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A receiver's answer. */
  public record Answer(int status, String body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  private final Vertx vertx;
  private final HttpClient client;

  public WebhookPoster(Vertx vertx) {
    this.vertx = vertx;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxRedirects(0)
      .setConnectTimeout((int) Deadlines.CONNECT_TIMEOUT_MS), new PoolOptions().setHttp1MaxSize(POOL_SIZE));
  }

  /** The §11.4 headers of one attempt: timestamp and nonce fresh each time. */
  public static String[] signedHeaders(String secret, String appId, String pathWithQuery, String body, long nowMs) {
    byte[] n = new byte[12];
    RANDOM.nextBytes(n);
    String nonce = HexFormat.of().formatHex(n);
    String ts = Long.toString(nowMs);
    return new String[] {"X-App-Id", appId, "X-Timestamp", ts, "X-Nonce", nonce,
      "X-Signature", Signatures.api(secret, "POST", appId, pathWithQuery, ts, nonce, body)};
  }

  /**
   * One signed POST; fails on a connection error or when no full answer came within {@code timeoutMs}. Extra headers
   * are name/value pairs.
   */
  public Future<Answer> post(URI url, String pathWithQuery, String appId, String secret, String body, long timeoutMs,
                             String... extra) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url.toString()).setTimeout(timeoutMs)
      .putHeader("Content-Type", "application/json").putHeader("User-Agent", USER_AGENT);
    String[] signed = signedHeaders(secret, appId, pathWithQuery, body, System.currentTimeMillis());
    for (int i = 0; i < signed.length; i += 2) {
      o.putHeader(signed[i], signed[i + 1]);
    }
    for (int i = 0; i + 1 < extra.length; i += 2) {
      o.putHeader(extra[i], extra[i + 1]);
    }
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    Future<Answer> answer = client.request(o)
      .compose(req -> {
        sent.set(req);
        return req.send(Buffer.buffer(body));
      })
      .compose(WebhookPoster::read);
    // the request's own timeout is an idle one (a receiver trickling bytes would keep it alive): the deadline ends it
    return Deadlines.within(vertx, answer, timeoutMs + DEADLINE_SLACK_MS, "webhook " + url.getHost(), () -> {
      HttpClientRequest req = sent.get();
      if (req != null) {
        req.reset();
      }
    });
  }

  /** The answer's status and at most {@link #MAX_ANSWER_BYTES} of its body (the rest is read and dropped). */
  private static Future<Answer> read(HttpClientResponse resp) {
    Promise<Answer> p = Promise.promise();
    Buffer kept = Buffer.buffer();
    resp.handler(b -> {
      int room = MAX_ANSWER_BYTES - kept.length();
      if (room > 0) {
        kept.appendBuffer(b, 0, Math.min(room, b.length()));
      }
    });
    resp.exceptionHandler(p::tryFail);
    resp.endHandler(v -> p.tryComplete(new Answer(resp.statusCode(), kept.toString())));
    return p.future();
  }

  public Future<Void> close() {
    return client.close();
  }
}
