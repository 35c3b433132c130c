package com.seedim.im.cs.store.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

import java.util.List;
import java.util.function.Function;

/**
 * Runs a script whose keys depend on state only the script can read (a waiter's current queue, a room's members):
 * Redis Cluster needs every key a script touches declared up front, so a script is first run with the keys the
 * caller expects; when it reads something else it changes nothing and replies {@code {"RETRY", what it read...}},
 * and it is run again with the keys of what it read. The state read changes rarely (a customer moving between two
 * attempts), so {@value #MAX_ATTEMPTS} attempts end every realistic race; past them the operation fails with a
 * clear error and has changed nothing.
 */
final class Reread {
  /** Attempts of one operation before it gives up. */
  static final int MAX_ATTEMPTS = 4;
  private static final String RETRY = "RETRY";

  private Reread() {
  }

  /**
   * @param what    names the operation for the error (e.g. {@code "leave of app1/u1"})
   * @param attempt runs the script with the keys of what it was told (empty on the first attempt)
   * @param result  reads a final reply (never a RETRY)
   */
  static <T> Future<T> run(String what, Function<List<String>, Future<Response>> attempt, Function<Response, T> result) {
    return run(what, attempt, result, List.of(), 1);
  }

  /** As {@link #run(String, Function, Function)}, the first attempt told {@code expected} (a hint of the caller's). */
  static <T> Future<T> run(String what, List<String> expected, Function<List<String>, Future<Response>> attempt,
                           Function<Response, T> result) {
    return run(what, attempt, result, expected, 1);
  }

  private static <T> Future<T> run(String what, Function<List<String>, Future<Response>> attempt,
                                   Function<Response, T> result, List<String> seen, int n) {
    return attempt.apply(seen).compose(r -> {
      if (!isRetry(r)) {
        return Future.succeededFuture(result.apply(r));
      }
      if (n >= MAX_ATTEMPTS) {
        return Future.failedFuture(new IllegalStateException(what + ": the state it depends on kept changing over "
          + n + " attempts; nothing was changed"));
      }
      List<String> read = RedisRoomStore.strings(r);
      return run(what, attempt, result, read.subList(1, read.size()), n + 1);
    });
  }

  private static boolean isRetry(Response r) {
    return r != null && r.type() == ResponseType.MULTI && r.size() > 0 && RETRY.equals(r.get(0).toString());
  }
}
