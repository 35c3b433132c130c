package com.seedim.im.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fan-out of queue positions (PROTOCOL.md §6): W customers wait in one queue; agents take one at a time; after
 * each take every remaining waiter must get a 410 whose {@code waitTotal} reflects it. Measures the time from
 * sending the 401 until the last waiter has its 410.
 */
final class Fanout {
  private final Pool pool;
  private final Target target;
  private final List<Client> customers = new ArrayList<>();
  private final List<Client> agents = new ArrayList<>();
  private final String queueId;
  private final long[] reachedAt;
  private final AtomicInteger reached = new AtomicInteger();
  private volatile int expectedTotal = Integer.MAX_VALUE;
  private final AtomicInteger entered = new AtomicInteger();
  private volatile long took402At;

  /** Takes run first and not reported: the first take runs the take and 410-round code paths cold (JIT). */
  static final int WARMUP_TAKES = 1;

  Fanout(Pool pool, Target target, int waiters, int takes, String prefix) {
    this.pool = pool;
    this.target = target;
    this.queueId = prefix + "q";
    this.reachedAt = new long[waiters];
    for (int i = 0; i < waiters; i++) {
      int idx = i;
      Client c = new Client(pool, i, target, prefix + "c" + i, "d1", "user");
      c.listener = (cl, type, text) -> {
        if (type == 30 && "400".equals(Proto.str(text, "receiveMsgType"))) {
          entered.incrementAndGet();
        } else if (type == 410) {
          String total = Proto.str(text, "waitTotal");
          if (total != null && Integer.parseInt(total) <= expectedTotal && reachedAt[idx] == 0) {
            reachedAt[idx] = System.nanoTime();
            reached.incrementAndGet();
          }
        }
      };
      customers.add(c);
    }
    for (int i = 0; i < takes + WARMUP_TAKES; i++) {
      Client a = new Client(pool, i, target, prefix + "a" + i, "d1", "agent");
      a.listener = (cl, type, text) -> {
        if (type == 402 && text.contains("\"roomId\"")) {
          took402At = System.nanoTime();
        }
      };
      agents.add(a);
    }
  }

  JsonObject run() throws Exception {
    List<Future<Void>> all = new ArrayList<>();
    for (Client c : customers) {
      all.add(c.connect());
    }
    for (Client a : agents) {
      all.add(a.connect());
    }
    Future.all(all).await(60, TimeUnit.SECONDS);
    long t0 = System.currentTimeMillis();
    for (Client c : customers) {
      c.send("{\"msgType\":400,\"unique\":\"e1\",\"queueId\":\"" + queueId + "\"}");
    }
    long deadline = System.currentTimeMillis() + 30_000;
    while (entered.get() < customers.size() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    long enterMs = System.currentTimeMillis() - t0;
    Thread.sleep(1500); // let the coalesced 410 rounds of the enter phase settle
    JsonArray takes = new JsonArray();
    JsonArray warmup = new JsonArray();
    int n = customers.size();
    for (int k = 1; k <= agents.size(); k++) {
      Arrays.fill(reachedAt, 0);
      reached.set(0);
      took402At = 0;
      expectedTotal = n - k;
      long sentAt = System.nanoTime();
      agents.get(k - 1).send("{\"msgType\":401,\"unique\":\"t" + k + "\",\"queueId\":\"" + queueId + "\"}");
      long until = System.currentTimeMillis() + 10_000;
      while (reached.get() < n - k && System.currentTimeMillis() < until) {
        Thread.sleep(2);
      }
      long last = 0;
      long[] lat = new long[reachedAt.length];
      int m = 0;
      for (long r : reachedAt) {
        if (r != 0) {
          last = Math.max(last, r);
          lat[m++] = r - sentAt;
        }
      }
      Arrays.sort(lat, 0, m);
      JsonObject t = new JsonObject().put("take", k).put("waiters", n - k).put("updated", reached.get())
        .put("allMs", m == 0 ? Double.NaN : (last - sentAt) / 1e6)
        .put("p50Ms", m == 0 ? Double.NaN : lat[m / 2] / 1e6)
        .put("replyMs", took402At == 0 ? Double.NaN : (took402At - sentAt) / 1e6);
      if (k > WARMUP_TAKES) {
        takes.add(t.put("take", k - WARMUP_TAKES));
      } else {
        warmup.add(t);
      }
      Thread.sleep(1000);
    }
    for (Client c : customers) {
      c.drop();
    }
    for (Client a : agents) {
      a.drop();
    }
    return new JsonObject().put("waiters", n).put("entered", entered.get()).put("enterMs", enterMs).put("takes", takes)
      .put("warmupTakes", warmup);
  }
}
