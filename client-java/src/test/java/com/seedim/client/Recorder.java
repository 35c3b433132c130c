package com.seedim.client;

import com.seedim.im.testkit.contract.WireContract;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/** An {@link ImListener} that records every event, plus waiting helpers for tests. */
final class Recorder implements ImListener {
  record Close(int code, String reason, boolean willReconnect, long delayMs) { }

  record In(Frame frame, boolean duplicate) { }

  final AtomicInteger opens = new AtomicInteger();
  final List<Close> closes = new CopyOnWriteArrayList<>();
  final List<ChatMessage> messages = new CopyOnWriteArrayList<>();
  final List<ChatMessage> heads = new CopyOnWriteArrayList<>();
  final List<Frame> delivered = new CopyOnWriteArrayList<>();
  final List<Frame> reads = new CopyOnWriteArrayList<>();
  final List<Frame> notices = new CopyOnWriteArrayList<>();
  final List<Frame> kicked = new CopyOnWriteArrayList<>();
  final List<HandshakeRefusedException> refusals = new CopyOnWriteArrayList<>();
  final List<In> in = new CopyOnWriteArrayList<>();
  final List<String> threads = new CopyOnWriteArrayList<>();
  final List<Frame> queue = new CopyOnWriteArrayList<>();
  final List<Frame> room = new CopyOnWriteArrayList<>();
  final List<Frame> call = new CopyOnWriteArrayList<>();
  final List<Frame> pushes = new CopyOnWriteArrayList<>();

  @Override
  public void onQueue(Frame f) {
    queue.add(f);
  }

  @Override
  public void onRoom(Frame f) {
    room.add(f);
  }

  @Override
  public void onCall(Frame f) {
    call.add(f);
  }

  @Override
  public void onPush(Frame f) {
    pushes.add(f);
  }

  static boolean any(List<Frame> frames, int type) {
    return frames.stream().anyMatch(f -> f.type() == type);
  }

  static Frame first(List<Frame> frames, int type) {
    return frames.stream().filter(f -> f.type() == type).findFirst().orElseThrow();
  }

  @Override
  public void onOpen() {
    threads.add(Thread.currentThread().getName());
    opens.incrementAndGet();
  }

  @Override
  public void onClose(int code, String reason, boolean willReconnect, long delayMs) {
    closes.add(new Close(code, reason, willReconnect, delayMs));
  }

  @Override
  public void onRefused(HandshakeRefusedException refusal) {
    refusals.add(refusal);
  }

  @Override
  public void onKicked(Frame notice) {
    kicked.add(notice == null ? Frame.of(0) : notice);
  }

  @Override
  public void onMessage(ChatMessage message) {
    threads.add(Thread.currentThread().getName());
    messages.add(message);
  }

  @Override
  public void onConversationHead(ChatMessage head) {
    heads.add(head);
  }

  @Override
  public void onDelivered(Frame f) {
    delivered.add(f);
  }

  @Override
  public void onRead(Frame f) {
    reads.add(f);
  }

  @Override
  public void onNotice(Frame f) {
    notices.add(f);
  }

  /** Frames of any recorder's client that do not match docs/asyncapi.yaml (checked after each test). */
  static final List<String> CONTRACT_VIOLATIONS = new CopyOnWriteArrayList<>();

  @Override
  public void onFrameIn(Frame frame, boolean duplicate) {
    in.add(new In(frame, duplicate));
    List<String> problems = WireContract.get().checkServerFrame(frame.toString());
    if (!problems.isEmpty()) {
      CONTRACT_VIOLATIONS.add(frame + " -> " + problems);
    }
  }

  /** Fails (and forgets) when a client of the test received a frame that does not match docs/asyncapi.yaml. */
  static void assertContract() {
    List<String> found = List.copyOf(CONTRACT_VIOLATIONS);
    CONTRACT_VIOLATIONS.clear();
    if (!found.isEmpty()) {
      throw new AssertionError("server frames that do not match docs/asyncapi.yaml: " + found);
    }
  }

  long messagesWithId(String messageId) {
    return messages.stream().filter(m -> messageId.equals(m.messageId())).count();
  }

  long framesIn(int type, String messageId) {
    return in.stream().filter(i -> i.frame().type() == type && messageId.equals(i.frame().string("messageId"))).count();
  }

  static void waitFor(String what, BooleanSupplier cond, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  static void waitFor(String what, BooleanSupplier cond) {
    waitFor(what, cond, Duration.ofSeconds(10));
  }
}
