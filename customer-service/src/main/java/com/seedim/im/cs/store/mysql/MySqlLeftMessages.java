package com.seedim.im.cs.store.mysql;

import com.seedim.im.common.store.Deadlines;
import com.seedim.im.cs.store.LeftMessages;
import io.vertx.core.Future;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@link LeftMessages} in MySQL (MariaDB), table {@code cs_left_message} (one row per message: customer, queue, text,
 * when left, who took it when). Every operation is one statement, so the guarantees hold across nodes on one database:
 * the limit check is part of the INSERT, and a take is one {@code UPDATE ... ORDER BY id LIMIT 1} that marks the row
 * with the take's claim token (MariaDB has no {@code UPDATE ... RETURNING}) and is then read back by that token; the
 * token is unique, so a take repeated with the same token finds its message instead of taking another. Two takes at
 * once lock the same oldest row; the second re-reads it as taken and moves on to the next one.
 */
public final class MySqlLeftMessages implements LeftMessages {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlLeftMessages.class);
  /** Attempts of a statement that lost a deadlock or a lock wait to a concurrent one. */
  private static final int MAX_ATTEMPTS = 4;
  private static final int ER_LOCK_WAIT_TIMEOUT = 1205;
  private static final int ER_LOCK_DEADLOCK = 1213;
  private static final int ER_DUP_ENTRY = 1062;

  /** The table, created by the queue service at start (public for tools and tests that need it). */
  public static final String DDL = """
    CREATE TABLE IF NOT EXISTS cs_left_message (
      id BIGINT NOT NULL PRIMARY KEY,
      app_id VARCHAR(64) NOT NULL,
      queue_id VARCHAR(64) NOT NULL,
      user_id VARCHAR(64) NOT NULL,
      message TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      taken_by VARCHAR(64) NULL,
      taken_at BIGINT NULL,
      claim VARCHAR(64) NULL,
      KEY idx_open (app_id, taken_by, queue_id),
      KEY idx_user (app_id, user_id, taken_by),
      KEY idx_taken (app_id, taken_at),
      UNIQUE KEY uq_claim (claim)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""";

  private static final String COLUMNS = "id, app_id, queue_id, user_id, message, created_at, taken_by, taken_at";
  private static final String INSERT_UNDER_LIMIT = "INSERT INTO cs_left_message (id, app_id, queue_id, user_id, message, "
    + "created_at) SELECT ?, ?, ?, ?, ?, ? FROM DUAL WHERE (SELECT COUNT(*) FROM cs_left_message WHERE app_id = ? "
    + "AND user_id = ? AND taken_by IS NULL) < ?";

  private final Pool pool;
  private Future<Void> migrated;

  public MySqlLeftMessages(Pool pool) {
    this.pool = pool;
  }

  @Override
  public synchronized Future<Void> migrate() {
    if (migrated == null || migrated.failed()) {
      migrated = pool.query(DDL).execute().mapEmpty();
    }
    return migrated;
  }

  /** One statement within the store deadline, retried when it lost a deadlock or lock wait to a concurrent one. */
  private Future<RowSet<Row>> run(String what, String sql, Tuple args) {
    return Deadlines.within(attempt(what, () -> pool.preparedQuery(sql).execute(args), 1), Deadlines.MYSQL_QUERY_TIMEOUT_MS,
      "left messages: " + what);
  }

  private static <T> Future<T> attempt(String what, Supplier<Future<T>> statement, int n) {
    return statement.get().recover(err -> {
      if (n < MAX_ATTEMPTS && err instanceof DatabaseException de
        && (de.getErrorCode() == ER_LOCK_DEADLOCK || de.getErrorCode() == ER_LOCK_WAIT_TIMEOUT)) {
        LOG.debug("left messages: {} lost a lock race (attempt {}): {}", what, n, err.getMessage());
        return attempt(what, statement, n + 1);
      }
      return Future.failedFuture(err);
    });
  }

  @Override
  public Future<Boolean> add(LeftMessage m, int maxNotTaken) {
    return run("add", INSERT_UNDER_LIMIT, Tuple.of(Long.parseLong(m.messageId()), m.appId(), m.queueId(), m.userId(),
      m.message(), m.createdAt()).addString(m.appId()).addString(m.userId()).addInteger(maxNotTaken))
      .map(rs -> rs.rowCount() == 1);
  }

  @Override
  public Future<Integer> notTakenOfUser(String appId, String userId) {
    return run("count of user", "SELECT COUNT(*) FROM cs_left_message WHERE app_id = ? AND user_id = ? AND taken_by IS NULL",
      Tuple.of(appId, userId)).map(MySqlLeftMessages::count);
  }

  @Override
  public Future<Integer> waiting(String appId, String queueId) {
    return run("count of queue", "SELECT COUNT(*) FROM cs_left_message WHERE app_id = ? AND taken_by IS NULL AND queue_id = ?",
      Tuple.of(appId, queueId)).map(MySqlLeftMessages::count);
  }

  private static int count(RowSet<Row> rs) {
    return rs.iterator().next().getLong(0).intValue();
  }

  @Override
  public Future<List<String>> queuesWithMessages(String appId) {
    return run("queues", "SELECT DISTINCT queue_id FROM cs_left_message WHERE app_id = ? AND taken_by IS NULL",
      Tuple.of(appId)).map(rs -> {
        List<String> out = new ArrayList<>();
        rs.forEach(r -> out.add(r.getString(0)));
        return out;
      });
  }

  @Override
  public Future<LeftMessage> claimOldest(String appId, List<String> queueIds, String agentId, String claim, long now) {
    return byClaim(appId, claim).compose(before -> before != null || queueIds.isEmpty() ? Future.succeededFuture(before)
      : claimNew(appId, queueIds, agentId, claim, now));
  }

  private Future<LeftMessage> byClaim(String appId, String claim) {
    return run("read claim", "SELECT " + COLUMNS + " FROM cs_left_message WHERE claim = ? AND app_id = ?", Tuple.of(claim, appId))
      .map(MySqlLeftMessages::first);
  }

  private Future<LeftMessage> claimNew(String appId, List<String> queueIds, String agentId, String claim, long now) {
    Tuple args = Tuple.of(agentId, now, claim, appId);
    queueIds.forEach(args::addString);
    String in = String.join(", ", Collections.nCopies(queueIds.size(), "?"));
    return run("claim", "UPDATE cs_left_message SET taken_by = ?, taken_at = ?, claim = ? WHERE app_id = ? "
      + "AND taken_by IS NULL AND queue_id IN (" + in + ") ORDER BY id LIMIT 1", args).compose(rs -> rs.rowCount() == 0
      ? Future.succeededFuture(null) : byClaim(appId, claim))
      // the same token claimed concurrently (uq_claim): that take's message is this one's
      .recover(err -> err instanceof DatabaseException de && de.getErrorCode() == ER_DUP_ENTRY
        ? byClaim(appId, claim) : Future.failedFuture(err));
  }

  @Override
  public Future<LeftMessage> get(String appId, String messageId) {
    return run("get", "SELECT " + COLUMNS + " FROM cs_left_message WHERE id = ? AND app_id = ?",
      Tuple.of(Long.parseLong(messageId), appId)).map(MySqlLeftMessages::first);
  }

  private static LeftMessage first(RowSet<Row> rs) {
    if (rs.size() == 0) {
      return null;
    }
    Row r = rs.iterator().next();
    return new LeftMessage(Long.toString(r.getLong(0)), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
      r.getLong(5), r.getString(6), r.getLong(7));
  }
}
