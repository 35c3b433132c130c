package com.seedim.im.chat.store;

import com.seedim.im.common.id.IdGenerator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Deletes one app's chat history older than its retention ({@code messageRetentionDays}), for {@code seedim purge}.
 * Message ids grow with time ({@link IdGenerator#firstIdAt}), so "older than" is a range of the primary key: each
 * statement deletes at most {@link #BATCH} rows, keeping locks and undo short while nodes serve. Conversations whose
 * latest message is older go with their messages (their heads, unread counts and read marks); a conversation with a
 * newer message keeps its counts. Blocking JDBC: run on a command's own thread, never on an event loop.
 */
public final class ChatRetention {
  /** Rows per DELETE statement. */
  public static final int BATCH = 5_000;

  private static final String DELETE_MESSAGES = "DELETE FROM chat_messages WHERE app_id = ? AND message_id < ? LIMIT " + BATCH;
  private static final String DELETE_CONVERSATIONS =
    "DELETE FROM chat_conversations WHERE app_id = ? AND last_message_id < ? LIMIT " + BATCH;

  /** What one purge deleted. */
  public record Purged(long messages, long conversations) {
  }

  private ChatRetention() {
  }

  /** The first message id kept when messages older than {@code days} are purged at {@code nowMs}. */
  public static long floorId(long nowMs, int days) {
    return IdGenerator.firstIdAt(nowMs - days * 86_400_000L);
  }

  /** Deletes the app's messages and conversations below {@code floorId}, in batches (autocommit per batch). */
  public static Purged purge(Connection conn, String appId, long floorId) throws SQLException {
    long messages = deleteAll(conn, DELETE_MESSAGES, appId, floorId);
    long conversations = deleteAll(conn, DELETE_CONVERSATIONS, appId, floorId);
    return new Purged(messages, conversations);
  }

  static long deleteAll(Connection conn, String sql, String appId, long bound) throws SQLException {
    long total = 0;
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      while (true) {
        ps.setString(1, appId);
        ps.setLong(2, bound);
        int n = ps.executeUpdate();
        total += n;
        if (n < BATCH) {
          return total;
        }
      }
    }
  }
}
