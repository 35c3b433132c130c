package com.seedim.im.bench;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A generator process holding many connections (one process stays under the 20,000 open-file limit).
 * Commands on stdin, one JSON line per answer on stdout:
 * {@code ramp} (connect all with at most {@code inflight} handshakes in flight), {@code storm K} (the first K
 * clients drop at once and reconnect with the client backoff), {@code stats}, {@code quit}.
 */
final class Worker {
  private final Target target;
  private final Pool pool;
  private final List<Client> clients = new ArrayList<>();
  private final int inflight;
  private final Set<String> stormIds = ConcurrentHashMap.newKeySet();

  Worker(Target target, List<String> localAddresses, int count, String prefix, int inflight, long heartbeatMs) {
    this.target = target;
    this.inflight = inflight;
    this.pool = new Pool(2, localAddresses, heartbeatMs);
    for (int i = 0; i < count; i++) {
      Client c = new Client(pool, i, target, prefix + i, "d1", "user");
      c.listener = (cl, type, text) -> {
        if (type == 140 && text.contains("\"message\":\"storm:")) {
          String id = Proto.str(text, "messageId");
          if (id != null) {
            stormIds.add(id);
          }
        }
      };
      clients.add(c);
    }
  }

  void run() throws Exception {
    out(new JsonObject().put("event", "started").put("pid", ProcessHandle.current().pid()));
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] a = line.trim().split("\\s+");
      switch (a[0]) {
        case "ramp" -> ramp();
        case "storm" -> storm(Integer.parseInt(a[1]), Long.parseLong(a[2]), Long.parseLong(a[3]));
        case "stats" -> out(new JsonObject().put("event", "stats").put("open", open()).put("stormMsgs", stormIds.size()));
        case "quit" -> {
          for (Client c : clients) {
            c.drop();
          }
          Thread.sleep(500);
          out(new JsonObject().put("event", "bye"));
          pool.close();
          return;
        }
        default -> out(new JsonObject().put("event", "error").put("message", "unknown command " + a[0]));
      }
    }
    pool.close();
  }

  private int open() {
    int n = 0;
    for (Client c : clients) {
      if (c.isOpen()) {
        n++;
      }
    }
    return n;
  }

  private void ramp() throws InterruptedException {
    Semaphore slots = new Semaphore(inflight);
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger lastStatus = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(clients.size());
    long start = System.currentTimeMillis();
    long deadline = start + 120_000;
    for (Client c : clients) {
      if (!slots.tryAcquire(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) {
        break;
      }
      c.connect().onComplete(ar -> {
        if (ar.succeeded()) {
          ok.incrementAndGet();
        } else {
          failed.incrementAndGet();
          lastStatus.set(Client.status(ar.cause()));
        }
        slots.release();
        done.countDown();
      });
    }
    done.await(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
    long end = System.currentTimeMillis();
    out(new JsonObject().put("event", "ramped").put("connected", ok.get()).put("failed", failed.get())
      .put("lastStatus", lastStatus.get()).put("startMs", start).put("endMs", end));
  }

  /**
   * The first {@code k} clients drop at once and reconnect: first after a uniform jitter in [0, jitterMs), then on
   * each failure after min(8 s, 500 ms × 2^attempt) × [0.5, 1.5) — at most 12 attempts, within {@code maxMs}.
   */
  private void storm(int k, long jitterMs, long maxMs) throws InterruptedException {
    List<Client> victims = clients.subList(0, Math.min(k, clients.size()));
    AtomicInteger back = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger attempts = new AtomicInteger();
    AtomicLong lastBack = new AtomicLong();
    CountDownLatch done = new CountDownLatch(victims.size());
    long dropAt = System.currentTimeMillis();
    for (Client c : victims) {
      c.drop();
    }
    for (Client c : victims) {
      reconnect(c, 0, jitterMs, dropAt + maxMs, back, failed, attempts, lastBack, done);
    }
    done.await(maxMs + 1000, TimeUnit.MILLISECONDS);
    out(new JsonObject().put("event", "stormed").put("dropped", victims.size()).put("back", back.get())
      .put("failed", failed.get()).put("attempts", attempts.get()).put("dropMs", dropAt).put("lastBackMs", lastBack.get()));
  }

  private void reconnect(Client c, int attempt, long jitterMs, long deadline, AtomicInteger back, AtomicInteger failed,
                         AtomicInteger attempts, AtomicLong lastBack, CountDownLatch done) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long delay = attempt == 0 ? r.nextLong(Math.max(1, jitterMs))
      : (long) (Math.min(8000, 500L << Math.min(attempt - 1, 4)) * (0.5 + r.nextDouble()));
    if (System.currentTimeMillis() + delay > deadline || attempt >= 12) {
      failed.incrementAndGet();
      done.countDown();
      return;
    }
    pool.vertx.setTimer(Math.max(1, delay), t -> {
      attempts.incrementAndGet();
      c.connect().onComplete(ar -> {
        if (ar.succeeded()) {
          back.incrementAndGet();
          lastBack.accumulateAndGet(System.currentTimeMillis(), Math::max);
          done.countDown();
        } else {
          reconnect(c, attempt + 1, jitterMs, deadline, back, failed, attempts, lastBack, done);
        }
      });
    });
  }

  private static synchronized void out(JsonObject o) {
    System.out.println(o.encode());
    System.out.flush();
  }
}
