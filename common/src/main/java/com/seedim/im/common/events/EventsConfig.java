package com.seedim.im.common.events;

import com.seedim.im.common.config.ServerConfig;
import io.vertx.core.json.JsonObject;

/**
 * The server-wide {@code events} section (docs/webhooks.md): when an unacked message becomes
 * {@code message.undelivered}, and how the delivery workers poll, hold their leases, back off and pause.
 */
public record EventsConfig(int undeliveredAfterSeconds, long pollMs, long leaseMs, int pauseAfterFailures,
                           long pauseMs, long maxBackoffMs, long replaySettleMs) {
  public static final int DEFAULT_UNDELIVERED_AFTER_SECONDS = 30;
  public static final long DEFAULT_POLL_MS = 200;
  public static final int DEFAULT_LEASE_SECONDS = 15;
  public static final int DEFAULT_PAUSE_AFTER_FAILURES = 10;
  public static final int DEFAULT_PAUSE_SECONDS = 300;
  public static final int DEFAULT_MAX_BACKOFF_SECONDS = 60;
  /**
   * Replay ({@code GET /api/v1/events}) returns events at least this old: an event is recorded inside its
   * transaction, which may commit up to a store deadline after its id was taken, so a reader paging by id must not
   * pass ids whose transactions may still commit.
   */
  public static final long DEFAULT_REPLAY_SETTLE_MS = 10_000;

  public static EventsConfig of(ServerConfig c) {
    JsonObject j = c.raw() == null ? null : c.raw().getJsonObject("events");
    return fromJson(j == null ? new JsonObject() : j);
  }

  public static EventsConfig fromJson(JsonObject j) {
    return new EventsConfig(
      j.getInteger("undeliveredAfterSeconds", DEFAULT_UNDELIVERED_AFTER_SECONDS),
      j.getLong("pollMs", DEFAULT_POLL_MS),
      j.getInteger("leaseSeconds", DEFAULT_LEASE_SECONDS) * 1000L,
      j.getInteger("pauseAfterFailures", DEFAULT_PAUSE_AFTER_FAILURES),
      j.getInteger("pauseSeconds", DEFAULT_PAUSE_SECONDS) * 1000L,
      j.getInteger("maxBackoffSeconds", DEFAULT_MAX_BACKOFF_SECONDS) * 1000L,
      j.getLong("replaySettleMs", DEFAULT_REPLAY_SETTLE_MS));
  }
}
