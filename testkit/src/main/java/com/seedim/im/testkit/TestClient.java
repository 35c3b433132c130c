package com.seedim.im.testkit;

import com.seedim.im.testkit.contract.WireContract;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A real WebSocket client for tests, used from the test thread (never from an event loop). Every frame
 * received is kept in {@link #history()} and in an inbox that {@link #await} consumes. With auto-ack on
 * (the default) it acks reliable pushes like a well-behaved client: 141 for 140, 31 for the others.
 *
 * <p>Every frame received is checked against the machine-readable contract ({@code docs/asyncapi.yaml}, via
 * {@link WireContract}); a frame that does not match fails the test at its next {@link #await}, {@link #drain} or
 * {@link #history} (and {@code TestServer.close()} fails for any of its clients), so the document cannot drift
 * from what the server sends.
 */
public final class TestClient implements AutoCloseable {
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);
  static final long CONNECT_TIMEOUT_S = 20;
  private static final Set<Integer> ACKED_BY_31 = Set.of(131, 191, 192, 199, 301, 311, 321, 341, 343, 402, 421, 551, 560);
  private static final AtomicLong UNIQUES = new AtomicLong();

  private final WebSocket ws;
  private final LinkedList<JsonObject> inbox = new LinkedList<>();
  private final List<JsonObject> history = new ArrayList<>();
  private final List<String> contractViolations = new ArrayList<>();
  private volatile boolean autoAck = true;
  private volatile boolean checkContract = true;
  private volatile Short closeStatus;
  private volatile boolean closed;
  public final String userId;
  public final String deviceId;

  private TestClient(WebSocket ws, String userId, String deviceId) {
    this.ws = ws;
    this.userId = userId;
    this.deviceId = deviceId;
    ws.textMessageHandler(this::onText);
    ws.closeHandler(v -> {
      synchronized (this) {
        closed = true;
        closeStatus = ws.closeStatusCode();
        notifyAll();
      }
    });
  }

  /**
   * Connects to {@code ws://127.0.0.1:port<pathAndQuery>}; fails with UpgradeRejectedException when refused.
   * The Vert.x client cannot send one chosen Origin header, so {@code origin} is ignored (kept for callers).
   */
  public static Future<TestClient> connect(WebSocketClient client, int port, String pathAndQuery, String userId,
                                           String deviceId, String origin) {
    WebSocketConnectOptions o = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(pathAndQuery)
      .setAllowOriginHeader(false); // native clients send no Origin; browser-like origins are tested with plain GETs

    return client.connect(o).timeout(CONNECT_TIMEOUT_S, TimeUnit.SECONDS)
      .map(ws -> new TestClient(ws, userId, deviceId));
  }

  /** Attempts of {@link #connectReady} when the server answers 503 (it could not complete the connect now). */
  static final int CONNECT_ATTEMPTS = 5;

  /**
   * Connects a signed client of the test app ({@code TestServer.query}), retrying a 503 after a pause as a real client
   * does (PROTOCOL.md §2: the server could not complete the connect now, e.g. a cluster still forming), then waits
   * until the session is ready (a heartbeat round trip: the gateway handles frames only after the connect sequence).
   */
  public static TestClient connectReady(WebSocketClient client, int port, String userId, String deviceId, String role) {
    for (int attempt = 1; ; attempt++) {
      TestClient c;
      try {
        c = connect(client, port, TestServer.query(userId, deviceId, role), userId, deviceId == null ? "default" : deviceId, null)
          .await();
      } catch (UpgradeRejectedException e) {
        if (e.getStatus() != 503 || attempt >= CONNECT_ATTEMPTS) {
          throw e;
        }
        try {
          Thread.sleep(1000L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        continue;
      }
      String u = "ready-" + newUnique();
      c.send(new JsonObject().put("msgType", 20).put("unique", u));
      c.await(f -> f.getInteger("msgType", 0) == 21 && u.equals(f.getString("unique")), Duration.ofSeconds(20));
      return c;
    }
  }

  private void onText(String text) {
    List<String> violations = checkContract ? WireContract.get().checkServerFrame(text) : List.of();
    if (!violations.isEmpty()) {
      synchronized (this) {
        contractViolations.add(text + " -> " + violations);
      }
    }
    JsonObject f = new JsonObject(text);
    if (autoAck) {
      ack(f);
    }
    synchronized (this) {
      inbox.add(f);
      history.add(f);
      notifyAll();
    }
  }

  /** Acks a push as a client would (141 for 140, 31 otherwise); replies are never acked. */
  public void ack(JsonObject f) {
    int t = f.getInteger("msgType", 0);
    if (t == 140 && f.containsKey("messageId")) {
      send(new JsonObject().put("msgType", 141).put("messageId", f.getValue("messageId")));
    } else if (ACKED_BY_31.contains(t) && f.containsKey("unique")) {
      send(new JsonObject().put("msgType", 31).put("unique", f.getValue("unique")));
    }
  }

  /**
   * Whether received frames are checked against docs/asyncapi.yaml (default on; off only for servers with stand-in
   * services whose frames are made up by the test). Turning it off forgets what was recorded.
   */
  public synchronized TestClient contractChecks(boolean on) {
    this.checkContract = on;
    if (!on) {
      contractViolations.clear();
    }
    return this;
  }

  public TestClient autoAck(boolean on) {
    this.autoAck = on;
    return this;
  }

  public void send(JsonObject frame) {
    ws.writeTextMessage(frame.encode());
  }

  public void sendText(String text) {
    ws.writeTextMessage(text);
  }

  public WebSocket socket() {
    return ws;
  }

  /** A fresh client-side unique. */
  public static String newUnique() {
    return "u" + UNIQUES.incrementAndGet() + "-" + System.nanoTime();
  }

  /**
   * Sends a frame with a fresh {@code unique} (unless it has one) and returns the first answer carrying that
   * unique: the 30, a 10 error, or a refusal reply (132/133). The following reply, if any, stays in the inbox.
   */
  public JsonObject request(JsonObject frame) {
    if (!frame.containsKey("unique")) {
      frame.put("unique", newUnique());
    }
    Object u = frame.getValue("unique");
    send(frame);
    return await(f -> u.equals(f.getValue("unique")) && f.getInteger("msgType", 0) != 140, DEFAULT_WAIT);
  }

  /** Sends a frame and returns its reply of type {@code replyType} (after consuming the 30), failing on a 10. */
  public JsonObject query(JsonObject frame, int replyType) {
    JsonObject first = request(frame);
    if (first.getInteger("msgType") == 10) {
      throw new AssertionError("expected " + replyType + " but got error " + first.encode());
    }
    if (first.getInteger("msgType") == replyType) {
      return first;
    }
    Object u = frame.getValue("unique");
    return await(f -> f.getInteger("msgType", 0) == replyType && u.equals(f.getValue("unique")), DEFAULT_WAIT);
  }

  public JsonObject awaitType(int msgType) {
    return await(f -> f.getInteger("msgType", 0) == msgType, DEFAULT_WAIT);
  }

  public JsonObject await(Predicate<JsonObject> p) {
    return await(p, DEFAULT_WAIT);
  }

  /**
   * Throws when a frame received so far does not match docs/asyncapi.yaml (called by the waiting methods; call it at
   * the end of a test that only sends).
   */
  public synchronized void assertContract() {
    if (!contractViolations.isEmpty()) {
      throw new AssertionError("server frames that do not match docs/asyncapi.yaml (" + userId + "/" + deviceId + "): "
        + contractViolations);
    }
  }

  /** Waits for and consumes the first not-yet-consumed frame matching {@code p}. */
  public synchronized JsonObject await(Predicate<JsonObject> p, Duration timeout) {
    assertContract();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      assertContract();
      for (Iterator<JsonObject> it = inbox.iterator(); it.hasNext(); ) {
        JsonObject f = it.next();
        if (p.test(f)) {
          it.remove();
          return f;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out waiting for a frame; received so far: " + new JsonArray(new ArrayList<>(history)).encode());
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Asserts that no frame matching {@code p} arrives within {@code d} (and none is in the inbox). */
  public void assertNone(Predicate<JsonObject> p, Duration d) {
    try {
      JsonObject f = await(p, d);
      throw new IllegalStateException("unexpected frame " + f.encode());
    } catch (AssertionError expected) {
      // nothing arrived
    }
  }

  /** Removes and returns every frame currently in the inbox. */
  public synchronized List<JsonObject> drain() {
    assertContract();
    List<JsonObject> out = new ArrayList<>(inbox);
    inbox.clear();
    return out;
  }

  public synchronized List<JsonObject> history() {
    assertContract();
    return new ArrayList<>(history);
  }

  /** Waits until the server closes the socket; returns the close status code. */
  public synchronized Short awaitClose(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!closed) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("socket not closed in " + timeout);
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return closeStatus;
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    if (!closed) {
      try {
        ws.close().await();
      } catch (Exception ignored) {
        // already gone
      }
    }
  }
}
