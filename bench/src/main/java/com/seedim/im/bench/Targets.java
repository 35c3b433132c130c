package com.seedim.im.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The targets tables of docs/benchmarks.md from one suite's results: the performance issue's (issue 13) targets,
 * each against the same-run relay where the target is relative, and the earlier issues' targets that the suite
 * still checks. CPU per message is a process's CPU from /proc during a phase (% of one core) / 100 × 10⁶ / the
 * phase's delivered msgs/s.
 */
final class Targets {
  static final double THROUGHPUT = 12_000;
  static final double SERVER_US_PER_MSG = 60;
  static final double STORES_US_PER_MSG = 50;
  static final double DEV_CPU_RATIO = 1.5;
  static final double LATENCY_RATE = 5_000;
  static final double P99_MS = 20;
  static final double P999_MS = 50;
  static final double CONNECT_CPU_RATIO = 2;
  static final double CONNECT_RATE_RATIO = 0.8;
  static final double STORM_RATIO = 1.5;
  static final double RSS_KB = 8;

  private Targets() {
  }

  /** The performance issue's targets (issue 13). */
  static Table issue(JsonObject r) {
    Table t = new Table("targets", "figure", "target", "result", "met", "missed by", "evidence (what bounds it)");
    JsonObject win = durableWindow(r);
    if (win != null) {
      double v = win.getDouble("msgsPerSec");
      JsonObject base = Tables.baselineOf(r.getJsonArray("chat"), win);
      String ratio = base == null ? "" : "; " + Table.fmt(v / base.getDouble("msgsPerSec")) + " × the same-run relay ("
        + Table.fmt(base.getDouble("msgsPerSec")) + " msgs/s)";
      t.row("durable chat throughput (window mode, " + win.getString("mode") + ")", "≥ 12,000 msgs/s",
        Table.fmt(v) + " msgs/s (p99 " + Table.fmt(win.getDouble("p99ms")) + " ms)" + ratio, ok(v >= THROUGHPUT),
        miss(THROUGHPUT - v, THROUGHPUT, " msgs/s"), Report.cpu(win.getJsonObject("cpu")) + mariadb(win.getJsonObject("mariadb")));
      JsonObject c = win.getJsonObject("cpu", new JsonObject());
      double server = DevMode.usPerMsg(c.getDouble("seedim", -1.0), v);
      double maria = DevMode.usPerMsg(c.getDouble("mariadbd", -1.0), v);
      double redis = DevMode.usPerMsg(c.getDouble("redis", -1.0), v);
      JsonObject ops = win.getJsonObject("storeOpsPerMsg");
      t.row("server CPU per durable message", "≤ 60 µs", Table.fmt(server) + " µs", ok(server <= SERVER_US_PER_MSG),
        miss(server - SERVER_US_PER_MSG, SERVER_US_PER_MSG, " µs"), "seedim " + pct(c, "seedim") + threads(win.getJsonObject("threads")));
      t.row("  MariaDB CPU per durable message", "(with Redis ≤ 50 µs)", Table.fmt(maria) + " µs", "", "",
        "mariadbd " + pct(c, "mariadbd") + "; statements per message " + StoreOps.describe(ops, false));
      t.row("  Redis CPU per durable message", "(with MariaDB ≤ 50 µs)", Table.fmt(redis) + " µs", "", "",
        "redis " + pct(c, "redis") + "; commands per message " + StoreOps.describe(ops, true));
      double stores = maria + redis;
      t.row("MariaDB + Redis CPU per durable message", "≤ 50 µs together", Table.fmt(stores) + " µs", ok(stores <= STORES_US_PER_MSG),
        miss(stores - STORES_US_PER_MSG, STORES_US_PER_MSG, " µs"), "durability settings unchanged" + mariadb(win.getJsonObject("mariadb")));
    }
    JsonObject dev = issueDevRow(r.getJsonObject("dev"));
    if (dev != null) {
      double ratio = dev.getDouble("cpuRatio");
      boolean both = dev.getBoolean("bothCores");
      t.row("dev mode (in-memory) CPU per message, " + dev.getString("load"), "≤ 1.5 × the same-run relay's, both cores used",
        Table.fmt(dev.getDouble("devUsPerMsg")) + " µs vs relay " + Table.fmt(dev.getDouble("relayUsPerMsg")) + " µs = "
          + Table.fmt(ratio) + " ×; " + (both ? "both cores used" : "NOT both cores") + " (dev server " + Table.fmt(dev.getDouble("devCpuPct"))
          + " % of a core, busy event loops: " + dev.getInteger("devBusyEventLoops") + ")",
        ok(ratio <= DEV_CPU_RATIO && both), devMiss(ratio, both),
        Table.fmt(dev.getDouble("devMsgsPerSec")) + " msgs/s vs relay " + Table.fmt(dev.getDouble("relayMsgsPerSec"))
          + "; the other loads: dev-mode table");
    }
    JsonArray chat = r.getJsonArray("chat");
    for (int i = 0; chat != null && i < chat.size(); i++) {
      JsonObject p = chat.getJsonObject(i);
      if ("seedim".equals(p.getString("target")) && "fixed".equals(p.getString("mode")) && p.getDouble("offeredPerSec") >= LATENCY_RATE) {
        double p99 = p.getDouble("p99ms");
        double p999 = p.getDouble("p999ms");
        boolean held = p.getBoolean("rateHeld");
        String rate = Table.fmt(p.getDouble("offeredPerSec"));
        t.row("p99 at " + rate + " msg/s open loop, durable", "≤ 20 ms",
          Table.fmt(p99) + " ms" + (held ? "" : " (rate NOT held: " + Table.fmt(p.getDouble("msgsPerSec")) + "/s)"),
          ok(p99 <= P99_MS && held), miss(p99 - P99_MS, P99_MS, " ms"), Report.cpu(p.getJsonObject("cpu")) + mariadb(p.getJsonObject("mariadb")));
        t.row("p99.9 at " + rate + " msg/s open loop, durable", "≤ 50 ms", Table.fmt(p999) + " ms", ok(p999 <= P999_MS && held),
          miss(p999 - P999_MS, P999_MS, " ms"), "");
      }
    }
    JsonObject h = r.getJsonObject("held");
    JsonObject hr = r.getJsonObject("heldRelay");
    if (h != null && hr != null && h.containsKey("cpuUsPerConnect") && hr.containsKey("cpuUsPerConnect")) {
      double cpuRatio = h.getDouble("cpuUsPerConnect") / hr.getDouble("cpuUsPerConnect");
      t.row("signed connects: server CPU per connect", "≤ 2 × the relay's", Table.fmt(h.getDouble("cpuUsPerConnect")) + " µs vs relay "
          + Table.fmt(hr.getDouble("cpuUsPerConnect")) + " µs = " + Table.fmt(cpuRatio) + " ×", ok(cpuRatio <= CONNECT_CPU_RATIO),
        miss(cpuRatio - CONNECT_CPU_RATIO, CONNECT_CPU_RATIO, " ×"), "CPU during the ramp " + Report.cpu(h.getJsonObject("rampCpu")));
      double rateRatio = h.getDouble("handshakesPerSec") / hr.getDouble("handshakesPerSec");
      t.row("signed connects/s", "≥ 0.8 × the relay's", Table.fmt(h.getDouble("handshakesPerSec")) + "/s vs relay "
          + Table.fmt(hr.getDouble("handshakesPerSec")) + "/s = " + Table.fmt(rateRatio) + " ×", ok(rateRatio >= CONNECT_RATE_RATIO),
        miss(CONNECT_RATE_RATIO - rateRatio, CONNECT_RATE_RATIO, " ×"), h.getInteger("failed") + " refused; relay ramp: "
          + Report.cpu(hr.getJsonObject("rampCpu")));
    }
    if (h != null && h.containsKey("storeOpsPerConnect")) {
      JsonObject ops = h.getJsonObject("storeOpsPerConnect");
      t.row("connect path: store round trips per handshake", "counted", "Redis commands " + StoreOps.describe(ops, true)
        + "; MariaDB statements " + StoreOps.describe(ops, false), "measured", "", "global counters over the ramp of "
        + Table.fmt((long) h.getInteger("connected")) + " connects");
    }
    JsonObject s = r.getJsonObject("storm");
    JsonObject sr = r.getJsonObject("stormRelay");
    if (s != null) {
      double back = s.getLong("allBackMs") / 1000.0;
      boolean allBack = s.getInteger("back").equals(s.getInteger("dropped"));
      if (sr != null) {
        double relayBack = sr.getLong("allBackMs") / 1000.0;
        double ratio = back / relayBack;
        boolean same = sr.getInteger("dropped").equals(s.getInteger("dropped"));
        t.row("reconnect storm of " + Table.fmt((long) s.getInteger("dropped")), "all back within 1.5 × the relay's time",
          Table.fmt(back) + " s vs relay " + Table.fmt(relayBack) + " s = " + Table.fmt(ratio) + " ×"
            + (allBack ? "" : " (" + s.getInteger("back") + " back)") + (same ? "" : " (relay storm of " + sr.getInteger("dropped") + ")"),
          ok(ratio <= STORM_RATIO && allBack && same), miss(ratio - STORM_RATIO, STORM_RATIO, " ×"),
          "client jitter " + s.getLong("jitterMs") + " ms; CPU " + Report.cpu(s.getJsonObject("cpu")));
      } else {
        t.row("reconnect storm of " + Table.fmt((long) s.getInteger("dropped")), "all back within 1.5 × the relay's time",
          Table.fmt(back) + " s (no relay storm in this run)", "–", "", "client jitter " + s.getLong("jitterMs") + " ms");
      }
      long notBack = s.getInteger("dropped") - s.getInteger("back");
      t.row("reconnect storm", "nothing lost", s.getLong("lost") + " undelivered of " + s.getLong("messagesStored") + " stored"
          + (notBack > 0 ? " (" + notBack + " receivers not back within the bound; their messages wait in the store)" : ""),
        ok(s.getLong("lost") == 0), s.getLong("lost") == 0 ? "" : s.getLong("lost") + " messages",
        Double.isNaN(s.getDouble("allDeliveredMs")) ? "not all delivered within the bound"
          : "all delivered " + Table.fmt(s.getDouble("allDeliveredMs") / 1000.0) + " s after the drop");
    }
    if (h != null) {
      double rss = h.getDouble("rssPerConnKb");
      t.row("RSS per idle authenticated connection (production start command)", "≤ 8 KB", Table.fmt(rss) + " KB (live heap "
          + Table.fmt(h.getDouble("heapPerConnKb")) + " KB" + (hr == null ? "" : "; plain Vert.x relay " + Table.fmt(hr.getDouble("rssPerConnKb"))
          + " KB RSS, " + Table.fmt(hr.getDouble("heapPerConnKb")) + " KB heap") + ")",
        ok(rss <= RSS_KB), miss(rss - RSS_KB, RSS_KB, " KB"), "conf/jvm.options; class histogram below");
    }
    return t;
  }

  /** Targets of earlier issues the suite still checks (connections held, the cluster, queue fan-out). */
  static Table earlier(JsonObject r) {
    Table t = new Table("earlier targets", "scenario", "target", "result", "met", "missed by", "evidence (what bounds it)");
    JsonObject h = r.getJsonObject("held");
    if (h != null) {
      int open = h.getInteger("openAfterIdle");
      t.row("held connections, one gateway", "19,000", Table.fmt((long) open) + " open (" + h.getInteger("failed") + " failed)",
        ok(open >= 19_000), miss(19_000 - open, 19_000, ""), "server fds " + h.getLong("fdAfter") + " of the 20,000 limit");
    }
    JsonObject cl = r.getJsonObject("cluster");
    if (cl != null) {
      int copen = cl.getInteger("openAfterIdle");
      t.row("held connections, two clustered gateways", "38,000", Table.fmt((long) copen) + " open (" + cl.getInteger("failed")
          + " failed; " + Table.fmt(cl.getDouble("handshakesPerSec")) + " handshakes/s)", ok(copen >= 38_000),
        miss(38_000 - copen, 38_000, ""), "scenario 6; CPU during the ramp " + Report.cpu(cl.getJsonObject("rampCpu")));
    }
    JsonObject f = r.getJsonObject("fanout");
    if (f != null) {
      double worst = 0;
      boolean all = true;
      JsonArray takes = f.getJsonArray("takes");
      for (int i = 0; i < takes.size(); i++) {
        JsonObject k = takes.getJsonObject(i);
        worst = Math.max(worst, k.getDouble("allMs"));
        all &= k.getInteger("updated").equals(k.getInteger("waiters"));
      }
      t.row("fan-out to " + f.getInteger("waiters") + " waiters", "≤ 100 ms after the take", "worst of " + takes.size()
        + " takes: " + Table.fmt(worst) + " ms" + (all ? "" : " (not all updated)"), ok(worst <= 100 && all), miss(worst - 100, 100, " ms"), "");
    }
    return t;
  }

  /** The SeedIM window-mode (durable throughput) phase, or null. */
  static JsonObject durableWindow(JsonObject r) {
    JsonArray chat = r.getJsonArray("chat");
    for (int i = 0; chat != null && i < chat.size(); i++) {
      JsonObject p = chat.getJsonObject(i);
      if ("seedim".equals(p.getString("target")) && !"fixed".equals(p.getString("mode"))) {
        return p;
      }
    }
    return null;
  }

  /** The dev scenario's comparison at the issue's load (50 pairs, window 1), else its first. */
  static JsonObject issueDevRow(JsonObject dev) {
    if (dev == null || dev.getJsonArray("compared", new JsonArray()).isEmpty()) {
      return null;
    }
    JsonArray c = dev.getJsonArray("compared");
    for (int i = 0; i < c.size(); i++) {
      JsonObject o = c.getJsonObject(i);
      if (o.getInteger("pairs") == DevMode.ISSUE_PAIRS && o.getInteger("window") == DevMode.ISSUE_WINDOW) {
        return o;
      }
    }
    return c.getJsonObject(0);
  }

  private static String devMiss(double ratio, boolean both) {
    String m = miss(ratio - DEV_CPU_RATIO, DEV_CPU_RATIO, " ×");
    return both ? m : (m.isEmpty() ? "" : m + "; ") + "one core only";
  }

  private static String pct(JsonObject cpu, String key) {
    return Math.round(cpu.getDouble(key, -1.0)) + " % of a core";
  }

  private static String threads(JsonObject t) {
    if (t == null) {
      return "";
    }
    return "; threads busy (> 20 % of a core): " + t.getInteger("busyThreads") + ", of them event loops: " + t.getInteger("busyEventLoops");
  }

  static String ok(boolean b) {
    return b ? "yes" : "**no**";
  }

  static String miss(double by, double target, String unit) {
    if (by <= 0 || Double.isNaN(by)) {
      return "";
    }
    double f = by / target;
    return Table.fmt(by) + unit + (f > 1 ? String.format(" (%.0f× the target)", f + 1) : " (" + Math.round(100 * f) + " %)");
  }

  static String mariadb(JsonObject m) {
    if (m == null || m.getLong("Com_commitPerSec") == null) {
      return "";
    }
    return "; MariaDB " + m.getLong("Com_commitPerSec") + " commits/s, " + m.getLong("Innodb_data_fsyncsPerSec") + " fsyncs/s, "
      + m.getLong("QuestionsPerSec") + " statements/s";
  }
}
