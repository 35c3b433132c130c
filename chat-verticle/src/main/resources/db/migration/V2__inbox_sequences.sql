-- Delivery on sequences and watermarks (docs/architecture.md, Storage): every message gets the next sequence of its
-- receiver's inbox (chat_inboxes, written by sends); chat_deliveries.delivered_seq says every message up to it was
-- delivered, and acked_above lists the few sequences above it acked (or retracted) out of order (written by acks).
-- Sends and acks of one receiver write different rows, so neither waits for the other's commit. A delivered ack
-- writes one row instead of flipping a flag through two secondary indexes of the message table. The list stays short:
-- a gap closes when the message is acked, and an unacked message is pushed again by the sweeper and on connect
-- (MEDIUMTEXT only so that a client that never acks one message cannot make every later ack fail).

CREATE TABLE chat_inboxes (
  app_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  last_seq BIGINT NOT NULL,
  PRIMARY KEY (app_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE chat_deliveries (
  app_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  delivered_seq BIGINT NOT NULL DEFAULT 0,
  acked_above MEDIUMTEXT CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  PRIMARY KEY (app_id, user_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE chat_messages ADD COLUMN seq BIGINT NOT NULL DEFAULT 0 AFTER receiver;

-- The data move: existing messages are numbered per receiver in id (time) order ...
UPDATE chat_messages m JOIN (
  SELECT app_id, message_id, ROW_NUMBER() OVER (PARTITION BY app_id, receiver ORDER BY message_id) AS rn
  FROM chat_messages) s ON s.app_id = m.app_id AND s.message_id = m.message_id
SET m.seq = s.rn;

INSERT INTO chat_inboxes (app_id, user_id, last_seq)
SELECT app_id, receiver, MAX(seq) FROM chat_messages GROUP BY app_id, receiver;

-- ... each watermark stops below its receiver's oldest message still undelivered (retracted ones count as
-- delivered) ...
INSERT INTO chat_deliveries (app_id, user_id, delivered_seq)
SELECT app_id, receiver, COALESCE(MIN(CASE WHEN delivered = 0 AND retracted = 0 THEN seq END) - 1, MAX(seq))
FROM chat_messages GROUP BY app_id, receiver;

-- ... and the delivered ones above it become its acked_above list.
SET SESSION group_concat_max_len = 16777216;
UPDATE chat_deliveries d JOIN (
  SELECT m.app_id, m.receiver, GROUP_CONCAT(m.seq ORDER BY m.seq SEPARATOR ',') AS above
  FROM chat_messages m JOIN chat_deliveries w ON w.app_id = m.app_id AND w.user_id = m.receiver
  WHERE m.seq > w.delivered_seq AND (m.delivered = 1 OR m.retracted = 1)
  GROUP BY m.app_id, m.receiver) x ON x.app_id = d.app_id AND x.receiver = d.user_id
SET d.acked_above = x.above;

-- Fewer indexes: replay on connect reads idx_inbox above the watermark, unread reads idx_pair, and the delivered
-- flag (with idx_undelivered and idx_sweep) is gone.
ALTER TABLE chat_messages
  DROP INDEX idx_unread,
  DROP INDEX idx_undelivered,
  DROP INDEX idx_sweep,
  DROP COLUMN delivered,
  ADD KEY idx_inbox (app_id, receiver, seq);
