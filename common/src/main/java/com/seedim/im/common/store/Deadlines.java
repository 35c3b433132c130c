package com.seedim.im.common.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeoutException;

/**
 * Deadlines for store calls (audit M5): a store that stalls (not refuses) must fail its callers in time, with a
 * {@link TimeoutException} that the service layer maps to {@code UNAVAILABLE} ({@code Handlers.isStoreTimeout}).
 * The defaults stay below the 5000 ms bus timeout so a frame gets {@code 10 UNAVAILABLE}, not a bus timeout.
 */
public final class Deadlines {
  /** Default deadline of one Redis command ({@code redis.commandTimeoutMs}). */
  public static final long REDIS_COMMAND_TIMEOUT_MS = 3_000;
  /** Default deadline of one MySQL store operation, transaction included ({@code mysql.queryTimeoutMs}). */
  public static final long MYSQL_QUERY_TIMEOUT_MS = 3_500;
  /** Default TCP connect timeout of the Redis and MySQL sockets. */
  public static final int CONNECT_TIMEOUT_MS = 2_000;

  private Deadlines() {
  }

  /**
   * {@code f}, or a {@link TimeoutException} after {@code ms} if it has not completed by then. The timer runs on the
   * caller's context (or on {@code vertx}'s when the caller is not on one); {@code ms <= 0} means no deadline.
   */
  public static <T> Future<T> within(Vertx vertx, Future<T> f, long ms, String what) {
    return within(vertx, f, ms, what, null);
  }

  /** As {@link #within(Vertx, Future, long, String)}, running {@code onTimeout} (if any) when the deadline fails it. */
  public static <T> Future<T> within(Vertx vertx, Future<T> f, long ms, String what, Runnable onTimeout) {
    if (ms <= 0 || f.isComplete()) {
      return f;
    }
    Promise<T> p = Promise.promise();
    long timer = vertx.setTimer(ms, t -> {
      if (p.tryFail(new TimeoutException(what + " did not answer within " + ms + " ms")) && onTimeout != null) {
        onTimeout.run();
      }
    });
    f.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        p.tryComplete(ar.result());
      } else {
        p.tryFail(ar.cause());
      }
    });
    return p.future();
  }

  /** As {@link #within(Vertx, Future, long, String)} with the caller's Vert.x; no deadline off a Vert.x context. */
  public static <T> Future<T> within(Future<T> f, long ms, String what) {
    Context ctx = Vertx.currentContext();
    return ctx == null ? f : within(ctx.owner(), f, ms, what);
  }
}
