package com.seedim.im.cs.store.mysql;

import com.seedim.im.common.events.Event;
import com.seedim.im.common.events.EventMetrics;
import com.seedim.im.common.events.EventRecorder;
import com.seedim.im.common.events.MySqlEventStore;
import com.seedim.im.common.store.Deadlines;
import com.seedim.im.cs.store.ServiceEvents;
import com.seedim.im.cs.store.ServiceRecords;
import com.seedim.im.cs.store.memory.MemoryServiceRecords;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@link ServiceRecords} in MySQL (MariaDB). Tables:
 * {@code cs_queue_entry} (one row per wait: entered, ended, outcome, agent, room),
 * {@code cs_room} (one row per room: queue, agent, customer, wait before it, opened, closed, reason, info),
 * {@code cs_call} (one row per call: caller, callee, started, answered, ended, outcome),
 * {@code cs_room_agent} (one row per transfer of a room to another agent, §14.2: from, to, when),
 * {@code cs_call_stats} (one row per participant's 660 report of a call, §14.6, the latest report).
 * {@code cs_room}'s {@code agent_id} is the agent who serves (or served) the room last; the agents before it are
 * the transfers' {@code from_agent}s.
 *
 * <p>For an app that records the record's event type ({@link ServiceEvents}), the write runs in one transaction with
 * the event's insert into the outbox ({@link MySqlEventStore#insert}): it reads in that transaction what the event
 * needs (the wait's queue and entry time, the room, the call) and writes the event only when the record changed. For
 * the other apps the write is the one statement it always was.
 */
public final class MySqlServiceRecords implements ServiceRecords {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlServiceRecords.class);

  /** The service-record tables, created by the services at start (public for tools and tests that need them). */
  public static final List<String> DDL = List.of(
    """
    CREATE TABLE IF NOT EXISTS cs_queue_entry (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      app_id VARCHAR(64) NOT NULL,
      queue_id VARCHAR(64) NOT NULL,
      user_id VARCHAR(64) NOT NULL,
      entered_at BIGINT NOT NULL,
      ended_at BIGINT NULL,
      outcome VARCHAR(16) NULL,
      agent_id VARCHAR(64) NULL,
      room_id BIGINT NULL,
      KEY idx_queue (app_id, queue_id, outcome),
      KEY idx_user_open (app_id, user_id, ended_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""",
    """
    CREATE TABLE IF NOT EXISTS cs_room (
      app_id VARCHAR(64) NOT NULL,
      room_id BIGINT NOT NULL,
      queue_id VARCHAR(64) NOT NULL,
      agent_id VARCHAR(64) NOT NULL,
      customer_id VARCHAR(64) NOT NULL,
      waited_ms BIGINT NOT NULL,
      created_at BIGINT NOT NULL,
      closed_at BIGINT NULL,
      close_reason VARCHAR(16) NULL,
      info MEDIUMTEXT NULL,
      PRIMARY KEY (app_id, room_id),
      KEY idx_queue (app_id, queue_id),
      KEY idx_closed (app_id, closed_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""",
    """
    CREATE TABLE IF NOT EXISTS cs_call (
      app_id VARCHAR(64) NOT NULL,
      call_id BIGINT NOT NULL,
      room_id BIGINT NOT NULL,
      caller VARCHAR(64) NOT NULL,
      callee VARCHAR(64) NOT NULL,
      started_at BIGINT NOT NULL,
      answered_at BIGINT NULL,
      ended_at BIGINT NULL,
      outcome VARCHAR(24) NULL,
      PRIMARY KEY (app_id, call_id),
      KEY idx_room (app_id, room_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""",
    // §14.5: a customer's rooms, newest first (added to tables created before it)
    "CREATE INDEX IF NOT EXISTS idx_customer ON cs_room (app_id, customer_id, created_at)",
    """
    CREATE TABLE IF NOT EXISTS cs_room_agent (
      id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
      app_id VARCHAR(64) NOT NULL,
      room_id BIGINT NOT NULL,
      from_agent VARCHAR(64) NOT NULL,
      to_agent VARCHAR(64) NOT NULL,
      transferred_at BIGINT NOT NULL,
      KEY idx_room (app_id, room_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""",
    """
    CREATE TABLE IF NOT EXISTS cs_call_stats (
      app_id VARCHAR(64) NOT NULL,
      call_id BIGINT NOT NULL,
      user_id VARCHAR(64) NOT NULL,
      candidate_type VARCHAR(8) NOT NULL,
      setup_ms DOUBLE NULL,
      rtt_ms DOUBLE NULL,
      loss_percent DOUBLE NULL,
      protocol VARCHAR(8) NULL,
      reported_at BIGINT NOT NULL,
      PRIMARY KEY (app_id, call_id, user_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""");

  /** The fields of a 660 report, as stored in {@code cs_call_stats} (JSON name, column). */
  private static final String[][] STATS_NUMBERS = {{"setupMs", "setup_ms"}, {"rttMs", "rtt_ms"},
    {"lossPercent", "loss_percent"}};

  private static final int TX_ATTEMPTS = 3;
  private static final int ER_LOCK_WAIT_TIMEOUT = 1205;
  private static final int ER_LOCK_DEADLOCK = 1213;

  private final Pool pool;
  private final ServiceEvents events;
  /** The last write of each row still running on this node (see {@link #write}). */
  private final Map<String, Future<Void>> pending = new HashMap<>();
  private Future<Void> migrated;

  /** Records without events (tools, tests). */
  public MySqlServiceRecords(Pool pool) {
    this(pool, null);
  }

  /** Records that write their events (of the apps that record them) in their own transactions. */
  public MySqlServiceRecords(Pool pool, EventRecorder recorder) {
    this.pool = pool;
    this.events = recorder == null ? ServiceEvents.NONE : new ServiceEvents(recorder, null);
  }

  @Override
  public synchronized Future<Void> migrate() {
    if (migrated == null || migrated.failed()) {
      Future<Void> f = Future.succeededFuture();
      for (String ddl : DDL) {
        f = f.compose(v -> pool.query(ddl).execute().mapEmpty());
      }
      migrated = f;
    }
    return migrated;
  }

  /**
   * Writes one record after the writes of the same row issued before it on this node: the pool runs statements on
   * several connections, so a room closed a few milliseconds after it opened could have its UPDATE overtake the
   * INSERT (a slow commit) and the close was lost. {@code row} names the row: the room, the call, the user's wait.
   */
  private Future<Void> write(String row, String what, String sql, Tuple args) {
    return write(row, what, args, null, () -> pool.preparedQuery(sql).execute(args));
  }

  /**
   * As {@link #write(String, String, String, Tuple)}, for a record that goes with an event: without the event (the
   * app does not record it) {@code plain} runs alone; with it, {@code body} runs in a transaction that also inserts
   * the event when {@code body} answers true (the record changed; {@code body} completed the event's data).
   */
  private Future<Void> write(String row, String what, Tuple args, Event event, String plain,
                             Function<SqlConnection, Future<Boolean>> body) {
    if (event == null) {
      return write(row, what, plain, args);
    }
    return write(row, what, args, event, () -> transaction(conn -> body.apply(conn)
      .compose(changed -> changed ? MySqlEventStore.insert(conn, List.of(event)) : Future.succeededFuture()), 1));
  }

  /** A transaction, run again when it lost a deadlock or a lock wait (its reads lock the row they complete events from). */
  private Future<Void> transaction(Function<SqlConnection, Future<Void>> body, int attempt) {
    return pool.withTransaction(body).recover(err -> {
      if (attempt < TX_ATTEMPTS && err instanceof DatabaseException de
        && (de.getErrorCode() == ER_LOCK_DEADLOCK || de.getErrorCode() == ER_LOCK_WAIT_TIMEOUT)) {
        return transaction(body, attempt + 1);
      }
      return Future.failedFuture(err);
    });
  }

  private Future<Void> write(String row, String what, Tuple args, Event event, Supplier<Future<?>> op) {
    Future<Void> next;
    synchronized (pending) {
      Future<Void> before = pending.get(row);
      next = before == null ? execute(what, args, event, op) : before.compose(v -> execute(what, args, event, op));
      pending.put(row, next);
    }
    next.onComplete(ar -> {
      synchronized (pending) {
        pending.remove(row, next);
      }
    });
    return next;
  }

  /** Never fails: a record that could not be written is logged (records never fail the frame that caused them). */
  private Future<Void> execute(String what, Tuple args, Event event, Supplier<Future<?>> op) {
    Future<?> f;
    try {
      f = op.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return Deadlines.within(f, Deadlines.MYSQL_QUERY_TIMEOUT_MS, "service record " + what)
      .<Void>mapEmpty()
      .recover(err -> {
        if (event == null) {
          LOG.warn("service record '{}' not written ({}): {}", what, args.deepToString(), err.toString());
        } else {
          EventMetrics.appendFailed(event.type());
          LOG.warn("service record '{}' and its event {} {} not written ({}): {}", what, event.type().wire(), event.id(),
            args.deepToString(), err.toString());
        }
        return Future.succeededFuture();
      });
  }

  /** The one row a SELECT found, or null. */
  private static Row first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? it.next() : null;
  }

  private static String queueRow(String appId, String userId) {
    return "q|" + appId + "|" + userId;
  }

  private static String roomRow(String appId, String roomId) {
    return "r|" + appId + "|" + roomId;
  }

  private static String callRow(String appId, String callId) {
    return "c|" + appId + "|" + callId;
  }

  private static Long id(String s) {
    return s == null ? null : Long.parseLong(s);
  }

  @Override
  public void queueEntered(String appId, String queueId, String userId, long at, int position) {
    String sql = "INSERT INTO cs_queue_entry (app_id, queue_id, user_id, entered_at) VALUES (?, ?, ?, ?)";
    Tuple args = Tuple.of(appId, queueId, userId, at);
    write(queueRow(appId, userId), "queue entered", args, events.queueEntered(appId, queueId, userId, position, at), sql,
      conn -> conn.preparedQuery(sql).execute(args).map(true));
  }

  @Override
  public void queueEnded(String appId, String userId, long at, String outcome, String agentId, String roomId) {
    String sql = "UPDATE cs_queue_entry SET ended_at = ?, outcome = ?, agent_id = ?, room_id = ? "
      + "WHERE app_id = ? AND user_id = ? AND ended_at IS NULL";
    Tuple args = Tuple.of(at, ServiceRecords.stored(outcome), agentId, id(roomId), appId, userId);
    Event e = events.queueEnded(appId, userId, outcome, agentId, roomId, at);
    write(queueRow(appId, userId), "queue ended", args, e, sql, conn -> conn.preparedQuery("SELECT queue_id, entered_at "
        + "FROM cs_queue_entry WHERE app_id = ? AND user_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1 FOR UPDATE")
      .execute(Tuple.of(appId, userId)).compose(rows -> {
        Row open = first(rows);
        if (open == null) {
          return Future.succeededFuture(false);
        }
        ServiceEvents.waited(e, open.getString(0), open.getLong(1));
        return conn.preparedQuery(sql).execute(args).map(true);
      }));
  }

  @Override
  public void roomOpened(String appId, String roomId, String queueId, String agentId, String customerId, long waitedMs, long at) {
    String sql = "INSERT IGNORE INTO cs_room (app_id, room_id, queue_id, agent_id, customer_id, waited_ms, created_at) "
      + "VALUES (?, ?, ?, ?, ?, ?, ?)";
    Tuple args = Tuple.of(appId, id(roomId), queueId, agentId, customerId, waitedMs, at);
    write(roomRow(appId, roomId), "room opened", args, events.roomOpened(appId, roomId, queueId, agentId, customerId,
      waitedMs, at), sql, conn -> conn.preparedQuery(sql).execute(args).map(r -> r.rowCount() == 1));
  }

  @Override
  public void roomClosed(String appId, String roomId, long at, String reason) {
    String sql = "UPDATE cs_room SET closed_at = ?, close_reason = ? WHERE app_id = ? AND room_id = ? AND closed_at IS NULL";
    Tuple args = Tuple.of(at, reason, appId, id(roomId));
    Event e = events.roomClosed(appId, roomId, reason, at);
    write(roomRow(appId, roomId), "room closed", args, e, sql, conn -> conn.preparedQuery("SELECT queue_id, customer_id, "
        + "agent_id, waited_ms, created_at FROM cs_room WHERE app_id = ? AND room_id = ? AND closed_at IS NULL FOR UPDATE")
      .execute(Tuple.of(appId, id(roomId))).compose(rows -> {
        Row room = first(rows);
        if (room == null) {
          return Future.succeededFuture(false);
        }
        ServiceEvents.closed(e, room.getString(0), room.getString(1), room.getString(2), room.getLong(3), room.getLong(4));
        return conn.preparedQuery(sql).execute(args).map(true);
      }));
  }

  @Override
  public void roomInfo(String appId, String roomId, Object info) {
    write(roomRow(appId, roomId), "room info", "UPDATE cs_room SET info = ? WHERE app_id = ? AND room_id = ?",
      Tuple.of(info == null ? null : Json.encode(info), appId, id(roomId)));
  }

  @Override
  public void callStarted(String appId, String roomId, String callId, String caller, String callee, long at) {
    String sql = "INSERT IGNORE INTO cs_call (app_id, call_id, room_id, caller, callee, started_at) VALUES (?, ?, ?, ?, ?, ?)";
    Tuple args = Tuple.of(appId, id(callId), id(roomId), caller, callee, at);
    write(callRow(appId, callId), "call started", args, events.callStarted(appId, roomId, callId, caller, callee, at), sql,
      conn -> conn.preparedQuery(sql).execute(args).map(r -> r.rowCount() == 1));
  }

  @Override
  public void callAnswered(String appId, String callId, long at) {
    String sql = "UPDATE cs_call SET answered_at = ? WHERE app_id = ? AND call_id = ? AND answered_at IS NULL";
    Tuple args = Tuple.of(at, appId, id(callId));
    Event e = events.callAnswered(appId, callId, at);
    write(callRow(appId, callId), "call answered", args, e, sql, conn -> conn.preparedQuery("SELECT room_id, caller, callee, "
        + "started_at FROM cs_call WHERE app_id = ? AND call_id = ? AND answered_at IS NULL FOR UPDATE")
      .execute(Tuple.of(appId, id(callId))).compose(rows -> {
        Row call = first(rows);
        if (call == null) {
          return Future.succeededFuture(false);
        }
        ServiceEvents.answered(e, Long.toString(call.getLong(0)), call.getString(1), call.getString(2), call.getLong(3));
        return conn.preparedQuery(sql).execute(args).map(true);
      }));
  }

  @Override
  public void callEnded(String appId, String callId, long at, String outcome) {
    String sql = "UPDATE cs_call SET ended_at = ?, outcome = ? WHERE app_id = ? AND call_id = ? AND ended_at IS NULL";
    Tuple args = Tuple.of(at, outcome, appId, id(callId));
    Event e = events.callEnded(appId, callId, outcome, at);
    write(callRow(appId, callId), "call ended", args, e, sql, conn -> conn.preparedQuery("SELECT room_id, caller, callee, "
        + "answered_at FROM cs_call WHERE app_id = ? AND call_id = ? AND ended_at IS NULL FOR UPDATE")
      .execute(Tuple.of(appId, id(callId))).compose(rows -> {
        Row call = first(rows);
        if (call == null) {
          return Future.succeededFuture(false);
        }
        ServiceEvents.ended(e, Long.toString(call.getLong(0)), call.getString(1), call.getString(2), call.getLong(3));
        return conn.preparedQuery(sql).execute(args).map(true);
      }));
  }

  private static final String TRANSFER = "INSERT INTO cs_room_agent (app_id, room_id, from_agent, to_agent, transferred_at) "
    + "VALUES (?, ?, ?, ?, ?)";
  private static final String ROOM_AGENT = "UPDATE cs_room SET agent_id = ? WHERE app_id = ? AND room_id = ?";

  @Override
  public void roomTransferred(String appId, String roomId, String fromAgent, String toAgent, String byUserId, long at) {
    Tuple transfer = Tuple.of(appId, id(roomId), fromAgent, toAgent, at);
    Tuple agent = Tuple.of(toAgent, appId, id(roomId));
    Event e = events.roomTransferred(appId, roomId, fromAgent, toAgent, byUserId, at);
    if (e == null) {
      write(roomRow(appId, roomId), "room transferred", TRANSFER, transfer);
      write(roomRow(appId, roomId), "room agent", ROOM_AGENT, agent);
      return;
    }
    // the transfer, the room's agent and the event in one transaction
    write(roomRow(appId, roomId), "room transferred", transfer, e, null, conn -> conn.preparedQuery(TRANSFER)
      .execute(transfer).compose(v -> conn.preparedQuery(ROOM_AGENT).execute(agent)).map(true));
  }

  private static final String ROOM_COLS = "SELECT room_id, queue_id, agent_id, customer_id, created_at, closed_at, "
    + "close_reason FROM cs_room ";

  @Override
  public Future<List<RoomRecord>> customerRooms(String appId, String customerId, int limit) {
    return Deadlines.within(pool.preparedQuery(ROOM_COLS + "WHERE app_id = ? AND customer_id = ? ORDER BY created_at DESC "
      + "LIMIT ?").execute(Tuple.of(appId, customerId, limit)), Deadlines.MYSQL_QUERY_TIMEOUT_MS, "customer rooms").map(rs -> {
        List<RoomRecord> out = new ArrayList<>();
        for (Row r : rs) {
          out.add(roomRecord(r, List.of()));
        }
        return out;
      });
  }

  @Override
  public Future<RoomRecord> room(String appId, String roomId) {
    Future<RowSet<Row>> room = pool.preparedQuery(ROOM_COLS + "WHERE app_id = ? AND room_id = ?")
      .execute(Tuple.of(appId, id(roomId)));
    Future<RowSet<Row>> moves = pool.preparedQuery("SELECT from_agent, to_agent FROM cs_room_agent WHERE app_id = ? "
      + "AND room_id = ? ORDER BY transferred_at, id").execute(Tuple.of(appId, id(roomId)));
    return Deadlines.within(Future.all(room, moves), Deadlines.MYSQL_QUERY_TIMEOUT_MS, "room record").map(cf -> {
      if (room.result().size() == 0) {
        return null;
      }
      List<String[]> transfers = new ArrayList<>();
      for (Row m : moves.result()) {
        transfers.add(new String[] {m.getString(0), m.getString(1)});
      }
      return roomRecord(room.result().iterator().next(), transfers);
    });
  }

  /**
   * A record from a {@link #ROOM_COLS} row and the room's transfers ({from, to}, in order): the first transfer's
   * {@code from}, then each {@code to}, and {@code agent_id} last (when no transfer names it: a room without any).
   */
  private static RoomRecord roomRecord(Row r, List<String[]> transfers) {
    List<String> agents = new ArrayList<>();
    for (String[] t : transfers) {
      if (agents.isEmpty()) {
        agents.add(t[0]);
      }
      agents.add(t[1]);
    }
    String last = r.getString(2);
    if (agents.isEmpty() || !agents.get(agents.size() - 1).equals(last)) {
      agents.add(last);
    }
    return new RoomRecord(Long.toString(r.getLong(0)), r.getString(1), r.getString(3), agents, r.getLong(4), r.getLong(5),
      r.getString(6));
  }

  @Override
  public Future<Void> callStats(String appId, String callId, String userId, JsonObject stats) {
    Tuple args = Tuple.of(appId, id(callId), userId, stats.getString("candidateType"));
    for (String[] n : STATS_NUMBERS) {
      Number v = stats.getNumber(n[0]);
      args.addValue(v == null ? null : v.doubleValue());
    }
    args.addString(stats.getString("protocol")).addLong(stats.getLong("reportedAt", System.currentTimeMillis()));
    return write("s|" + appId + "|" + callId + "|" + userId, "call stats", "INSERT INTO cs_call_stats (app_id, call_id, "
      + "user_id, candidate_type, setup_ms, rtt_ms, loss_percent, protocol, reported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
      + "ON DUPLICATE KEY UPDATE candidate_type = VALUES(candidate_type), setup_ms = VALUES(setup_ms), "
      + "rtt_ms = VALUES(rtt_ms), loss_percent = VALUES(loss_percent), protocol = VALUES(protocol), "
      + "reported_at = VALUES(reported_at)", args);
  }

  @Override
  public Future<CallRecord> call(String appId, String callId) {
    Future<RowSet<Row>> call = pool.preparedQuery("SELECT room_id, caller, callee, started_at, ended_at FROM cs_call "
      + "WHERE app_id = ? AND call_id = ?").execute(Tuple.of(appId, id(callId)));
    Future<RowSet<Row>> reports = pool.preparedQuery("SELECT user_id, candidate_type, setup_ms, rtt_ms, loss_percent, "
      + "protocol, reported_at FROM cs_call_stats WHERE app_id = ? AND call_id = ?").execute(Tuple.of(appId, id(callId)));
    return Deadlines.within(Future.all(call, reports), Deadlines.MYSQL_QUERY_TIMEOUT_MS, "call record").map(cf -> {
      if (call.result().size() == 0) {
        return null;
      }
      Map<String, JsonObject> stats = new HashMap<>();
      for (Row r : reports.result()) {
        JsonObject s = new JsonObject().put("candidateType", r.getString(1));
        for (int i = 0; i < STATS_NUMBERS.length; i++) {
          Object v = r.getValue(2 + i);
          if (v != null) {
            s.put(STATS_NUMBERS[i][0], ((Number) v).doubleValue());
          }
        }
        if (r.getString(5) != null) {
          s.put("protocol", r.getString(5));
        }
        stats.put(r.getString(0), s.put("reportedAt", r.getLong(6)));
      }
      Row c = call.result().iterator().next();
      return new CallRecord(callId, Long.toString(c.getLong(0)), c.getString(1), c.getString(2), c.getLong(3), c.getLong(4),
        stats);
    });
  }

  @Override
  public Future<java.util.List<Long>> recentTakes(String appId, String queueId, long sinceMs) {
    // idx_queue (app_id, queue_id, outcome) holds the primary key too: the newest takes are a short backward index scan
    return Deadlines.within(pool.preparedQuery("SELECT ended_at FROM cs_queue_entry WHERE app_id = ? AND queue_id = ? "
        + "AND outcome = ? ORDER BY id DESC LIMIT ?").execute(Tuple.of(appId, queueId, TAKEN, RECENT_TAKES)),
      Deadlines.MYSQL_QUERY_TIMEOUT_MS, "recent takes").map(rs -> {
        java.util.List<Long> out = new java.util.ArrayList<>();
        for (Row r : rs) {
          Long at = r.getLong(0);
          if (at != null && at >= sinceMs) {
            out.add(at);
          }
        }
        out.sort(java.util.Comparator.reverseOrder());
        return out;
      });
  }

  @Override
  public Future<JsonObject> queueStats(String appId, String queueId) {
    Future<Row> rooms = pool.preparedQuery("SELECT COUNT(*), AVG(waited_ms), AVG(closed_at - created_at) FROM cs_room "
      + "WHERE app_id = ? AND queue_id = ?").execute(Tuple.of(appId, queueId)).map(rs -> rs.iterator().next());
    Future<Row> abandoned = pool.preparedQuery("SELECT COUNT(*) FROM cs_queue_entry WHERE app_id = ? AND queue_id = ? "
      + "AND outcome IN ('left', 'timeout')").execute(Tuple.of(appId, queueId)).map(rs -> rs.iterator().next());
    Future<Row> calls = pool.preparedQuery("SELECT COUNT(*), AVG(c.ended_at - c.answered_at) FROM cs_call c "
      + "JOIN cs_room r ON r.app_id = c.app_id AND r.room_id = c.room_id "
      + "WHERE r.app_id = ? AND r.queue_id = ? AND c.answered_at IS NOT NULL AND c.ended_at IS NOT NULL")
      .execute(Tuple.of(appId, queueId)).map(rs -> rs.iterator().next());
    // M5: a stalled MariaDB fails the stats request in time (UNAVAILABLE) instead of holding it
    return Deadlines.within(Future.all(rooms, abandoned, calls),
      Deadlines.MYSQL_QUERY_TIMEOUT_MS, "queue stats").map(cf -> {
      Row r = rooms.result();
      Row c = calls.result();
      return MemoryServiceRecords.stats(r.getLong(0), abandoned.result().getLong(0), num(r, 1), num(r, 2), c.getLong(0), num(c, 1));
    });
  }

  private static double num(Row r, int i) {
    Object v = r.getValue(i);
    return v instanceof Number n ? n.doubleValue() : v == null ? 0 : Double.parseDouble(v.toString());
  }

  @Override
  public Future<JsonObject> closedRooms(String appId, int offset, int limit) {
    Future<Long> total = pool.preparedQuery("SELECT COUNT(*) FROM cs_room WHERE app_id = ? AND closed_at IS NOT NULL")
      .execute(Tuple.of(appId)).map(rs -> rs.iterator().next().getLong(0));
    Future<JsonArray> page = pool.preparedQuery("SELECT room_id, queue_id, agent_id, customer_id, created_at, closed_at, "
        + "close_reason, info FROM cs_room WHERE app_id = ? AND closed_at IS NOT NULL ORDER BY closed_at DESC LIMIT ? OFFSET ?")
      .execute(Tuple.of(appId, limit, offset)).map(rs -> {
        JsonArray out = new JsonArray();
        for (Row r : rs) {
          String info = r.getString(7);
          out.add(MemoryServiceRecords.row(Long.toString(r.getLong(0)), r.getString(1), r.getString(2), r.getString(3),
            r.getLong(4), r.getLong(5), r.getString(6), info == null ? null : Json.decodeValue(info)));
        }
        return out;
      });
    return Deadlines.within(Future.all(total, page),
      Deadlines.MYSQL_QUERY_TIMEOUT_MS, "closed rooms").map(cf -> new JsonObject().put("rooms", page.result()).put("total", total.result()));
  }
}
