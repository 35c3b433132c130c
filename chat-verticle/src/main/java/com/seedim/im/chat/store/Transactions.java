package com.seedim.im.chat.store;

import com.seedim.im.common.store.Deadlines;
import io.vertx.core.Future;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * The chat store's transactions: each within the store deadline, and retried a few times when it loses a deadlock,
 * a lock wait or a duplicate-key race (on the dedupe key, or two first messages to a new inbox).
 */
final class Transactions {
  private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);
  private static final int MAX_ATTEMPTS = 4;
  private static final int ER_DUP_ENTRY = 1062;
  private static final int ER_LOCK_WAIT_TIMEOUT = 1205;
  private static final int ER_LOCK_DEADLOCK = 1213;

  private final Pool pool;
  private final long deadlineMs;

  Transactions(Pool pool, long deadlineMs) {
    this.pool = pool;
    this.deadlineMs = deadlineMs;
  }

  <T> Future<T> run(String what, Function<SqlConnection, Future<T>> body) {
    return Deadlines.within(attempt(what, body, 1), deadlineMs, "chat transaction " + what);
  }

  private <T> Future<T> attempt(String what, Function<SqlConnection, Future<T>> body, int n) {
    return pool.withTransaction(body).recover(err -> {
      if (n < MAX_ATTEMPTS && retryable(err)) {
        LOG.debug("{}: attempt {} lost a race ({}), retrying", what, n, err.getMessage());
        return attempt(what, body, n + 1);
      }
      return Future.failedFuture(err);
    });
  }

  private static boolean retryable(Throwable err) {
    if (err instanceof DatabaseException de) {
      int code = de.getErrorCode();
      return code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT || code == ER_DUP_ENTRY;
    }
    return false;
  }
}
