-- The event outbox (docs/webhooks.md). event_log holds every recorded event of the apps that record events (the
-- source of GET /api/v1/events, kept webhooks.retentionHours); message events are written in the transaction of the
-- change they report. event_pending holds, per endpoint, the events it has not got yet (deleted as they are
-- delivered). event_workers holds the leases of the delivery workers and of the undelivered scan (one node at a time
-- each), the scan's position, and each endpoint's failure state (backoff, pause, last error).

CREATE TABLE event_log (
  app_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  event_id BIGINT NOT NULL,
  type VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  created_at BIGINT NOT NULL,
  data MEDIUMTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  PRIMARY KEY (app_id, event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE event_pending (
  app_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  endpoint VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  event_id BIGINT NOT NULL,
  PRIMARY KEY (app_id, endpoint, event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE event_workers (
  name VARCHAR(200) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  owner VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  lease_until BIGINT NOT NULL DEFAULT 0,
  position BIGINT NOT NULL DEFAULT 0,
  failures INT NOT NULL DEFAULT 0,
  next_try_at BIGINT NOT NULL DEFAULT 0,
  paused_until BIGINT NOT NULL DEFAULT 0,
  last_error VARCHAR(300) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '',
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
