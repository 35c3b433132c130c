package com.seedim.im.common.events;

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
  static final String LEASE = "INSERT INTO event_workers (name, owner, lease_until) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE "
    // left to right: the owner changes only when the lease is free, expired or already ours; then the deadline moves
    // only when the row is (now) ours
    + "owner = IF(lease_until < ? OR owner = VALUES(owner), VALUES(owner), owner), "
    + "lease_until = IF(owner = VALUES(owner), VALUES(lease_until), lease_until)";
  static final String WORKER = "SELECT owner, position, failures, next_try_at, paused_until FROM event_workers WHERE name = ?";
  static final String RELEASE = "UPDATE event_workers SET lease_until = 0 WHERE name = ? AND owner = ?";
  static final String FAILED = "UPDATE event_workers SET failures = ?, next_try_at = ?, paused_until = ?, last_error = ? "
    + "WHERE name = ? AND owner = ?";
  static final String ADVANCE = "UPDATE event_workers SET position = ? WHERE name = ? AND owner = ? AND lease_until > ?";
  static final String PENDING = "SELECT l.event_id, l.type, l.created_at, l.data FROM event_pending p JOIN event_log l "
    + "ON l.app_id = p.app_id AND l.event_id = p.event_id WHERE p.app_id = ? AND p.endpoint = ? ORDER BY p.event_id LIMIT ?";
  static final String WORKERS = "SELECT name, owner, lease_until, position, failures, next_try_at, paused_until, last_error "
    + "FROM event_workers ORDER BY name";
  static final int MAX_ERROR_CHARS = 300;

  private final Pool pool;

  public MySqlEventStore(Pool pool) {
    this.pool = pool;
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
    return pool.withTransaction(conn -> insert(conn, events));
  }

  @Override
  public Future<Lease> lease(String name, String owner, long nowMs, long leaseMs) {
    return pool.withConnection(conn -> conn.preparedQuery(LEASE).execute(Tuple.of(name, owner, nowMs + leaseMs, nowMs))
      .compose(v -> conn.preparedQuery(WORKER).execute(Tuple.of(name)))
      .map(rows -> {
        Row r = rows.iterator().next();
        return new Lease(owner.equals(r.getString("owner")), r.getLong("position"), r.getInteger("failures"),
          r.getLong("next_try_at"), r.getLong("paused_until"));
      }));
  }

  @Override
  public Future<Void> release(String name, String owner) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(name, owner)).mapEmpty();
  }

  @Override
  public Future<List<JsonObject>> pending(String appId, String endpoint, int limit) {
    return pool.preparedQuery(PENDING).execute(Tuple.of(appId, endpoint, limit)).map(rows -> envelopes(appId, rows));
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
    return pool.preparedQuery("DELETE FROM event_pending WHERE app_id = ? AND endpoint = ? AND event_id IN ("
      + placeholders(ids.size()) + ")").execute(t).mapEmpty();
  }

  @Override
  public Future<Void> failed(String name, String owner, int failures, long nextTryAt, long pausedUntil, String error) {
    String e = error == null ? "" : error.length() > MAX_ERROR_CHARS ? error.substring(0, MAX_ERROR_CHARS) : error;
    return pool.preparedQuery(FAILED).execute(Tuple.of(failures, nextTryAt, pausedUntil, e, name, owner)).mapEmpty();
  }

  @Override
  public Future<Boolean> appendAndAdvance(List<Event> events, String name, String owner, long position) {
    return pool.withTransaction(conn -> conn.preparedQuery(ADVANCE)
      .execute(Tuple.of(position, name, owner, System.currentTimeMillis()))
      .compose(r -> {
        if (r.rowCount() != 1) {
          return Future.succeededFuture(false); // the lease is another's now: nothing is written
        }
        return insert(conn, events).map(true);
      }));
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
    return pool.preparedQuery(sql.toString()).execute(t).map(rows -> envelopes(appId, rows));
  }

  @Override
  public Future<Integer> purge(String appId, long beforeId, int limit) {
    return pool.preparedQuery("DELETE FROM event_pending WHERE app_id = ? AND event_id < ? LIMIT ?")
      .execute(Tuple.of(appId, beforeId, limit))
      .compose(v -> pool.preparedQuery("DELETE FROM event_log WHERE app_id = ? AND event_id < ? LIMIT ?")
        .execute(Tuple.of(appId, beforeId, limit)))
      .map(RowSet::rowCount);
  }

  @Override
  public Future<List<JsonObject>> workers() {
    return pool.query(WORKERS).execute().map(rows -> {
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
