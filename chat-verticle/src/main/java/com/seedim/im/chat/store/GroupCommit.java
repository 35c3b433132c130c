package com.seedim.im.chat.store;

import com.seedim.im.common.store.Deadlines;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Group commit of one kind of store ask (sends, delivered acks, each connect-time lookup): while a batch runs, asks
 * queue up and the next batch takes them together (one transaction or statement, one commit and fsync for many).
 * An idle store still runs an ask at once; a second (third, ...) batch starts only when {@link #PARALLEL_WHEN_WAITING}
 * asks wait. The queue is bounded ({@link #MAX_QUEUED}: a stalled MariaDB cannot grow it until the node runs out of
 * memory, audit M5), each ask has a deadline, and each caller completes on its own context (a batch may run on
 * another's), so per-connection order 30 → reply → pushes holds.
 *
 * @param <A> one ask
 * @param <R> its answer
 */
final class GroupCommit<A, R> {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
  /** At most this many asks wait per kind; beyond it a call fails at once with a {@link QueueFull} (UNAVAILABLE). */
  static final int MAX_QUEUED = 4096;
  /**
   * Below this many waiting asks a batch waits for the running one and goes next, so a moderate rate costs few
   * commits (each one an fsync) instead of one per message.
   */
  static final int PARALLEL_WHEN_WAITING = 16;

  /** Chooses the next batch: how many of the oldest waiting asks go together (at least one). */
  interface Take<A> {
    int count(Iterable<A> oldestFirst, int waiting);

    /** At most {@code max}; a power of two of them, so the batched statements come in few shapes. */
    static <A> Take<A> powerOfTwo(int max) {
      return (oldestFirst, waiting) -> Integer.highestOneBit(Math.min(waiting, max));
    }

    static <A> Take<A> upTo(int max) {
      return (oldestFirst, waiting) -> Math.min(waiting, max);
    }
  }

  /** A queue is full: the store is far behind; the caller gets UNAVAILABLE. */
  static final class QueueFull extends TimeoutException {
    QueueFull(String what) {
      super("chat store " + what + " queue full (" + MAX_QUEUED + " waiting): MariaDB is not keeping up");
    }
  }

  private record Ask<A, R>(A arg, Promise<R> done, Context context) {
  }

  private final String name;
  private final int maxInFlight;
  private final Take<A> take;
  private final Function<List<A>, Future<List<R>>> run;
  private final Function<A, Future<R>> runOne;
  private final long deadlineMs;
  private final ArrayDeque<Ask<A, R>> queue = new ArrayDeque<>();
  private int inFlight;

  /**
   * @param run        runs a batch; answers in batch order
   * @param runOne     when a batch of several fails (not by timeout), runs each ask alone so one bad ask does not fail
   *                   the others; null: the batch's failure is every ask's
   * @param deadlineMs each ask's deadline from enqueue to answer (0 = none)
   */
  GroupCommit(String name, int maxInFlight, Take<A> take, Function<List<A>, Future<List<R>>> run,
              Function<A, Future<R>> runOne, long deadlineMs) {
    this.name = name;
    this.maxInFlight = maxInFlight;
    this.take = take;
    this.run = run;
    this.runOne = runOne;
    this.deadlineMs = deadlineMs;
  }

  Future<R> ask(A arg) {
    Promise<R> done = Promise.promise();
    synchronized (queue) {
      if (queue.size() >= MAX_QUEUED) {
        return Future.failedFuture(new QueueFull(name));
      }
      queue.add(new Ask<>(arg, done, Vertx.currentContext()));
    }
    arm(done);
    flush();
    return done.future();
  }

  /** Whether another batch may start now. */
  static boolean mayStart(int inFlight, int maxInFlight, int waiting) {
    return waiting > 0 && (inFlight == 0 || (inFlight < maxInFlight && waiting >= PARALLEL_WHEN_WAITING));
  }

  private void flush() {
    List<Ask<A, R>> batch;
    synchronized (queue) {
      if (!mayStart(inFlight, maxInFlight, queue.size())) {
        return;
      }
      queue.removeIf(a -> a.done().future().isComplete()); // callers whose deadline passed while they waited
      if (!mayStart(inFlight, maxInFlight, queue.size())) {
        return;
      }
      int n = take.count(() -> queue.stream().map(Ask::arg).iterator(), queue.size());
      batch = new ArrayList<>(n);
      while (batch.size() < n) {
        batch.add(queue.poll());
      }
      inFlight++;
    }
    List<A> args = new ArrayList<>(batch.size());
    batch.forEach(a -> args.add(a.arg()));
    Future<List<R>> f;
    try {
      f = Deadlines.within(run.apply(args), deadlineMs, "chat " + name);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      synchronized (queue) {
        inFlight--;
      }
      if (ar.succeeded()) {
        for (int i = 0; i < batch.size(); i++) {
          complete(batch.get(i), ar.result().get(i), null);
        }
      } else if (runOne == null || batch.size() == 1 || ar.cause() instanceof TimeoutException) {
        // a timed-out batch is not retried ask by ask: MariaDB is stalled, and its callers are past their deadline
        LOG.debug("a {} batch of {} failed: {}", name, batch.size(), ar.cause().toString());
        batch.forEach(a -> complete(a, null, ar.cause()));
      } else {
        LOG.warn("a {} batch of {} failed ({}); running them one by one", name, batch.size(), ar.cause().toString());
        batch.forEach(a -> runOne.apply(a.arg()).onComplete(r -> complete(a, r.result(), r.cause())));
      }
      flush();
    });
  }

  /** Fails a queued caller once its deadline passes (it is then skipped when its batch forms). */
  private void arm(Promise<R> done) {
    Context ctx = Vertx.currentContext();
    if (deadlineMs <= 0 || ctx == null) {
      return;
    }
    Vertx v = ctx.owner();
    long timer = v.setTimer(deadlineMs, t -> done.tryFail(new TimeoutException(
      "chat store " + name + " did not complete within " + deadlineMs + " ms")));
    done.future().onComplete(ar -> v.cancelTimer(timer));
  }

  /** Completes on the caller's own context; try: the caller may have been failed by its deadline already. */
  private static <R> void complete(Ask<?, R> a, R result, Throwable failure) {
    Runnable r = () -> {
      if (failure == null) {
        a.done().tryComplete(result);
      } else {
        a.done().tryFail(failure);
      }
    };
    if (a.context() == null || a.context() == Vertx.currentContext()) {
      r.run();
    } else {
      a.context().runOnContext(v -> r.run());
    }
  }
}
