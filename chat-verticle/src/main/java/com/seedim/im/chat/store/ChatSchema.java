package com.seedim.im.chat.store;

import java.util.List;

/**
 * The MySQL (MariaDB) schema of the chat service. Idempotent: every statement is {@code CREATE TABLE IF NOT EXISTS}.
 * Ids are ASCII with binary collation (compared as exact strings, PROTOCOL.md §1); content is utf8mb4.
 */
public final class ChatSchema {
  private static final String ID = "VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL";

  /** Messages: history by user pair, unread by receiver and sender, undelivered by receiver, and the sweeper's scan. */
  static final String MESSAGES = """
    CREATE TABLE IF NOT EXISTS chat_messages (
      app_id %1$s,
      message_id BIGINT NOT NULL,
      sender %1$s,
      receiver %1$s,
      user_lo %1$s,
      user_hi %1$s,
      sender_device VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      uniq VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
      dedupe_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      content MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      content_type VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      send_time BIGINT NOT NULL,
      retracted TINYINT NOT NULL DEFAULT 0,
      delivered TINYINT NOT NULL DEFAULT 0,
      PRIMARY KEY (app_id, message_id),
      UNIQUE KEY uk_dedupe (app_id, sender, sender_device, uniq, dedupe_hash),
      KEY idx_pair (app_id, user_lo, user_hi, message_id),
      KEY idx_unread (app_id, receiver, sender, message_id),
      KEY idx_undelivered (app_id, receiver, delivered, message_id),
      KEY idx_sweep (delivered, message_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""".formatted(ID);

  /** One row per owner and peer: heads, unread counter, read marks and the message counter. */
  static final String CONVERSATIONS = """
    CREATE TABLE IF NOT EXISTS chat_conversations (
      app_id %1$s,
      owner %1$s,
      peer %1$s,
      last_message_id BIGINT NOT NULL,
      unread_count BIGINT NOT NULL DEFAULT 0,
      read_message_id BIGINT NOT NULL DEFAULT 0,
      peer_read_message_id BIGINT NOT NULL DEFAULT 0,
      message_count BIGINT NOT NULL DEFAULT 0,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (app_id, owner, peer),
      KEY idx_heads (app_id, owner, last_message_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""".formatted(ID);

  /** The persisted sensitive-word list per app (a JSON array), set through the HTTP API. */
  static final String SENSITIVE_WORDS = """
    CREATE TABLE IF NOT EXISTS chat_sensitive_words (
      app_id %1$s,
      words MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (app_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin""".formatted(ID);

  /**
   * Databases created before recent contacts were read through idx_heads: their idx_recent only cost index
   * maintenance on every message (updated_at changes with each one). Dropping an index is an in-place change.
   */
  static final String HAS_IDX_RECENT = "SELECT COUNT(*) AS n FROM information_schema.statistics WHERE table_schema = DATABASE() "
    + "AND table_name = 'chat_conversations' AND index_name = 'idx_recent'";
  static final String DROP_IDX_RECENT = "ALTER TABLE chat_conversations DROP INDEX idx_recent";

  public static final List<String> STATEMENTS = List.of(MESSAGES, CONVERSATIONS, SENSITIVE_WORDS);

  private ChatSchema() {
  }
}
