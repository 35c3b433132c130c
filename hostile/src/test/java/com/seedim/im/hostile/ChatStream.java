package com.seedim.im.hostile;

import com.seedim.im.testkit.TestClient;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chat load for fault tests: one sender streams 130s to one receiver who stays online (and acks), one at a time; every
 * messageId that got its 30 is kept, and so is every messageId the receiver got. At the end, {@link #missing}
 * must be empty: nothing acked is lost or left undelivered to an online receiver.
 */
final class ChatStream implements AutoCloseable {
  final Set<String> acked = ConcurrentHashMap.newKeySet();
  final AtomicInteger unavailable = new AtomicInteger();
  final AtomicInteger other = new AtomicInteger();
  /** The longest a send waited for its answer (30 or 10), ms. */
  final AtomicLong slowestAnswerMs = new AtomicLong();
  private final TestClient sender;
  private final TestClient receiver;
  private final String receiverId;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  ChatStream(TestClient sender, TestClient receiver, String receiverId, long periodMs) {
    this.sender = sender;
    this.receiver = receiver;
    this.receiverId = receiverId;
    this.thread = new Thread(() -> run(periodMs), "chat-stream");
    thread.setDaemon(true);
    thread.start();
  }

  private static boolean is(JsonObject f, int type) {
    return f.getInteger("msgType", 0) == type;
  }

  private void run(long periodMs) {
    int i = 0;
    while (running.get()) {
      String u = "cs" + (i++);
      long t0 = System.currentTimeMillis();
      sender.send(new JsonObject().put("msgType", 130).put("unique", u).put("receiveUserId", receiverId).put("message", "n" + i));
      JsonObject r;
      try {
        r = sender.await(f -> u.equals(f.getString("unique")) && (is(f, 30) || is(f, 10)), Duration.ofSeconds(20));
      } catch (AssertionError e) {
        other.incrementAndGet(); // no answer at all: a hang
        continue;
      }
      slowestAnswerMs.accumulateAndGet(System.currentTimeMillis() - t0, Math::max);
      if (is(r, 30)) {
        acked.add(String.valueOf(r.getValue("messageId")));
      } else if ("UNAVAILABLE".equals(r.getString("code"))) {
        unavailable.incrementAndGet();
      } else {
        other.incrementAndGet();
      }
      try {
        Thread.sleep(periodMs);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  void stop() throws InterruptedException {
    running.set(false);
    thread.join(30_000);
  }

  /** Waits up to {@code within} for every acked message to reach the receiver; returns the ones that did not. */
  Set<String> missing(Duration within) throws InterruptedException {
    long deadline = System.currentTimeMillis() + within.toMillis();
    Set<String> missing = new HashSet<>(acked);
    while (true) {
      for (JsonObject f : receiver.history()) {
        if (is(f, 140)) {
          missing.remove(String.valueOf(f.getValue("messageId")));
        }
      }
      if (missing.isEmpty() || System.currentTimeMillis() > deadline) {
        return missing;
      }
      Thread.sleep(500);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
