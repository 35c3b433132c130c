package com.seedim.im.chat;

import com.seedim.im.common.config.ServerConfig;
import io.vertx.core.json.JsonObject;

/**
 * The chat service's settings, read once from the config's {@code "chat"} object (defaults here only).
 *
 * @param sweepPeriodMs how often the undelivered sweeper runs
 * @param sweepMinAgeMs messages younger than this are left to the first push (PROTOCOL.md §4: 30 s); tests that wait
 *                      for a sweep lower both
 * @param instances     chat verticle instances the launcher deploys on a node (default: one per core), so that a chat
 *                      node uses all its cores; they share one store (one group commit) and one sweeper
 */
record ChatConfig(long sweepPeriodMs, long sweepMinAgeMs, int instances) {
  static final long DEFAULT_SWEEP_PERIOD_MS = 10_000;
  static final long DEFAULT_SWEEP_MIN_AGE_MS = 30_000;

  static ChatConfig of(ServerConfig config) {
    JsonObject j = config.raw().getJsonObject("chat", new JsonObject());
    return new ChatConfig(j.getLong("sweepPeriodMs", DEFAULT_SWEEP_PERIOD_MS),
      j.getLong("sweepMinAgeMs", DEFAULT_SWEEP_MIN_AGE_MS),
      Math.max(1, j.getInteger("instances", Runtime.getRuntime().availableProcessors())));
  }
}
