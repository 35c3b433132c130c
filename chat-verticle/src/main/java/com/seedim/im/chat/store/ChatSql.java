package com.seedim.im.chat.store;

import java.util.Collections;

/**
 * Every statement of {@link MySqlChatStore} (the schema itself is in the Flyway migrations under
 * {@code db/migration}). Batched statements come from the methods taking a row count; their callers pad the counts to
 * powers of two where they can, so the shapes are few and stay in the prepared-statement cache.
 *
 * <p>A message's {@code delivered} is not stored: it is derived from its receiver's inbox ({@link #MSG_FROM}):
 * retracted, at or below the watermark, or one of the acks above it.
 */
final class ChatSql {
  private static final String MSG_COLS = "m.app_id, m.message_id, m.sender, m.receiver, m.sender_device, m.content, "
    + "m.content_type, m.send_time, m.retracted";
  /** Message columns with the derived delivered flag; needs {@link #MSG_FROM}'s join (alias d). */
  static final String MSG = MSG_COLS + ", (m.retracted = 1 OR COALESCE(m.seq <= d.delivered_seq "
    + "OR FIND_IN_SET(m.seq, d.acked_above) > 0, FALSE)) AS delivered";
  /** Message columns of messages known to be undelivered. */
  private static final String MSG_UNDELIVERED = MSG_COLS + ", 0 AS delivered";
  private static final String CONV_COLS = "c.peer, c.last_message_id, c.unread_count, c.read_message_id, "
    + "c.peer_read_message_id, c.message_count, c.updated_at";
  private static final String JOIN_DELIVERY = " LEFT JOIN chat_deliveries d ON d.app_id = m.app_id AND d.user_id = m.receiver";
  /** Undelivered: above the receiver's watermark ({@code d}), not retracted, not acked out of order. */
  private static final String JOIN_UNDELIVERED = " JOIN chat_messages m FORCE INDEX (idx_inbox) ON m.app_id = d.app_id "
    + "AND m.receiver = d.user_id AND m.seq > d.delivered_seq";
  private static final String UNDELIVERED_WHERE = " AND m.retracted = 0 AND FIND_IN_SET(m.seq, d.acked_above) = 0";
  static final String MSG_FROM = " FROM chat_messages m" + JOIN_DELIVERY;

  // ---- sends ----------------------------------------------------------------------------------------------------

  static final String RELEASE_UNIQUE = "UPDATE chat_messages SET uniq = NULL WHERE app_id = ? AND message_id = ?";

  /** Committed messages with any of {@code n} dedupe keys (FORCE INDEX: see {@link #deliveryMessages}). */
  static String findDuplicates(int n) {
    return "SELECT " + MSG + ", m.uniq, m.dedupe_hash FROM chat_messages m FORCE INDEX (uk_dedupe)" + JOIN_DELIVERY
      + " WHERE " + repeat("(m.app_id = ? AND m.sender = ? AND m.sender_device = ? AND m.uniq = ? AND m.dedupe_hash = ?)",
      " OR ", n);
  }

  /**
   * Takes the next sequences of {@code n} inboxes and returns each one's new last_seq (MariaDB's RETURNING: no
   * read-back statement). Rows in (app, user) order: the lock order of every writer.
   */
  static String bumpInboxes(int n) {
    return "INSERT INTO chat_inboxes (app_id, user_id, last_seq) VALUES " + repeat("(?, ?, ?)", ", ", n)
      + " ON DUPLICATE KEY UPDATE last_seq = last_seq + VALUES(last_seq) RETURNING app_id, user_id, last_seq";
  }

  /**
   * The delivery rows of inboxes this batch created, inserted before any of their messages commits, so a delivered
   * ack always finds its row and never takes a gap lock to insert one.
   */
  static String newDeliveries(int n) {
    return "INSERT IGNORE INTO chat_deliveries (app_id, user_id) VALUES " + repeat("(?, ?)", ", ", n);
  }

  static String insertMessages(int n) {
    return "INSERT INTO chat_messages (app_id, message_id, sender, receiver, seq, user_lo, user_hi, sender_device, uniq, "
      + "dedupe_hash, content, content_type, send_time) VALUES " + repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ", ", n);
  }

  /** Both rows of each message's conversation; only the receiver's unread grows, and only above its read mark. */
  static String upsertConversations(int n) {
    return "INSERT INTO chat_conversations (app_id, owner, peer, last_message_id, unread_count, read_message_id, "
      + "peer_read_message_id, message_count, updated_at) VALUES " + repeat("(?, ?, ?, ?, ?, 0, 0, 1, ?)", ", ", n)
      + " ON DUPLICATE KEY UPDATE "
      + "unread_count = unread_count + IF(VALUES(last_message_id) > read_message_id, VALUES(unread_count), 0), "
      + "last_message_id = GREATEST(last_message_id, VALUES(last_message_id)), "
      + "message_count = message_count + 1, updated_at = VALUES(updated_at)";
  }

  // ---- delivered acks -------------------------------------------------------------------------------------------

  /**
   * The acked messages of one app by primary key. FORCE INDEX: on a table that grows fast, stale index statistics
   * sometimes made MariaDB read a whole secondary index range instead of the listed primary keys.
   */
  static String deliveryMessages(int n) {
    return "SELECT " + MSG_COLS + ", m.seq FROM chat_messages m FORCE INDEX (PRIMARY) WHERE m.app_id = ? "
      + "AND m.message_id IN (" + placeholders(n) + ")";
  }

  /** The receivers' watermarks and acks above them, locked (sends only create these rows). */
  static String lockDeliveries(int n) {
    return "SELECT user_id, delivered_seq, acked_above FROM chat_deliveries WHERE app_id = ? AND user_id IN ("
      + placeholders(n) + ") ORDER BY user_id FOR UPDATE";
  }

  /** Moved watermarks and their acks above (params per row: app, user, watermark, list). */
  static String setDeliveries(int n) {
    return "INSERT INTO chat_deliveries (app_id, user_id, delivered_seq, acked_above) VALUES " + repeat("(?, ?, ?, ?)", ", ", n)
      + " ON DUPLICATE KEY UPDATE delivered_seq = VALUES(delivered_seq), acked_above = VALUES(acked_above)";
  }

  // ---- reads, retraction, read marks ----------------------------------------------------------------------------

  static final String MESSAGE_BY_ID = "SELECT " + MSG + MSG_FROM + " WHERE m.app_id = ? AND m.message_id = ?";
  static final String LOCK_MESSAGE = "SELECT " + MSG_COLS + ", m.seq FROM chat_messages m WHERE m.app_id = ? "
    + "AND m.message_id = ? FOR UPDATE";
  static final String SET_RETRACTED = "UPDATE chat_messages SET retracted = 1 WHERE app_id = ? AND message_id = ?";
  static final String LOCK_PAIR = "SELECT owner, peer, read_message_id FROM chat_conversations WHERE app_id = ? AND "
    + "((owner = ? AND peer = ?) OR (owner = ? AND peer = ?)) ORDER BY owner FOR UPDATE";
  /** The latest message to the receiver in the pair (params: app, user_lo, user_hi, receiver). */
  static final String LATEST_TO = "SELECT message_id FROM chat_messages FORCE INDEX (idx_pair) WHERE app_id = ? "
    + "AND user_lo = ? AND user_hi = ? AND receiver = ? ORDER BY message_id DESC LIMIT 1";
  /** Unread messages to the receiver in the pair above a read mark (params: app, user_lo, user_hi, mark, receiver). */
  static final String COUNT_UNREAD = "SELECT COUNT(*) AS n FROM chat_messages FORCE INDEX (idx_pair) WHERE app_id = ? "
    + "AND user_lo = ? AND user_hi = ? AND message_id > ? AND receiver = ? AND retracted = 0";
  static final String SET_READ = "UPDATE chat_conversations SET read_message_id = ?, unread_count = ?, updated_at = ? "
    + "WHERE app_id = ? AND owner = ? AND peer = ?";
  static final String SET_PEER_READ = "UPDATE chat_conversations SET peer_read_message_id = "
    + "GREATEST(peer_read_message_id, ?), updated_at = ? WHERE app_id = ? AND owner = ? AND peer = ?";
  static final String SET_UNREAD = "UPDATE chat_conversations SET unread_count = ?, updated_at = ? "
    + "WHERE app_id = ? AND owner = ? AND peer = ?";
  static final String TOUCH = "UPDATE chat_conversations SET updated_at = ? WHERE app_id = ? AND owner = ? AND peer = ?";
  static final String CONVERSATION = "SELECT " + CONV_COLS + " FROM chat_conversations c "
    + "WHERE c.app_id = ? AND c.owner = ? AND c.peer = ?";
  private static final String HISTORY_FROM = "SELECT " + MSG + " FROM chat_messages m FORCE INDEX (idx_pair)" + JOIN_DELIVERY
    + " WHERE m.app_id = ? AND m.user_lo = ? AND m.user_hi = ?";
  private static final String HISTORY_PAGE = " ORDER BY m.message_id DESC LIMIT ? OFFSET ?";
  static final String HISTORY = HISTORY_FROM + HISTORY_PAGE;
  static final String HISTORY_BEFORE = HISTORY_FROM + " AND m.message_id < ?" + HISTORY_PAGE;
  /** A window of the pair's messages by id, oldest first (params: app, user_lo, user_hi, from id, to id, limit). */
  static final String BETWEEN = HISTORY_FROM + " AND m.message_id BETWEEN ? AND ? ORDER BY m.message_id LIMIT ?";
  static final String UNREAD_TOTAL = "SELECT COALESCE(SUM(unread_count), 0) AS n FROM chat_conversations "
    + "WHERE app_id = ? AND owner = ?";
  static final String UNREAD_TOTAL_PEER = UNREAD_TOTAL + " AND peer = ?";
  static final String UNREAD_TOP = "SELECT peer, unread_count FROM chat_conversations WHERE app_id = ? AND owner = ? "
    + "AND unread_count > 0 ORDER BY unread_count DESC, peer LIMIT ?";
  /** Unread messages through the pair index: above the owner's read mark, to the owner, not retracted. */
  private static final String UNREAD_FROM = "SELECT " + MSG + " FROM chat_conversations c JOIN chat_messages m "
    + "FORCE INDEX (idx_pair) ON m.app_id = c.app_id AND m.user_lo = LEAST(c.owner, c.peer) "
    + "AND m.user_hi = GREATEST(c.owner, c.peer) AND m.message_id > c.read_message_id AND m.receiver = c.owner"
    + JOIN_DELIVERY + " WHERE c.app_id = ? AND c.owner = ? AND c.unread_count > 0 AND m.retracted = 0";
  static final String UNREAD_MESSAGES = UNREAD_FROM + " ORDER BY m.message_id LIMIT ?";
  static final String UNREAD_MESSAGES_PEER = UNREAD_FROM + " AND c.peer = ? ORDER BY m.message_id LIMIT ?";
  /**
   * The sweeper: undelivered messages of every app in an id range. Without a delivered flag there is no index on
   * it; the scan walks the inboxes with a backlog (last_seq above the watermark) and their messages above it.
   */
  static final String UNDELIVERED_BETWEEN = "SELECT " + MSG_UNDELIVERED + " FROM chat_inboxes i JOIN chat_deliveries d "
    + "ON d.app_id = i.app_id AND d.user_id = i.user_id AND i.last_seq > d.delivered_seq" + JOIN_UNDELIVERED
    + " WHERE m.message_id BETWEEN ? AND ?" + UNDELIVERED_WHERE
    + " ORDER BY m.message_id LIMIT ?";
  static final String WORDS = "SELECT words FROM chat_sensitive_words WHERE app_id = ?";
  static final String SAVE_WORDS = "INSERT INTO chat_sensitive_words (app_id, words, updated_at) VALUES (?, ?, ?) "
    + "ON DUPLICATE KEY UPDATE words = VALUES(words), updated_at = VALUES(updated_at)";

  static String contactsAmong(int n) {
    return "SELECT peer FROM chat_conversations WHERE app_id = ? AND owner = ? AND peer IN (" + placeholders(n) + ")";
  }

  // ---- connect-time reads: three UNION ALL branches per user (params each: branch, app, user, lower bound, limit) --

  private static final String HEADS_BRANCH = "(SELECT ? AS k, " + CONV_COLS + ", " + MSG + " FROM chat_conversations c "
    + "FORCE INDEX (idx_heads) JOIN chat_messages m ON m.app_id = c.app_id AND m.message_id = c.last_message_id"
    + JOIN_DELIVERY + " WHERE c.app_id = ? AND c.owner = ? AND c.updated_at >= ? ORDER BY c.last_message_id DESC LIMIT ?)";

  /** Conversation columns of {@link #HEADS_BRANCH} as NULLs (branches of other kinds in one connect read). */
  private static final String NO_CONV = repeat("NULL", ", ", 7);
  /** Message columns of {@link #HEADS_BRANCH} as NULLs. */
  private static final String NO_MSG = repeat("NULL", ", ", 10);
  /**
   * One connect's three lookups as {@link #HEADS_BRANCH}-shaped branches, so a batch of connects is one statement:
   * heads, then undelivered messages (conversation columns NULL), then recent peers (only {@code peer} set). The
   * heads branch comes first, so the union's column names are its names.
   */
  static final String CONNECT_BRANCHES = HEADS_BRANCH
    + " UNION ALL (SELECT ? AS k, " + NO_CONV + ", " + MSG_UNDELIVERED + " FROM chat_deliveries d" + JOIN_UNDELIVERED
    + " WHERE d.app_id = ? AND d.user_id = ? AND m.message_id >= ?" + UNDELIVERED_WHERE + " ORDER BY m.seq LIMIT ?)"
    + " UNION ALL (SELECT ? AS k, peer, " + repeat("NULL", ", ", 6) + ", " + NO_MSG
    + " FROM chat_conversations FORCE INDEX (idx_heads) WHERE app_id = ? AND owner = ? AND last_message_id >= ? "
    + "ORDER BY last_message_id DESC LIMIT ?)";
  /** Branches per connect in {@link #CONNECT_BRANCHES}. */
  static final int CONNECT_KINDS = 3;

  static String unionAll(String branch, int n) {
    return repeat(branch, " UNION ALL ", n);
  }

  static String placeholders(int n) {
    return repeat("?", ", ", n);
  }

  private static String repeat(String item, String separator, int n) {
    return String.join(separator, Collections.nCopies(n, item));
  }

  private ChatSql() {
  }
}
