package com.seedim.im.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The store work behind one unit of load (a connect, a chat message): Redis commands by name ({@code INFO
 * commandstats}) and MariaDB statements ({@code SHOW GLOBAL STATUS}: Questions and the Com_* counters) counted
 * between two snapshots and divided by the units done meanwhile. The counters are the servers' global ones, so
 * another client of the same MariaDB / Redis during the phase is counted too: run the suite on a quiet machine.
 */
final class StoreOps {
  /** Commands the bench itself sends while measuring (its own INFO): not the server's. */
  private static final List<String> OWN_REDIS_COMMANDS = List.of("info");
  /** Statement kinds listed per unit (the Com_* counters with the most calls). */
  static final int TOP = 12;

  private StoreOps() {
  }

  /** Counter values at one moment: Redis calls per command, MariaDB Questions and Com_* counters. */
  record Snapshot(Map<String, Long> redis, Map<String, Long> maria) {
  }

  static Snapshot take() {
    return new Snapshot(redisCalls(), mariaCounters());
  }

  /** Calls per command since the Redis server started, from {@code INFO commandstats}; empty if unreachable. */
  static Map<String, Long> redisCalls() {
    Map<String, Long> m = new LinkedHashMap<>();
    try (Resp r = new Resp("127.0.0.1", 6379)) {
      Object info = r.call("INFO", "commandstats");
      if (info instanceof String s) {
        for (String l : s.split("\r\n")) {
          // cmdstat_get:calls=12,usec=34,usec_per_call=2.83,rejected_calls=0,failed_calls=0
          if (l.startsWith("cmdstat_") && l.contains("calls=")) {
            String name = l.substring(8, l.indexOf(':'));
            String calls = l.substring(l.indexOf("calls=") + 6);
            int end = calls.indexOf(',');
            m.put(name, Long.parseLong(end < 0 ? calls : calls.substring(0, end)));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    return m;
  }

  /** MariaDB's Questions and Com_* status counters; empty if the CLI is missing. */
  static Map<String, Long> mariaCounters() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String l : Services.sql("SHOW GLOBAL STATUS WHERE Variable_name = 'Questions' OR Variable_name LIKE 'Com%'").split("\n")) {
      String[] f = l.trim().split("\\s+");
      if (f.length == 2 && (f[0].equals("Questions") || f[0].startsWith("Com_"))) {
        try {
          m.put(f[0], Long.parseLong(f[1]));
        } catch (NumberFormatException ignored) {
          // not a counter
        }
      }
    }
    return m;
  }

  /**
   * Per unit between {@code a} and {@code b}: {@code redisCommandsPer} (all commands but the bench's own INFO),
   * {@code redisTop} (per command), {@code mariaStatementsPer} (Questions), {@code mariaTop} (Com_* per kind).
   */
  static JsonObject perUnit(Snapshot a, Snapshot b, long units) {
    JsonObject j = new JsonObject().put("units", units);
    if (units <= 0) {
      return j;
    }
    long redisTotal = 0;
    List<Map.Entry<String, Long>> redis = new ArrayList<>();
    for (var e : b.redis().entrySet()) {
      long d = e.getValue() - a.redis().getOrDefault(e.getKey(), 0L);
      if (d > 0 && !OWN_REDIS_COMMANDS.contains(e.getKey())) {
        redisTotal += d;
        redis.add(Map.entry(e.getKey(), d));
      }
    }
    List<Map.Entry<String, Long>> maria = new ArrayList<>();
    for (var e : b.maria().entrySet()) {
      Long before = a.maria().get(e.getKey());
      if (before != null && e.getKey().startsWith("Com_") && e.getValue() - before > 0) {
        maria.add(Map.entry(e.getKey().substring(4), e.getValue() - before));
      }
    }
    if (!b.redis().isEmpty()) {
      j.put("redisCommands", redisTotal).put("redisCommandsPer", round(redisTotal / (double) units))
        .put("redisTop", top(redis, units));
    }
    Long q0 = a.maria().get("Questions");
    Long q1 = b.maria().get("Questions");
    if (q0 != null && q1 != null) {
      j.put("mariaStatements", q1 - q0).put("mariaStatementsPer", round((q1 - q0) / (double) units))
        .put("mariaTop", top(maria, units));
    }
    return j;
  }

  private static JsonArray top(List<Map.Entry<String, Long>> counts, long units) {
    counts.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
    JsonArray a = new JsonArray();
    for (int i = 0; i < Math.min(TOP, counts.size()); i++) {
      a.add(new JsonObject().put("name", counts.get(i).getKey()).put("calls", counts.get(i).getValue())
        .put("per", round(counts.get(i).getValue() / (double) units)));
    }
    return a;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** "3.02 (hget 1.00, set 1.00, ...)" from a {@link #perUnit} answer; {@code redis} picks the store. */
  static String describe(JsonObject j, boolean redis) {
    if (j == null || !j.containsKey(redis ? "redisCommandsPer" : "mariaStatementsPer")) {
      return "not measured";
    }
    StringBuilder sb = new StringBuilder(Table.fmt(j.getDouble(redis ? "redisCommandsPer" : "mariaStatementsPer")));
    JsonArray top = j.getJsonArray(redis ? "redisTop" : "mariaTop", new JsonArray());
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < top.size(); i++) {
      JsonObject t = top.getJsonObject(i);
      if (t.getDouble("per") >= 0.01) {
        parts.add(t.getString("name") + " " + Table.fmt(t.getDouble("per")));
      }
    }
    if (!parts.isEmpty()) {
      sb.append(" (").append(String.join(", ", parts)).append(')');
    }
    return sb.toString();
  }
}
