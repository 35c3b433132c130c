package com.seedim.im.chat.store;

import com.seedim.im.common.id.IdGenerator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Deletes one app's chat history older than its retention ({@code messageRetentionDays}), for {@code seedim purge},
 * while nodes keep serving. Blocking JDBC: run on a command's own thread, never on an event loop. The caller's
 * connection should be in autocommit at READ COMMITTED ({@link #prepare}), so that reads take no locks and each
 * statement holds its row locks only until it commits.
 * <ul>
 *   <li>Messages: ids grow with time ({@link IdGenerator#firstIdAt}), so "older than" is a primary-key range, deleted
 *   {@link #BATCH} rows per statement.</li>
 *   <li>Conversations whose latest message is older go with their messages (heads, unread counts, read marks). There
 *   is no index on the latest message id (it would cost every send), so they are found by paging the primary key with
 *   plain reads and deleted by key, the age checked again in the DELETE. A conversation with a newer message keeps its
 *   counts.</li>
 *   <li>Delivery watermarks: a purged message that was never acked would hold its receiver's watermark below it for
 *   ever (every later ack kept in the list above it). The watermark of each receiver is moved over what no longer
 *   exists ({@link Watermark#raiseTo}); an update that meets a concurrent ack is skipped (the next purge does it).</li>
 * </ul>
 */
public final class ChatRetention {
  /** Rows per statement or page. */
  public static final int BATCH = 5_000;
  private static final int NO_SUCH_TABLE = 1146;

  private static final String DELETE_MESSAGES = "DELETE FROM chat_messages WHERE app_id = ? AND message_id < ? LIMIT " + BATCH;
  private static final String CONVERSATION_PAGE = "SELECT owner, peer, last_message_id FROM chat_conversations "
    + "WHERE app_id = ? AND (owner > ? OR (owner = ? AND peer > ?)) ORDER BY owner, peer LIMIT " + BATCH;
  private static final String DELETE_CONVERSATION = "DELETE FROM chat_conversations WHERE app_id = ? AND owner = ? "
    + "AND peer = ? AND last_message_id < ?";
  private static final String DELIVERY_PAGE = "SELECT d.user_id, d.delivered_seq, d.acked_above, i.last_seq, "
    + "(SELECT MIN(m.seq) FROM chat_messages m WHERE m.app_id = d.app_id AND m.receiver = d.user_id) AS min_seq "
    + "FROM chat_deliveries d JOIN chat_inboxes i ON i.app_id = d.app_id AND i.user_id = d.user_id "
    + "WHERE d.app_id = ? AND d.user_id > ? ORDER BY d.user_id LIMIT " + BATCH;
  private static final String RAISE_WATERMARK = "UPDATE chat_deliveries SET delivered_seq = ?, acked_above = ? "
    + "WHERE app_id = ? AND user_id = ? AND delivered_seq = ? AND acked_above = ?";

  /** What one purge deleted or moved. */
  public record Purged(long messages, long conversations, long watermarksMoved) {
  }

  private ChatRetention() {
  }

  /** Autocommit at READ COMMITTED: the purge's reads take no locks, and each statement's locks end with it. */
  public static void prepare(Connection conn) throws SQLException {
    conn.setAutoCommit(true);
    conn.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
  }

  /** The first message id kept when messages older than {@code days} are purged at {@code nowMs}. */
  public static long floorId(long nowMs, int days) {
    return IdGenerator.firstIdAt(nowMs - days * 86_400_000L);
  }

  /** Deletes the app's messages and conversations below {@code floorId}; a database without the chat schema has none. */
  public static Purged purge(Connection conn, String appId, long floorId) throws SQLException {
    try {
      long messages = deleteMessages(conn, appId, floorId);
      long conversations = deleteConversations(conn, appId, floorId);
      long moved = raiseWatermarks(conn, appId); // every run: one skipped by a concurrent ack is caught up
      return new Purged(messages, conversations, moved);
    } catch (SQLException e) {
      if (e.getErrorCode() == NO_SUCH_TABLE) {
        return new Purged(0, 0, 0);
      }
      throw e;
    }
  }

  private static long deleteMessages(Connection conn, String appId, long floorId) throws SQLException {
    long total = 0;
    try (PreparedStatement ps = conn.prepareStatement(DELETE_MESSAGES)) {
      int n;
      do {
        ps.setString(1, appId);
        ps.setLong(2, floorId);
        n = ps.executeUpdate();
        total += n;
      } while (n == BATCH);
    }
    return total;
  }

  private static long deleteConversations(Connection conn, String appId, long floorId) throws SQLException {
    long total = 0;
    String owner = "";
    String peer = "";
    try (PreparedStatement page = conn.prepareStatement(CONVERSATION_PAGE);
         PreparedStatement delete = conn.prepareStatement(DELETE_CONVERSATION)) {
      while (true) {
        page.setString(1, appId);
        page.setString(2, owner);
        page.setString(3, owner);
        page.setString(4, peer);
        int rows = 0;
        int old = 0;
        try (ResultSet rs = page.executeQuery()) {
          while (rs.next()) {
            rows++;
            owner = rs.getString(1);
            peer = rs.getString(2);
            if (rs.getLong(3) < floorId) {
              delete.setString(1, appId);
              delete.setString(2, owner);
              delete.setString(3, peer);
              delete.setLong(4, floorId);
              delete.addBatch();
              old++;
            }
          }
        }
        if (old > 0) {
          for (int n : delete.executeBatch()) {
            total += Math.max(n, 0);
          }
        }
        if (rows < BATCH) {
          return total;
        }
      }
    }
  }

  private static long raiseWatermarks(Connection conn, String appId) throws SQLException {
    long moved = 0;
    String after = "";
    try (PreparedStatement page = conn.prepareStatement(DELIVERY_PAGE);
         PreparedStatement raise = conn.prepareStatement(RAISE_WATERMARK)) {
      while (true) {
        page.setString(1, appId);
        page.setString(2, after);
        int rows = 0;
        int raised = 0;
        try (ResultSet rs = page.executeQuery()) {
          while (rs.next()) {
            rows++;
            after = rs.getString(1);
            long delivered = rs.getLong(2);
            String above = rs.getString(3);
            long minSeq = rs.getLong(5);
            long gone = rs.wasNull() ? rs.getLong(4) : minSeq - 1; // below the oldest kept message nothing exists
            if (gone > delivered) {
              Watermark w = Watermark.of(delivered, above).raiseTo(gone);
              raise.setLong(1, w.delivered());
              raise.setString(2, w.aboveList());
              raise.setString(3, appId);
              raise.setString(4, after);
              raise.setLong(5, delivered);
              raise.setString(6, above);
              raise.addBatch();
              raised++;
            }
          }
        }
        if (raised > 0) {
          for (int n : raise.executeBatch()) {
            moved += Math.max(n, 0);
          }
        }
        if (rows < BATCH) {
          return moved;
        }
      }
    }
  }
}
