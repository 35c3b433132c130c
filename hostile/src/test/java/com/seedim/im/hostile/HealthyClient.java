package com.seedim.im.hostile;

import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A well-behaved client on the attacked gateway: a heartbeat every {@link #PERIOD_MS} while an attack runs, each 21
 * timed. The hostile tests assert it keeps being answered promptly (PROTOCOL.md §2) and report what it measured.
 */
final class HealthyClient implements AutoCloseable {
  static final long PERIOD_MS = 100;
  /** The generous bound the tests assert: a 21 within this of its 20, throughout the attack. */
  static final Duration PROMPT = Duration.ofSeconds(1);

  private final TestClient client;
  private final Thread thread;
  private final List<Long> rttMs = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean running = true;
  private volatile Throwable failure;

  HealthyClient(TestServer server, String userId) {
    this.client = server.connect(userId, "healthy");
    this.thread = new Thread(this::run, "healthy-" + userId);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    int i = 0;
    while (running) {
      String u = "h" + (i++);
      long t0 = System.nanoTime();
      try {
        client.send(new JsonObject().put("msgType", 20).put("unique", u));
        client.await(f -> f.getInteger("msgType", 0) == 21 && u.equals(f.getString("unique")), Duration.ofSeconds(10));
        rttMs.add((System.nanoTime() - t0) / 1_000_000);
        Thread.sleep(PERIOD_MS);
      } catch (Throwable e) {
        if (running) {
          failure = e;
        }
        return;
      }
    }
  }

  /** Stops; returns "n heartbeats, p50 X ms, max Y ms" after asserting every 21 came within {@link #PROMPT}. */
  String stopAndCheck() throws InterruptedException {
    running = false;
    thread.join(15_000);
    if (failure != null) {
      throw new AssertionError("the healthy client lost its heartbeat answers", failure);
    }
    List<Long> s;
    synchronized (rttMs) {
      s = new ArrayList<>(rttMs);
    }
    Collections.sort(s);
    if (s.isEmpty()) {
      throw new AssertionError("the healthy client got no heartbeat answer at all");
    }
    long max = s.get(s.size() - 1);
    String summary = s.size() + " heartbeats, p50 " + s.get(s.size() / 2) + " ms, max " + max + " ms";
    if (max > PROMPT.toMillis()) {
      throw new AssertionError("a 21 took " + max + " ms (bound " + PROMPT.toMillis() + " ms): " + summary);
    }
    return summary;
  }

  @Override
  public void close() {
    running = false;
    client.close();
  }
}
