package com.seedim.im.cs.store.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Deletes one app's service records that ended before a cutoff ({@code serviceRecordRetentionDays}), for
 * {@code seedim purge}: queue entries that ended, rooms that closed and calls that ended. Records still open are
 * kept whatever their age. At most {@link #BATCH} rows per statement; a table that does not exist yet (no service
 * node ever started on this database) counts as empty. Blocking JDBC: a command's own thread, never an event loop.
 */
public final class ServiceRecordRetention {
  /** Rows per DELETE statement. */
  public static final int BATCH = 5_000;
  private static final int NO_SUCH_TABLE = 1146;

  /** What one purge deleted. */
  public record Purged(long queueEntries, long rooms, long calls) {
  }

  private ServiceRecordRetention() {
  }

  /** Deletes the app's records ended before {@code cutoffMs} (epoch ms). */
  public static Purged purge(Connection conn, String appId, long cutoffMs) throws SQLException {
    return new Purged(
      deleteAll(conn, "DELETE FROM cs_queue_entry WHERE app_id = ? AND ended_at IS NOT NULL AND ended_at < ? LIMIT " + BATCH,
        appId, cutoffMs),
      deleteAll(conn, "DELETE FROM cs_room WHERE app_id = ? AND closed_at IS NOT NULL AND closed_at < ? LIMIT " + BATCH,
        appId, cutoffMs),
      deleteAll(conn, "DELETE FROM cs_call WHERE app_id = ? AND ended_at IS NOT NULL AND ended_at < ? LIMIT " + BATCH,
        appId, cutoffMs));
  }

  private static long deleteAll(Connection conn, String sql, String appId, long bound) throws SQLException {
    long total = 0;
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      while (true) {
        ps.setString(1, appId);
        ps.setLong(2, bound);
        int n;
        try {
          n = ps.executeUpdate();
        } catch (SQLException e) {
          if (e.getErrorCode() == NO_SUCH_TABLE) {
            return total;
          }
          throw e;
        }
        total += n;
        if (n < BATCH) {
          return total;
        }
      }
    }
  }
}
