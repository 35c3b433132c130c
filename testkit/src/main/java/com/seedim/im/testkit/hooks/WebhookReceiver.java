package com.seedim.im.testkit.hooks;

import com.seedim.im.common.security.Signatures;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A business server's webhook receiver on loopback, for tests: records every POST (headers, body, whether its
 * §11.4 signature verifies with the app secret), answers deliveries with a status the test sets (200 by default), can
 * go down (its port closed) and come back on the same port, and answers {@code before.message} with a function the
 * test sets. Paths: {@code /events} for deliveries, {@code /before} for the hook.
 */
public final class WebhookReceiver implements AutoCloseable {
  public static final String EVENTS_PATH = "/events";
  public static final String BEFORE_PATH = "/before";

  /** One request as received. */
  public record Received(String path, String appId, String timestamp, String nonce, String signature, String attempt,
                         String body, boolean signatureValid) {
    /** The delivery's events (empty for a hook call). */
    public List<JsonObject> events() {
      JsonObject b = new JsonObject(body);
      JsonArray a = b.getJsonArray("events", new JsonArray());
      List<JsonObject> out = new ArrayList<>();
      a.forEach(o -> out.add((JsonObject) o));
      return out;
    }
  }

  private final Vertx vertx;
  private final String secret;
  private final List<Received> received = new ArrayList<>();
  private volatile int status = 200;
  private volatile long delayMs;
  private volatile Function<JsonObject, JsonObject> before = q -> new JsonObject().put("action", "allow");
  private volatile int beforeStatus = 200;
  private volatile long beforeDelayMs;
  private final AtomicInteger failedAnswers = new AtomicInteger();
  private final AtomicInteger arrived = new AtomicInteger();
  private HttpServer server;
  private int port;

  public WebhookReceiver(Vertx vertx, String secret) {
    this.vertx = vertx;
    this.secret = secret;
    up();
  }

  /** Listens (again: on the same port after {@link #down()}). */
  public synchronized WebhookReceiver up() {
    server = vertx.createHttpServer().requestHandler(this::handle);
    port = server.listen(port, "127.0.0.1").await().actualPort();
    return this;
  }

  /** Closes the port: deliveries fail to connect until {@link #up()}. */
  public synchronized WebhookReceiver down() {
    server.close().await();
    return this;
  }

  public int port() {
    return port;
  }

  public String eventsUrl() {
    return "http://127.0.0.1:" + port + EVENTS_PATH;
  }

  public String beforeUrl() {
    return "http://127.0.0.1:" + port + BEFORE_PATH;
  }

  /** The status deliveries get from now on (e.g. 500 to make them fail). */
  public WebhookReceiver status(int s) {
    this.status = s;
    return this;
  }

  /** How long deliveries are answered late. */
  public WebhookReceiver delay(long ms) {
    this.delayMs = ms;
    return this;
  }

  /** The hook's answer to a before.message body; its status and delay. */
  public WebhookReceiver before(Function<JsonObject, JsonObject> f, int status, long delayMs) {
    this.before = f;
    this.beforeStatus = status;
    this.beforeDelayMs = delayMs;
    return this;
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(buf -> {
      arrived.incrementAndGet();
      String body = buf.toString();
      String appId = req.getHeader("X-App-Id");
      String ts = req.getHeader("X-Timestamp");
      String nonce = req.getHeader("X-Nonce");
      String sig = req.getHeader("X-Signature");
      boolean valid = appId != null && ts != null && nonce != null && sig != null
        && Signatures.matches(Signatures.api(secret, req.method().name(), appId, req.uri(), ts, nonce, body), sig);
      Received r = new Received(req.path(), appId, ts, nonce, sig, req.getHeader("X-SeedIM-Attempt"), body, valid);
      boolean hook = BEFORE_PATH.equals(req.path());
      int answer = hook ? beforeStatus : status;
      long wait = hook ? beforeDelayMs : delayMs;
      Runnable respond = () -> {
        synchronized (this) {
          received.add(r);
        }
        if (answer < 200 || answer >= 300) {
          failedAnswers.incrementAndGet();
        }
        String out = hook && answer == 200 ? before.apply(new JsonObject(body)).encode() : "{}";
        req.response().setStatusCode(answer).putHeader("Content-Type", "application/json").end(out);
      };
      if (wait > 0) {
        vertx.setTimer(wait, t -> respond.run());
      } else {
        respond.run();
      }
    });
  }

  /** Every request so far. */
  public synchronized List<Received> received() {
    return new ArrayList<>(received);
  }

  /** Requests whose body arrived (answered or not yet: see {@link #delay}). */
  public int arrived() {
    return arrived.get();
  }

  /** Requests answered with a non-2xx status. */
  public int failedAnswers() {
    return failedAnswers.get();
  }

  /** Every event of every delivery answered 2xx, in arrival order (duplicates included). */
  public synchronized List<JsonObject> acceptedEvents() {
    List<JsonObject> out = new ArrayList<>();
    for (Received r : received) {
      if (EVENTS_PATH.equals(r.path())) {
        out.addAll(r.events());
      }
    }
    return out;
  }

  /** The distinct ids of {@link #acceptedEvents()} (first arrival order). */
  public Set<String> acceptedIds() {
    Set<String> ids = new LinkedHashSet<>();
    acceptedEvents().forEach(e -> ids.add(e.getString("id")));
    return ids;
  }

  /** Waits until the accepted events satisfy {@code done}; fails with what arrived after {@code timeout}. */
  public List<JsonObject> await(Predicate<List<JsonObject>> done, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<JsonObject> now = acceptedEvents();
      if (done.test(now)) {
        return now;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("webhook receiver: condition not met after " + timeout + "; got " + now.size() + " events: "
          + (now.size() > 20 ? now.subList(now.size() - 20, now.size()) : now));
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Waits for an accepted event of {@code type} matching {@code match}. */
  public JsonObject awaitEvent(String type, Predicate<JsonObject> match, Duration timeout) {
    List<JsonObject> all = await(list -> list.stream().anyMatch(e -> type.equals(e.getString("type")) && match.test(e)),
      timeout);
    return all.stream().filter(e -> type.equals(e.getString("type")) && match.test(e)).findFirst().orElseThrow();
  }

  @Override
  public synchronized void close() {
    server.close().await();
  }
}
