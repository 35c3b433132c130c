package com.seedim.im.queue;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.id.IdGenerator;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.store.SessionDirectory;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.QueueStore.RoomSpec;
import com.seedim.im.cs.store.QueueStore.Take;
import com.seedim.im.cs.store.QueueStore.TakeOutcome;
import com.seedim.im.cs.store.QueueStore.Waiter;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The choice of the customer a 401 takes (PROTOCOL.md §6): the one named, or the longest-waiting one with a live
 * device in the queues the agent serves. The store pops the waiter and opens its room in one atomic step
 * ({@link QueueStore#take}); waiters found without a device start their grace and are skipped.
 */
final class QueueTake {
  private static final int CANDIDATES = 16;
  private static final int TAKE_ATTEMPTS = 25;
  /** New room ids tried when a named take's id collides with an existing room (M8). */
  private static final int ROOM_ID_ATTEMPTS = 3;

  private final QueueStore queues;
  private final SessionDirectory directory;
  private final IdGenerator ids;
  private final QueueGrace grace;

  QueueTake(QueueStore queues, SessionDirectory directory, IdGenerator ids, QueueGrace grace) {
    this.queues = queues;
    this.directory = directory;
    this.ids = ids;
    this.grace = grace;
  }

  /** Takes {@code named} if it waits in one of {@code served}. */
  Future<Take> named(RequestContext ctx, AppConfig app, List<String> served, String named) {
    return queues.position(ctx.appId(), named).compose(pos -> {
      if (pos == null || !served.contains(pos.queueId())) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, "'" + named + "' is not waiting in a queue you serve");
      }
      return directory.routes(ctx.appId(), named).compose(routes -> {
        if (routes.isEmpty()) {
          return grace.absent(ctx.appId(), named, app).compose(v -> Future.failedFuture(
            new ProtocolException(ErrorCode.INVALID_STATE, "'" + named + "' has no live device")));
        }
        return fresh(ctx, app, List.of(new Waiter(pos.queueId(), named, pos.enteredAt())), 0).map(t -> {
          if (t.outcome() == TakeOutcome.NONE) {
            throw new ProtocolException(ErrorCode.INVALID_STATE, "'" + named + "' cannot be taken now");
          }
          return t;
        });
      });
    });
  }

  /** Takes the longest-waiting present customer of {@code served}, retrying past contention. */
  Future<Take> next(RequestContext ctx, AppConfig app, List<String> served, int attempt) {
    if (served.isEmpty()) {
      return Future.failedFuture(new ProtocolException(ErrorCode.QUEUE_EMPTY, "no customer waiting"));
    }
    if (attempt >= TAKE_ATTEMPTS) {
      return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "too much contention; retry"));
    }
    return queues.candidates(ctx.appId(), served, CANDIDATES).compose(cands -> {
      if (cands.isEmpty()) {
        return Future.failedFuture(new ProtocolException(ErrorCode.QUEUE_EMPTY, "no customer waiting"));
      }
      Set<String> users = new HashSet<>();
      cands.forEach(w -> users.add(w.userId()));
      return directory.routes(ctx.appId(), users).compose(live -> {
        List<Waiter> present = new ArrayList<>();
        List<Future<?>> marks = new ArrayList<>();
        for (Waiter w : cands) {
          if (live.containsKey(w.userId())) {
            present.add(w);
          } else {
            marks.add(grace.absent(ctx.appId(), w.userId(), app));
          }
        }
        Future<?> marked = Future.join(marks);
        if (present.isEmpty()) {
          return marked.compose(v -> next(ctx, app, served, attempt + 1));
        }
        return marked.compose(v -> take(ctx, app, present)).compose(t -> switch (t.outcome()) {
          case TAKEN -> Future.succeededFuture(t);
          case AGENT_BUSY -> Future.failedFuture(new ProtocolException(ErrorCode.AGENT_BUSY, "agent is at capacity"));
          case NONE, CONFLICT -> next(ctx, app, served, attempt + 1);
        });
      });
    });
  }

  /** A take of a named waiter, retried with a new room id while the id collides with an existing room (M8). */
  private Future<Take> fresh(RequestContext ctx, AppConfig app, List<Waiter> candidates, int attempt) {
    return take(ctx, app, candidates).compose(t -> t.outcome() == TakeOutcome.CONFLICT && attempt < ROOM_ID_ATTEMPTS
      ? fresh(ctx, app, candidates, attempt + 1)
      : t.outcome() == TakeOutcome.CONFLICT
        ? Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "room id conflict; retry"))
        : Future.succeededFuture(t));
  }

  private Future<Take> take(RequestContext ctx, AppConfig app, List<Waiter> candidates) {
    long now = System.currentTimeMillis();
    String roomId = Long.toString(ids.next());
    // all candidates of one call may come from several queues: try queue by queue, each with its own room
    return takeFrom(ctx, app, candidates, 0, roomId, now);
  }

  private Future<Take> takeFrom(RequestContext ctx, AppConfig app, List<Waiter> cands, int from, String roomId, long now) {
    if (from >= cands.size()) {
      return Future.succeededFuture(new Take(TakeOutcome.NONE, null));
    }
    String q = cands.get(from).queueId();
    int to = from;
    while (to < cands.size() && cands.get(to).queueId().equals(q)) {
      to++;
    }
    int end = to;
    RoomSpec spec = RoomSpec.of(ctx.appId(), roomId, ctx.userId(), q, now, now + app.roomIdleSeconds() * 1000L);
    return queues.take(ctx.appId(), ctx.userId(), app.maxRoomsPerAgent(), cands.subList(from, end), spec)
      .compose(t -> t.outcome() == TakeOutcome.NONE ? takeFrom(ctx, app, cands, end, roomId, now) : Future.succeededFuture(t));
  }
}
