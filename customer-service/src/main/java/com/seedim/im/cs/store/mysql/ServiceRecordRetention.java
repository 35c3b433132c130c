package com.seedim.im.cs.store.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Deletes one app's service records that ended before a cutoff ({@code serviceRecordRetentionDays}), for
 * {@code seedim purge}, while the services keep writing records: queue entries that ended, rooms that closed and
 * calls that ended; records still open are kept whatever their age. Closed rooms are found through their
 * {@code idx_closed} index; queue entries and calls have no index on their end (it would cost every write), so they
 * are found by paging the primary key with plain reads (no locks at READ COMMITTED) and deleted by key with the age
 * checked again. A table that does not exist yet (no service node ever started on this database) counts as empty.
 * Blocking JDBC on a command's own thread; the connection as {@code ChatRetention.prepare} leaves it.
 */
public final class ServiceRecordRetention {
  /** Rows per statement or page. */
  public static final int BATCH = 5_000;
  private static final int NO_SUCH_TABLE = 1146;

  private static final String DELETE_ROOMS =
    "DELETE FROM cs_room WHERE app_id = ? AND closed_at IS NOT NULL AND closed_at < ? LIMIT " + BATCH;
  private static final String QUEUE_PAGE = "SELECT id, app_id, ended_at FROM cs_queue_entry WHERE id > ? ORDER BY id LIMIT " + BATCH;
  private static final String DELETE_QUEUE_ENTRY =
    "DELETE FROM cs_queue_entry WHERE id = ? AND app_id = ? AND ended_at IS NOT NULL AND ended_at < ?";
  private static final String CALL_PAGE = "SELECT call_id, ended_at FROM cs_call WHERE app_id = ? AND call_id > ? "
    + "ORDER BY call_id LIMIT " + BATCH;
  private static final String DELETE_CALL =
    "DELETE FROM cs_call WHERE app_id = ? AND call_id = ? AND ended_at IS NOT NULL AND ended_at < ?";

  /** What one purge deleted. */
  public record Purged(long queueEntries, long rooms, long calls) {
  }

  private ServiceRecordRetention() {
  }

  /** Deletes the app's records ended before {@code cutoffMs} (epoch ms). */
  public static Purged purge(Connection conn, String appId, long cutoffMs) throws SQLException {
    return new Purged(orNone(() -> queueEntries(conn, appId, cutoffMs)), orNone(() -> rooms(conn, appId, cutoffMs)),
      orNone(() -> calls(conn, appId, cutoffMs)));
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
    long total = 0;
    try (PreparedStatement ps = conn.prepareStatement(DELETE_ROOMS)) {
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
    long total = 0;
    long after = 0;
    try (PreparedStatement page = conn.prepareStatement(QUEUE_PAGE);
         PreparedStatement delete = conn.prepareStatement(DELETE_QUEUE_ENTRY)) {
      while (true) {
        page.setLong(1, after);
        int rows = 0;
        int old = 0;
        try (ResultSet rs = page.executeQuery()) {
          while (rs.next()) {
            rows++;
            after = rs.getLong(1);
            long ended = rs.getLong(3);
            if (!rs.wasNull() && ended < cutoffMs && appId.equals(rs.getString(2))) {
              delete.setLong(1, after);
              delete.setString(2, appId);
              delete.setLong(3, cutoffMs);
              delete.addBatch();
              old++;
            }
          }
        }
        total += old > 0 ? sum(delete.executeBatch()) : 0;
        if (rows < BATCH) {
          return total;
        }
      }
    }
  }

  private static long calls(Connection conn, String appId, long cutoffMs) throws SQLException {
    long total = 0;
    long after = Long.MIN_VALUE;
    try (PreparedStatement page = conn.prepareStatement(CALL_PAGE);
         PreparedStatement delete = conn.prepareStatement(DELETE_CALL)) {
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
              delete.setString(1, appId);
              delete.setLong(2, after);
              delete.setLong(3, cutoffMs);
              delete.addBatch();
              old++;
            }
          }
        }
        total += old > 0 ? sum(delete.executeBatch()) : 0;
        if (rows < BATCH) {
          return total;
        }
      }
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
