package com.seedim.im.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Chat load against one target: P sender/receiver pairs. Senders send 130 (the message text carries the send
 * time), receivers record 130-sent → 140-received latency in an HdrHistogram and ack with 141. Two modes:
 * window (as fast as the 30s allow, at most W unacknowledged per sender) and fixed rate (latency measured from
 * the intended send time, so a stalled server is not hidden by coordinated omission).
 */
final class ChatLoad {
  /** Outstanding 130s per sender beyond which fixed-rate sends are skipped (counted as not offered). */
  static final int FIXED_RATE_CAP = 500;

  final Target target;
  final Pool pool;
  final List<Client> senders = new ArrayList<>();
  final List<Client> receivers = new ArrayList<>();
  private final String pad;
  private volatile Recorder recorder = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
  private final LongAdder received = new LongAdder();
  private final LongAdder acked = new LongAdder();
  private final LongAdder errors = new LongAdder();
  /** Every chat push received, measuring or not (a check on the measured count). */
  private final LongAdder all = new LongAdder();
  static final boolean DEBUG = Boolean.getBoolean("bench.debug");
  private volatile boolean measuring;
  private volatile boolean running;
  private volatile int window;
  /** When set, the messageId of every acknowledged 130 (its 30) is added here (the webhooks scenario's "nothing lost"). */
  volatile java.util.Set<Long> ackedIds;
  /** When set, run on the caller's thread as a window phase's measured part starts and ends (the webhooks scenario). */
  volatile Runnable atMeasureStart;
  volatile Runnable atMeasureEnd;

  ChatLoad(Target target, Pool pool, int pairs, String prefix, int messageBytes) {
    this.target = target;
    this.pool = pool;
    this.pad = "x".repeat(Math.max(0, messageBytes - 20));
    for (int i = 0; i < pairs; i++) {
      Client s = new Client(pool, i, target, prefix + "s" + i, "d1", "user");
      Client r = new Client(pool, i, target, prefix + "r" + i, "d1", "user");
      s.peer = r.userId;
      s.listener = this::onSenderFrame;
      r.listener = this::onReceiverFrame;
      senders.add(s);
      receivers.add(r);
    }
  }

  void connect() throws Exception {
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < senders.size(); i++) {
      all.add(receivers.get(i).connect());
      all.add(senders.get(i).connect());
    }
    Future.all(all).await(60, TimeUnit.SECONDS);
  }

  void close() {
    for (Client c : senders) {
      c.drop();
    }
    for (Client c : receivers) {
      c.drop();
    }
  }

  /** Chat pushes received so far, measuring or not (the units of a phase's store work). */
  long delivered() {
    return all.sum();
  }

  private void onSenderFrame(Client c, int type, String text) {
    if (type == 30) {
      c.outstanding--;
      acked.increment();
      java.util.Set<Long> ids = ackedIds;
      if (ids != null) {
        String id = Proto.str(text, "messageId");
        if (id != null) {
          ids.add(Long.parseLong(id));
        }
      }
      if (running && window > 0) {
        sendOne(c, System.nanoTime());
      }
    } else if (type == 10) {
      c.outstanding--;
      errors.increment();
    }
  }

  private void onReceiverFrame(Client c, int type, String text) {
    if (type == 140 || (type == 130 && target.relay())) {
      all.increment();
      if (DEBUG && all.sum() % 2000 == 1) {
        System.err.println("140 sample: " + text);
      }
      long stamp = Proto.stamp(text);
      if (stamp > 0 && measuring) {
        long us = (System.nanoTime() - stamp) / 1000;
        recorder.recordValue(Math.max(0, Math.min(us, TimeUnit.SECONDS.toMicros(60))));
        received.increment();
      }
    }
  }

  private void sendOne(Client c, long stamp) {
    c.outstanding++;
    c.send(Proto.chat(++c.uniqueSeq, c.peer, stamp, pad));
  }

  /** Result of one load phase. */
  record Phase(String target, String mode, double offeredPerSec, double sentPerSec, double msgsPerSec, long received,
               long errors, Histogram hist, boolean rateHeld, double seconds) {
    JsonObject json() {
      return new JsonObject().put("target", target).put("mode", mode).put("offeredPerSec", offeredPerSec)
        .put("sentPerSec", sentPerSec).put("msgsPerSec", msgsPerSec).put("received", received).put("errors", errors)
        .put("p50ms", ms(hist, 50)).put("p95ms", ms(hist, 95)).put("p99ms", ms(hist, 99)).put("p999ms", ms(hist, 99.9))
        .put("maxMs", hist.getMaxValue() / 1000.0).put("rateHeld", rateHeld).put("seconds", seconds);
    }

    static double ms(Histogram h, double p) {
      return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(p) / 1000.0;
    }
  }

  /** As fast as acks allow: each sender keeps {@code w} 130s unacknowledged. */
  Phase window(int w, long warmupMs, long measureMs) throws InterruptedException {
    window = w;
    running = true;
    measuring = false;
    for (Client c : senders) {
      c.context().runOnContext(v -> {
        for (int i = 0; i < w; i++) {
          sendOne(c, System.nanoTime());
        }
      });
    }
    Thread.sleep(warmupMs);
    reset();
    Runnable start = atMeasureStart;
    if (start != null) {
      start.run();
    }
    long ackedBefore = acked.sum();
    measuring = true;
    long t0 = System.nanoTime();
    Thread.sleep(measureMs);
    measuring = false;
    double secs = (System.nanoTime() - t0) / 1e9;
    long sent = acked.sum() - ackedBefore;
    Runnable end = atMeasureEnd;
    if (end != null) {
      end.run();
    }
    running = false;
    window = 0;
    Histogram h = recorder.getIntervalHistogram();
    long n = received.sum();
    drain();
    return new Phase(target.name(), "window " + w + " x " + senders.size(), Double.NaN, sent / secs, n / secs, n,
      errors.sum(), h, true, secs);
  }

  /** A fixed offered rate spread over all senders, paced per event loop every millisecond. */
  Phase fixedRate(double rate, long warmupMs, long measureMs) throws InterruptedException {
    window = 0;
    running = true;
    measuring = false;
    int loops = pool.eventLoops();
    List<List<Client>> byLoop = new ArrayList<>();
    for (int i = 0; i < loops; i++) {
      byLoop.add(new ArrayList<>());
    }
    for (Client c : senders) {
      byLoop.get(Math.floorMod(c.ctxIndex, loops)).add(c);
    }
    long start = System.nanoTime();
    long total = warmupMs + measureMs;
    LongAdder sent = new LongAdder();
    LongAdder skipped = new LongAdder();
    long[] timers = new long[loops];
    for (int i = 0; i < loops; i++) {
      List<Client> mine = byLoop.get(i);
      double myRate = rate * mine.size() / senders.size();
      int li = i;
      long[] count = {0};
      int[] rr = {0};
      pool.context(i).runOnContext(v -> timers[li] = pool.vertx.setPeriodic(1, t -> {
        long now = System.nanoTime();
        long elapsed = now - start;
        if (elapsed > TimeUnit.MILLISECONDS.toNanos(total) || !running) {
          return;
        }
        long due = (long) (elapsed / 1e9 * myRate);
        while (count[0] < due) {
          long intended = start + (long) (count[0] * 1e9 / myRate);
          Client c = mine.get(rr[0]++ % mine.size());
          count[0]++;
          if (c.outstanding >= FIXED_RATE_CAP || !c.isOpen()) {
            skipped.increment();
            continue;
          }
          sendOne(c, intended);
          sent.increment();
        }
      }));
    }
    Thread.sleep(warmupMs);
    reset();
    long sentBefore = sent.sum();
    long skippedBefore = skipped.sum();
    measuring = true;
    long t0 = System.nanoTime();
    Thread.sleep(measureMs);
    measuring = false;
    double secs = (System.nanoTime() - t0) / 1e9;
    long sentIn = sent.sum() - sentBefore;
    long skippedIn = skipped.sum() - skippedBefore;
    running = false;
    for (int i = 0; i < loops; i++) {
      int li = i;
      pool.context(i).runOnContext(v -> pool.vertx.cancelTimer(timers[li]));
    }
    Histogram h = recorder.getIntervalHistogram();
    long n = received.sum();
    drain();
    double got = n / secs;
    boolean held = skippedIn == 0 && got >= 0.95 * rate && sentIn / secs >= 0.95 * rate;
    return new Phase(target.name(), "fixed", rate, sentIn / secs, got, n, errors.sum(), h, held, secs);
  }

  private void reset() {
    recorder.reset();
    received.reset();
    errors.reset();
  }

  /** Waits (bounded) until every sender's 130s are acknowledged, so phases do not overlap. */
  private void drain() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      int out = 0;
      for (Client c : senders) {
        out += Math.max(0, c.outstanding);
      }
      if (out == 0) {
        break;
      }
      Thread.sleep(50);
    }
    Thread.sleep(300);
  }
}
