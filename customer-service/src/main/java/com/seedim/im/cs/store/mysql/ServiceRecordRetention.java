package com.seedim.im.cs.store.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Deletes one app's service records that ended before a cutoff ({@code serviceRecordRetentionDays}), for
 * {@code seedim purge}, while the services keep writing records: queue entries that ended, rooms that closed, calls
 * that ended and left messages that were taken (§14.4), with the rows that belong to them (a room's transfers in
 * {@code cs_room_agent}, a call's 660 reports in {@code cs_call_stats}, deleted first); records still open (and
 * messages not taken) are kept whatever their age. Closed rooms and taken messages are found through their
 * {@code idx_closed} and {@code idx_taken} indexes; queue entries and calls have no index on their end (it would cost
 * every write), so they are found by paging the primary key with plain reads (no locks at READ COMMITTED) and deleted
 * by key with the age checked again. A table that does not exist yet (no service node ever started on this database)
 * counts as empty. Blocking JDBC on a command's own thread; the connection as {@code ChatRetention.prepare} leaves it.
 */
public final class ServiceRecordRetention {
  /** Rows per statement or page. */
  public static final int BATCH = 5_000;
  private static final int NO_SUCH_TABLE = 1146;

  /** The transfers of the rooms {@link #DELETE_ROOMS} deletes (few rows: a room has a handful at most). */
  private static final String DELETE_ROOM_AGENTS = "DELETE a FROM cs_room_agent a JOIN cs_room r ON r.app_id = a.app_id "
    + "AND r.room_id = a.room_id WHERE r.app_id = ? AND r.closed_at IS NOT NULL AND r.closed_at < ?";
  private static final String DELETE_ROOMS =
    "DELETE FROM cs_room WHERE app_id = ? AND closed_at IS NOT NULL AND closed_at < ? LIMIT " + BATCH;
  private static final String DELETE_LEFT_MESSAGES =
    "DELETE FROM cs_left_message WHERE app_id = ? AND taken_at IS NOT NULL AND taken_at < ? LIMIT " + BATCH;
  private static final String QUEUE_PAGE = "SELECT id, ended_at FROM cs_queue_entry WHERE app_id = ? AND id > ? "
    + "ORDER BY id LIMIT " + BATCH;
  private static final String DELETE_QUEUE_ENTRY =
    "DELETE FROM cs_queue_entry WHERE app_id = ? AND id = ? AND ended_at IS NOT NULL AND ended_at < ?";
  private static final String CALL_PAGE = "SELECT call_id, ended_at FROM cs_call WHERE app_id = ? AND call_id > ? "
    + "ORDER BY call_id LIMIT " + BATCH;
  /** A call's 660 reports, deleted by the call's key with the same age check as {@link #DELETE_CALL}. */
  private static final String DELETE_CALL_STATS = "DELETE s FROM cs_call_stats s JOIN cs_call c ON c.app_id = s.app_id "
    + "AND c.call_id = s.call_id WHERE c.app_id = ? AND c.call_id = ? AND c.ended_at IS NOT NULL AND c.ended_at < ?";
  private static final String DELETE_CALL =
    "DELETE FROM cs_call WHERE app_id = ? AND call_id = ? AND ended_at IS NOT NULL AND ended_at < ?";

  /** What one purge deleted. */
  public record Purged(long queueEntries, long rooms, long calls, long leftMessages) {
  }

  private ServiceRecordRetention() {
  }

  /** Deletes the app's records ended before {@code cutoffMs} (epoch ms). */
  public static Purged purge(Connection conn, String appId, long cutoffMs) throws SQLException {
    return new Purged(orNone(() -> queueEntries(conn, appId, cutoffMs)), orNone(() -> rooms(conn, appId, cutoffMs)),
      orNone(() -> calls(conn, appId, cutoffMs)), orNone(() -> batches(conn, DELETE_LEFT_MESSAGES, appId, cutoffMs)));
  }

  private interface Step {
    long run() throws SQLException;
  }

  private static long orNone(Step step) throws SQLException {
    try {
      return step.run();
    } catch (SQLException e) {
      if (e.getErrorCode() == NO_SUCH_TABLE) {
        return 0;
      }
      throw e;
    }
  }

  private static long rooms(Connection conn, String appId, long cutoffMs) throws SQLException {
    orNone(() -> {
      try (PreparedStatement agents = conn.prepareStatement(DELETE_ROOM_AGENTS)) {
        agents.setString(1, appId);
        agents.setLong(2, cutoffMs);
        return agents.executeUpdate();
      }
    });
    return batches(conn, DELETE_ROOMS, appId, cutoffMs);
  }

  /** Runs an indexed {@code deleteSql} (app, cutoff; at most {@link #BATCH} rows) until it deletes less than a batch. */
  private static long batches(Connection conn, String deleteSql, String appId, long cutoffMs) throws SQLException {
    long total = 0;
    try (PreparedStatement ps = conn.prepareStatement(deleteSql)) {
      int n;
      do {
        ps.setString(1, appId);
        ps.setLong(2, cutoffMs);
        n = ps.executeUpdate();
        total += n;
      } while (n == BATCH);
    }
    return total;
  }

  private static long queueEntries(Connection conn, String appId, long cutoffMs) throws SQLException {
    return pagedDelete(conn, QUEUE_PAGE, null, DELETE_QUEUE_ENTRY, appId, cutoffMs, 0);
  }

  private static long calls(Connection conn, String appId, long cutoffMs) throws SQLException {
    return pagedDelete(conn, CALL_PAGE, tableExists(conn, "cs_call_stats") ? DELETE_CALL_STATS : null, DELETE_CALL, appId,
      cutoffMs, Long.MIN_VALUE);
  }

  /**
   * Pages one table's rows of the app by key ({@code pageSql}: app, key after → key, end time) with plain reads, and
   * deletes by key ({@code deleteSql}: app, key, cutoff; the age checked again) those that ended before the cutoff,
   * after the rows that belong to them ({@code dependentSql}, same parameters; null when there are none).
   */
  private static long pagedDelete(Connection conn, String pageSql, String dependentSql, String deleteSql, String appId,
                                  long cutoffMs, long firstKey) throws SQLException {
    long total = 0;
    long after = firstKey;
    try (PreparedStatement page = conn.prepareStatement(pageSql);
         PreparedStatement dependent = dependentSql == null ? null : conn.prepareStatement(dependentSql);
         PreparedStatement delete = conn.prepareStatement(deleteSql)) {
      while (true) {
        page.setString(1, appId);
        page.setLong(2, after);
        int rows = 0;
        int old = 0;
        try (ResultSet rs = page.executeQuery()) {
          while (rs.next()) {
            rows++;
            after = rs.getLong(1);
            long ended = rs.getLong(2);
            if (!rs.wasNull() && ended < cutoffMs) {
              for (PreparedStatement ps : dependent == null ? List.of(delete) : List.of(dependent, delete)) {
                ps.setString(1, appId);
                ps.setLong(2, after);
                ps.setLong(3, cutoffMs);
                ps.addBatch();
              }
              old++;
            }
          }
        }
        if (old > 0 && dependent != null) {
          dependent.executeBatch();
        }
        total += old > 0 ? sum(delete.executeBatch()) : 0;
        if (rows < BATCH) {
          return total;
        }
      }
    }
  }

  /** True when the table exists in the connection's database (a database older than the table has none). */
  private static boolean tableExists(Connection conn, String table) throws SQLException {
    try (ResultSet rs = conn.getMetaData().getTables(conn.getCatalog(), null, table, null)) {
      return rs.next();
    }
  }

  private static long sum(int[] counts) {
    long n = 0;
    for (int c : counts) {
      n += Math.max(c, 0);
    }
    return n;
  }
}
