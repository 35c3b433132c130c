-- The chat schema as every node created it at start before migrations were versioned (ChatSchema): idempotent, so a
-- database created by those versions, which has no history table yet, runs it as a no-op and continues with V2.
-- Ids are ASCII with binary collation (compared as exact strings, PROTOCOL.md §1); content is utf8mb4.

CREATE TABLE IF NOT EXISTS chat_messages (
  app_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  message_id BIGINT NOT NULL,
  sender VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  receiver VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_lo VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_hi VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
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
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS chat_conversations (
  app_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  owner VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  peer VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  last_message_id BIGINT NOT NULL,
  unread_count BIGINT NOT NULL DEFAULT 0,
  read_message_id BIGINT NOT NULL DEFAULT 0,
  peer_read_message_id BIGINT NOT NULL DEFAULT 0,
  message_count BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (app_id, owner, peer),
  KEY idx_heads (app_id, owner, last_message_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS chat_sensitive_words (
  app_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  words MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (app_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Databases created before recent contacts were read through idx_heads still have idx_recent: it only cost index
-- maintenance on every message (updated_at changes with each one). Dropped only where it exists (DROP INDEX IF
-- EXISTS would leave a warning in the log of every fresh database).
SET @drop_idx_recent = (SELECT IF(COUNT(*) > 0, 'ALTER TABLE chat_conversations DROP INDEX idx_recent', 'DO 0')
  FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'chat_conversations'
  AND index_name = 'idx_recent');
PREPARE drop_idx_recent FROM @drop_idx_recent;
EXECUTE drop_idx_recent;
DEALLOCATE PREPARE drop_idx_recent;
