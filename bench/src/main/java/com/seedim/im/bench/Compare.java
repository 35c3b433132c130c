package com.seedim.im.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Key figures of two suite results side by side (e.g. the server before and after a fix, same suite). */
final class Compare {
  private Compare() {
  }

  static Table table(JsonObject before, JsonObject after) {
    Table t = new Table("before / after", "figure", "before (" + before.getString("label", "") + ", " + before.getString("startedAt", "").replaceAll("\\.\\d+Z$", "Z") + ")",
      "after (" + after.getString("label", "") + ", " + after.getString("startedAt", "").replaceAll("\\.\\d+Z$", "Z") + ")", "change");
    row(t, "durable chat throughput, window mode (msgs/s)", window(before, "msgsPerSec"), window(after, "msgsPerSec"));
    row(t, "  same-run relay baseline (msgs/s)", relayWindow(before), relayWindow(after));
    row(t, "  p99 latency in window mode (ms)", window(before, "p99ms"), window(after, "p99ms"));
    row(t, "highest fixed rate held (msg/s)", maxHeld(before), maxHeld(after));
    row(t, "most msgs/s delivered in a fixed-rate phase", maxFixed(before), maxFixed(after));
    row(t, "p99 at 1,000 msg/s (ms)", fixed(before, 1000, "p99ms"), fixed(after, 1000, "p99ms"));
    row(t, "MariaDB statements per stored message (window mode)", perMsg(before), perMsg(after));
    row(t, "server CPU per durable message (µs)", cpuPerMsg(before, "seedim"), cpuPerMsg(after, "seedim"));
    row(t, "MariaDB CPU per durable message (µs)", cpuPerMsg(before, "mariadbd"), cpuPerMsg(after, "mariadbd"));
    row(t, "Redis CPU per durable message (µs)", cpuPerMsg(before, "redis"), cpuPerMsg(after, "redis"));
    row(t, "dev mode CPU per message, ratio to the relay (50 pairs, window 1)", devRatio(before), devRatio(after));
    row(t, "signed connects/s (ramp)", num(before, "held", "handshakesPerSec"), num(after, "held", "handshakesPerSec"));
    row(t, "handshakes refused during the ramp", num(before, "held", "failed"), num(after, "held", "failed"));
    row(t, "server CPU per signed connect (µs)", num(before, "held", "cpuUsPerConnect"), num(after, "held", "cpuUsPerConnect"));
    row(t, "live heap per idle connection (KB)", num(before, "held", "heapPerConnKb"), num(after, "held", "heapPerConnKb"));
    row(t, "RSS per idle connection (KB)", num(before, "held", "rssPerConnKb"), num(after, "held", "rssPerConnKb"));
    row(t, "reconnect storm: all back (s)", div(num(before, "storm", "allBackMs"), 1000), div(num(after, "storm", "allBackMs"), 1000));
    row(t, "  same storm against the relay: all back (s)", div(num(before, "stormRelay", "allBackMs"), 1000),
      div(num(after, "stormRelay", "allBackMs"), 1000));
    row(t, "reconnect storm: connect attempts", num(before, "storm", "attempts"), num(after, "storm", "attempts"));
    row(t, "reconnect storm: messages undelivered", num(before, "storm", "lost"), num(after, "storm", "lost"));
    row(t, "fan-out, worst take (ms)", fanout(before), fanout(after));
    row(t, "bus requests timed out, scenarios 1-5 (connect steps; server log)", num(before, "busTimeouts", "server"),
      num(after, "busTimeouts", "server"));
    row(t, "two clustered gateways: connections held", num(before, "cluster", "openAfterIdle"), num(after, "cluster", "openAfterIdle"));
    row(t, "two clustered gateways: signed connects/s", num(before, "cluster", "handshakesPerSec"),
      num(after, "cluster", "handshakesPerSec"));
    row(t, "two clustered gateways: bus requests timed out (gateway logs)", num(before, "busTimeouts", "cluster"),
      num(after, "busTimeouts", "cluster"));
    row(t, "two clustered gateways: RSS per idle connection, gw1 (KB)", clusterGw(before, "rssPerConnKb"),
      clusterGw(after, "rssPerConnKb"));
    return t;
  }

  private static void row(Table t, String name, Double b, Double a) {
    String change = b == null || a == null || b == 0 || b.isNaN() || a.isNaN() ? "" : String.format("%+.0f %%", 100 * (a - b) / b);
    t.row(name, b, a, change);
  }

  private static Double clusterGw(JsonObject r, String key) {
    JsonObject c = r.getJsonObject("cluster");
    if (c == null || c.getJsonArray("perGateway") == null || c.getJsonArray("perGateway").isEmpty()) {
      return null;
    }
    Object v = c.getJsonArray("perGateway").getJsonObject(0).getValue(key);
    return v instanceof Number n ? n.doubleValue() : null;
  }

  private static Double div(Double v, double d) {
    return v == null ? null : v / d;
  }

  private static Double num(JsonObject r, String section, String key) {
    JsonObject s = r.getJsonObject(section);
    if (s == null || s.getValue(key) == null) {
      return null;
    }
    return ((Number) s.getValue(key)).doubleValue();
  }

  /** The chat phases of one target ("seedim" or "relay"), window mode ({@code fixed} false) or fixed-rate. */
  private static java.util.List<JsonObject> phases(JsonObject r, String target, boolean fixed) {
    java.util.List<JsonObject> out = new java.util.ArrayList<>();
    JsonArray c = r.getJsonArray("chat", new JsonArray());
    for (int i = 0; i < c.size(); i++) {
      JsonObject p = c.getJsonObject(i);
      if (target.equals(p.getString("target")) && fixed == "fixed".equals(p.getString("mode"))) {
        out.add(p);
      }
    }
    return out;
  }

  private static Double window(JsonObject r, String key) {
    return phases(r, "seedim", false).stream().findFirst().map(p -> p.getDouble(key)).orElse(null);
  }

  private static Double relayWindow(JsonObject r) {
    return phases(r, "relay", false).stream().findFirst().map(p -> p.getDouble("msgsPerSec")).orElse(null);
  }

  private static Double fixed(JsonObject r, double rate, String key) {
    return phases(r, "seedim", true).stream().filter(p -> p.getDouble("offeredPerSec") == rate).findFirst()
      .map(p -> p.getDouble(key)).orElse(null);
  }

  private static Double maxHeld(JsonObject r) {
    return phases(r, "seedim", true).stream().filter(p -> p.getBoolean("rateHeld"))
      .mapToDouble(p -> p.getDouble("offeredPerSec")).max().orElse(0);
  }

  private static Double maxFixed(JsonObject r) {
    return phases(r, "seedim", true).stream().mapToDouble(p -> p.getDouble("msgsPerSec")).max().orElse(0);
  }

  /** Statements (BEGIN, SELECT, INSERT, UPDATE, COMMIT, ...) per message stored and delivered in window mode. */
  private static Double perMsg(JsonObject r) {
    return phases(r, "seedim", false).stream().filter(p -> p.getJsonObject("mariadb") != null).findFirst().map(p -> {
      Long q = p.getJsonObject("mariadb").getLong("QuestionsPerSec");
      Double msgs = p.getDouble("msgsPerSec");
      return q == null || msgs == null || msgs == 0 ? null : q / msgs;
    }).orElse(null);
  }

  /** A process's CPU per message in the durable window phase (µs), or null. */
  private static Double cpuPerMsg(JsonObject r, String process) {
    JsonObject p = Targets.durableWindow(r);
    if (p == null || p.getJsonObject("cpu") == null || p.getJsonObject("cpu").getDouble(process) == null) {
      return null;
    }
    return DevMode.usPerMsg(p.getJsonObject("cpu").getDouble(process), p.getDouble("msgsPerSec"));
  }

  private static Double devRatio(JsonObject r) {
    JsonObject d = Targets.issueDevRow(r.getJsonObject("dev"));
    return d == null ? null : d.getDouble("cpuRatio");
  }

  private static Double fanout(JsonObject r) {
    JsonObject f = r.getJsonObject("fanout");
    if (f == null) {
      return null;
    }
    double worst = 0;
    for (int i = 0; i < f.getJsonArray("takes").size(); i++) {
      worst = Math.max(worst, f.getJsonArray("takes").getJsonObject(i).getDouble("allMs"));
    }
    return worst;
  }
}
