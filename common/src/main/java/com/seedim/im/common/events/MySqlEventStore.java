package com.seedim.im.common.events;

import com.seedim.im.common.store.Deadlines;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The outbox in MariaDB: {@code event_log} (one row per recorded event, the replay source), {@code event_pending}
 * (one row per event and endpoint still to deliver) and {@code event_workers} (leases, the undelivered scan's
 * position, endpoints' failure state). The tables come with the chat schema's migrations (V3). {@link #insert} writes
 * events inside a caller's transaction: the chat store records {@code message.*} events with the messages.
 */
public final class MySqlEventStore implements EventStore {
  private static final String LOG_ROW = "(?, ?, ?, ?, ?)";
  private static final String PENDING_ROW = "(?, ?, ?)";
  /** MariaDB's clock in epoch ms: every lease is taken and checked against one clock, whatever the nodes' skew. */
  static final String DB_NOW = "ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000)";
  static final String LEASE = "INSERT INTO event_workers (name, owner, lease_until) VALUES (?, ?, " + DB_NOW + " + ?) "
    + "ON DUPLICATE KEY UPDATE "
    // both assignments test the same predicate (free, expired or already ours), so the outcome does not depend on
    // whether the second one sees the first one's new owner
    + "owner = IF(lease_until < " + DB_NOW + " OR owner = VALUES(owner), VALUES(owner), owner), "
    + "lease_until = IF(lease_until < " + DB_NOW + " OR owner = VALUES(owner), VALUES(lease_until), lease_until)";
  static final String WORKER = "SELECT owner, position, failures, next_try_at, paused_until FROM event_workers WHERE name = ?";
  static final String RELEASE = "UPDATE event_workers SET lease_until = 0 WHERE name = ? AND owner = ?";
  static final String FAILED = "UPDATE event_workers SET failures = ?, next_try_at = ?, paused_until = ?, last_error = ? "
    + "WHERE name = ? AND owner = ?";
  static final String ADVANCE = "UPDATE event_workers SET position = ? WHERE name = ? AND owner = ? AND lease_until > " + DB_NOW;
  static final String PENDING = "SELECT l.event_id, l.type, l.created_at, l.data FROM event_pending p JOIN event_log l "
    + "ON l.app_id = p.app_id AND l.event_id = p.event_id WHERE p.app_id = ? AND p.endpoint = ? ORDER BY p.event_id LIMIT ?";
  static final String WORKERS = "SELECT name, owner, lease_until, position, failures, next_try_at, paused_until, last_error "
    + "FROM event_workers ORDER BY name";
  static final String PENDING_ENDPOINTS = "SELECT DISTINCT endpoint FROM event_pending WHERE app_id = ?";
  static final int MAX_ERROR_CHARS = 300;
  /** Rows one purge statement deletes at most (short lock times; a round repeats it). */
  static final int PURGE_STATEMENT_ROWS = 1000;

  private final Pool pool;
  private final long deadlineMs;

  public MySqlEventStore(Pool pool) {
    this(pool, Deadlines.MYSQL_QUERY_TIMEOUT_MS);
  }

  /** @param deadlineMs deadline of each operation (a stalled MariaDB fails it instead of holding a worker forever) */
  public MySqlEventStore(Pool pool, long deadlineMs) {
    this.pool = pool;
    this.deadlineMs = deadlineMs;
  }

  private <T> Future<T> bounded(Future<T> f, String what) {
    return Deadlines.within(f, deadlineMs, "outbox " + what);
  }

  /** Writes events and their pending rows with the caller's connection (inside its transaction). */
  public static Future<Void> insert(SqlConnection conn, List<Event> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple logs = Tuple.tuple();
    Tuple pending = Tuple.tuple();
    int pendingRows = 0;
    for (Event e : events) {
      logs.addString(e.appId()).addLong(e.id()).addString(e.type().wire()).addLong(e.createdAt()).addString(e.data().encode());
      for (String endpoint : e.endpoints()) {
        pending.addString(e.appId()).addString(endpoint).addLong(e.id());
        pendingRows++;
      }
    }
    Future<?> log = conn.preparedQuery("INSERT INTO event_log (app_id, event_id, type, created_at, data) VALUES "
      + rows(LOG_ROW, events.size())).execute(logs);
    if (pendingRows == 0) {
      return log.mapEmpty();
    }
    int n = pendingRows;
    return log.compose(v -> conn.preparedQuery("INSERT INTO event_pending (app_id, endpoint, event_id) VALUES "
      + rows(PENDING_ROW, n)).execute(pending)).mapEmpty();
  }

  private static String rows(String row, int n) {
    StringBuilder sb = new StringBuilder(n * (row.length() + 2));
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ", ").append(row);
    }
    return sb.toString();
  }

  private static String placeholders(int n) {
    return rows("?", n);
  }

  @Override
  public Future<Void> append(List<Event> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    return bounded(pool.withTransaction(conn -> insert(conn, events)), "append");
  }

  @Override
  public Future<Lease> lease(String name, String owner, long nowMs, long leaseMs) {
    return bounded(pool.withConnection(conn -> conn.preparedQuery(LEASE).execute(Tuple.of(name, owner, leaseMs))
      .compose(v -> conn.preparedQuery(WORKER).execute(Tuple.of(name)))
      .map(rows -> {
        Row r = rows.iterator().next();
        return new Lease(owner.equals(r.getString("owner")), r.getLong("position"), r.getInteger("failures"),
          r.getLong("next_try_at"), r.getLong("paused_until"));
      })), "lease");
  }

  @Override
  public Future<Void> release(String name, String owner) {
    return bounded(pool.preparedQuery(RELEASE).execute(Tuple.of(name, owner)).mapEmpty(), "release");
  }

  @Override
  public Future<List<Pending>> pending(String appId, String endpoint, int limit) {
    return bounded(pool.preparedQuery(PENDING).execute(Tuple.of(appId, endpoint, limit)).map(rows -> {
      List<Pending> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(new Pending(r.getLong("event_id"), r.getString("type"), r.getLong("created_at"), r.getString("data")));
      }
      return out;
    }), "pending");
  }

  private static List<JsonObject> envelopes(String appId, RowSet<Row> rows) {
    List<JsonObject> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      out.add(Event.envelope(r.getLong("event_id"), appId, r.getString("type"), r.getLong("created_at"),
        new JsonObject(r.getString("data"))));
    }
    return out;
  }

  @Override
  public Future<Void> delivered(String appId, String endpoint, List<Long> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple t = Tuple.of(appId, endpoint);
    ids.forEach(t::addLong);
    // padded to a power of two with the last id: few statement shapes for the prepared-statement caches
    int n = Integer.highestOneBit(ids.size()) == ids.size() ? ids.size() : Integer.highestOneBit(ids.size()) << 1;
    for (int i = ids.size(); i < n; i++) {
      t.addLong(ids.get(ids.size() - 1));
    }
    return bounded(pool.preparedQuery("DELETE FROM event_pending WHERE app_id = ? AND endpoint = ? AND event_id IN ("
      + placeholders(n) + ")").execute(t).mapEmpty(), "delivered");
  }

  @Override
  public Future<Void> failed(String name, String owner, int failures, long nextTryAt, long pausedUntil, String error) {
    String e = error == null ? "" : error.length() > MAX_ERROR_CHARS ? error.substring(0, MAX_ERROR_CHARS) : error;
    return bounded(pool.preparedQuery(FAILED).execute(Tuple.of(failures, nextTryAt, pausedUntil, e, name, owner)).mapEmpty(),
      "failure state");
  }

  @Override
  public Future<Boolean> appendAndAdvance(List<Event> events, String name, String owner, long position) {
    return bounded(pool.withTransaction(conn -> conn.preparedQuery(ADVANCE)
      .execute(Tuple.of(position, name, owner))
      .compose(r -> {
        if (r.rowCount() != 1) {
          return Future.succeededFuture(false); // the lease is another's now: nothing is written
        }
        return insert(conn, events).map(true);
      })), "scan page");
  }

  @Override
  public Future<List<JsonObject>> replay(String appId, long after, long before, Set<String> types, int limit) {
    StringBuilder sql = new StringBuilder("SELECT event_id, type, created_at, data FROM event_log WHERE app_id = ? "
      + "AND event_id > ? AND event_id < ?");
    Tuple t = Tuple.of(appId, after, before);
    if (types != null && !types.isEmpty()) {
      sql.append(" AND type IN (").append(placeholders(types.size())).append(')');
      types.forEach(t::addString);
    }
    sql.append(" ORDER BY event_id LIMIT ?");
    t.addInteger(limit);
    return bounded(pool.preparedQuery(sql.toString()).execute(t).map(rows -> envelopes(appId, rows)), "replay");
  }

  /**
   * Pending rows first, endpoint by endpoint (each a range of the primary key: a delete never walks, nor locks, the
   * other endpoints' rows or the tails where new rows go), then the log; statements of at most
   * {@link #PURGE_STATEMENT_ROWS} rows, repeated until {@code limit} rows of the log are gone or none is left.
   */
  @Override
  public Future<Integer> purge(String appId, long beforeId, int limit) {
    return bounded(pool.preparedQuery(PENDING_ENDPOINTS).execute(Tuple.of(appId)), "purge").compose(rows -> {
      Future<Void> pending = Future.succeededFuture();
      for (Row r : rows) {
        String endpoint = r.getString("endpoint");
        pending = pending.compose(v -> deleteAll("DELETE FROM event_pending WHERE app_id = ? AND endpoint = ? AND event_id < ? "
          + "ORDER BY event_id LIMIT ?", Tuple.of(appId, endpoint, beforeId), Integer.MAX_VALUE, 0).mapEmpty());
      }
      return pending.compose(v -> deleteAll("DELETE FROM event_log WHERE app_id = ? AND event_id < ? ORDER BY event_id LIMIT ?",
        Tuple.of(appId, beforeId), limit, 0));
    });
  }

  /** Runs a bounded DELETE (its LIMIT the last parameter) until it deletes fewer rows than asked or {@code max} are gone. */
  private Future<Integer> deleteAll(String sql, Tuple params, int max, int done) {
    int n = Math.min(PURGE_STATEMENT_ROWS, max - done);
    if (n <= 0) {
      return Future.succeededFuture(done);
    }
    Tuple t = Tuple.tuple();
    for (int i = 0; i < params.size(); i++) {
      t.addValue(params.getValue(i));
    }
    t.addInteger(n);
    return bounded(pool.preparedQuery(sql).execute(t), "purge").compose(r -> r.rowCount() < n
      ? Future.succeededFuture(done + r.rowCount()) : deleteAll(sql, params, max, done + r.rowCount()));
  }

  @Override
  public Future<List<JsonObject>> workers() {
    return bounded(pool.query(WORKERS).execute(), "workers").map(rows -> {
      List<JsonObject> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new JsonObject().put("name", r.getString("name")).put("owner", r.getString("owner"))
          .put("leaseUntil", r.getLong("lease_until")).put("position", r.getLong("position"))
          .put("failures", r.getInteger("failures")).put("nextTryAt", r.getLong("next_try_at"))
          .put("pausedUntil", r.getLong("paused_until")).put("lastError", r.getString("last_error")));
      }
      return out;
    });
  }
}
