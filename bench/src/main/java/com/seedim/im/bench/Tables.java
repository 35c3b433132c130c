package com.seedim.im.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The scenario tables, from the result JSON (so the console and docs/benchmarks.md show the same thing). */
final class Tables {
  private Tables() {
  }

  static Table held(JsonObject h) {
    Table t = new Table("1. held connections (one server process)", "server", "target", "connected", "failed", "open after idle",
      "ramp s", "handshakes/s", "RSS before MB", "RSS after MB", "RSS/conn KB", "live heap/conn KB", "server fds");
    t.row(h.getString("server", "seedim"), h.getInteger("target"), h.getInteger("connected"), h.getInteger("failed"), h.getInteger("openAfterIdle"),
      h.getLong("rampMs") / 1000.0, h.getDouble("handshakesPerSec"), h.getLong("rssBeforeKb") / 1024.0,
      h.getLong("rssAfterKb") / 1024.0, h.getDouble("rssPerConnKb"), h.getDouble("heapPerConnKb"), h.getLong("fdAfter"));
    return t;
  }

  static Table cluster(JsonObject c) {
    Table t = new Table("6. held connections on two clustered gateways (+ one services node)", "gateways", "target",
      "connected", "failed", "open after idle", "ramp s", "handshakes/s", "gateway", "open", "RSS/conn KB",
      "live heap/conn KB", "fds");
    JsonArray per = c.getJsonArray("perGateway");
    for (int i = 0; i < per.size(); i++) {
      JsonObject g = per.getJsonObject(i);
      if (i == 0) {
        t.row(c.getInteger("gateways"), c.getInteger("target"), c.getInteger("connected"), c.getInteger("failed"),
          c.getInteger("openAfterIdle"), c.getLong("rampMs") / 1000.0, c.getDouble("handshakesPerSec"), g.getString("gateway"),
          g.getInteger("open"), g.getDouble("rssPerConnKb"), g.getDouble("heapPerConnKb"), g.getLong("fds"));
      } else {
        t.row("", "", "", "", "", "", "", g.getString("gateway"), g.getInteger("open"), g.getDouble("rssPerConnKb"),
          g.getDouble("heapPerConnKb"), g.getLong("fds"));
      }
    }
    return t;
  }

  static Table storm(JsonObject s) {
    Table t = new Table("5. reconnect storm", "dropped", "back", "failed", "connect attempts", "all back s",
      "msgs sent meanwhile", "stored (30)", "delivered", "lost", "all delivered s");
    t.row(s.getInteger("dropped"), s.getInteger("back"), s.getInteger("failed"), s.getLong("attempts"),
      s.getLong("allBackMs") / 1000.0, s.getInteger("messagesSent"), s.getLong("messagesStored"),
      s.getInteger("messagesDelivered"), s.getLong("lost"), s.getDouble("allDeliveredMs") / 1000.0);
    return t;
  }

  /** One row of the dev-mode comparison (printed after each load). */
  static Table devRow(JsonObject c) {
    Table t = devTable();
    devLine(t, c);
    return t;
  }

  /** Dev mode (in-memory stores) against the same-run relay, per chat load. */
  static Table dev(JsonObject d) {
    Table t = devTable();
    JsonArray c = d.getJsonArray("compared");
    for (int i = 0; i < c.size(); i++) {
      devLine(t, c.getJsonObject(i));
    }
    return t;
  }

  private static Table devTable() {
    return new Table("dev mode (in-memory stores, JVM defaults) vs the same-run relay, window mode", "load", "dev msgs/s",
      "relay msgs/s", "dev CPU µs/msg", "relay CPU µs/msg", "CPU ratio", "dev CPU %", "dev busy threads (> 20 %)",
      "busy event loops", "both cores", "dev p99 ms", "relay p99 ms");
  }

  private static void devLine(Table t, JsonObject c) {
    t.row(c.getString("load"), c.getDouble("devMsgsPerSec"), c.getDouble("relayMsgsPerSec"), c.getDouble("devUsPerMsg"),
      c.getDouble("relayUsPerMsg"), c.getDouble("cpuRatio"), c.getDouble("devCpuPct"), c.getInteger("devBusyThreads"),
      c.getInteger("devBusyEventLoops"), c.getBoolean("bothCores") ? "yes" : "no", c.getDouble("devP99ms"), c.getDouble("relayP99ms"));
  }

  /** Signed connects (SeedIM) and plain WebSocket connects (relay) during the held-connections ramps, same generator. */
  static Table connects(JsonObject h, JsonObject hr) {
    Table t = new Table("connects during the ramp, SeedIM vs the same-run relay", "server", "connected", "connects/s",
      "server CPU during the ramp (s)", "server CPU µs/connect", "Redis commands/connect", "MariaDB statements/connect");
    if (hr != null) {
      t.row("relay", hr.getInteger("connected"), hr.getDouble("handshakesPerSec"), seconds(hr), hr.getDouble("cpuUsPerConnect"), "–", "–");
    }
    JsonObject ops = h.getJsonObject("storeOpsPerConnect");
    t.row("seedim", h.getInteger("connected"), h.getDouble("handshakesPerSec"), seconds(h), h.getDouble("cpuUsPerConnect"),
      StoreOps.describe(ops, true), StoreOps.describe(ops, false));
    if (hr != null) {
      t.row("ratio seedim / relay", "", h.getDouble("handshakesPerSec") / hr.getDouble("handshakesPerSec"), "",
        h.getDouble("cpuUsPerConnect", Double.NaN) / hr.getDouble("cpuUsPerConnect", Double.NaN), "", "");
    }
    return t;
  }

  private static Double seconds(JsonObject h) {
    return h.containsKey("rampCpuMs") ? h.getLong("rampCpuMs") / 1000.0 : null;
  }

  /** The reconnect storm against SeedIM and the same storm against the relay. */
  static Table stormVsRelay(JsonObject s, JsonObject sr) {
    Table t = new Table("reconnect storm, SeedIM vs the same-run relay", "server", "dropped", "back", "failed",
      "connect attempts", "all back s", "ratio to the relay");
    t.row("relay", sr.getInteger("dropped"), sr.getInteger("back"), sr.getInteger("failed"), sr.getLong("attempts"),
      sr.getLong("allBackMs") / 1000.0, "");
    t.row("seedim", s.getInteger("dropped"), s.getInteger("back"), s.getInteger("failed"), s.getLong("attempts"),
      s.getLong("allBackMs") / 1000.0, s.getLong("allBackMs") / (double) Math.max(1, sr.getLong("allBackMs")));
    return t;
  }

  /** Store work per durable message (window phase) and per connect (ramp). */
  static Table storeOps(JsonObject perMsg, JsonObject perConnect) {
    Table t = new Table("store work per unit (global counters of MariaDB and Redis between two snapshots)", "per",
      "units", "Redis commands (top commands)", "MariaDB statements (top Com_* kinds)");
    if (perMsg != null) {
      t.row("durable message (window phase)", perMsg.getLong("units"), StoreOps.describe(perMsg, true), StoreOps.describe(perMsg, false));
    }
    if (perConnect != null) {
      t.row("signed connect (ramp)", perConnect.getLong("units"), StoreOps.describe(perConnect, true), StoreOps.describe(perConnect, false));
    }
    return t;
  }

  static Table chat(JsonArray phases) {
    Table t = new Table("2./3. chat: 130 sent -> 140 received", "target", "mode", "offered/s", "sent/s", "msgs/s",
      "ratio to relay", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "max ms", "rate held", "errors", "server CPU %");
    for (int i = 0; i < phases.size(); i++) {
      JsonObject p = phases.getJsonObject(i);
      Double ratio = null;
      if ("seedim".equals(p.getString("target"))) {
        JsonObject base = baselineOf(phases, p);
        if (base != null && base.getDouble("msgsPerSec") > 0) {
          ratio = p.getDouble("msgsPerSec") / base.getDouble("msgsPerSec");
        }
      }
      JsonObject cpu = p.getJsonObject("cpu");
      t.row(p.getString("target"), p.getString("mode"), p.getDouble("offeredPerSec"), p.getDouble("sentPerSec"),
        p.getDouble("msgsPerSec"), ratio, p.getDouble("p50ms"), p.getDouble("p95ms"), p.getDouble("p99ms"),
        p.getDouble("p999ms"), p.getDouble("maxMs"), "fixed".equals(p.getString("mode")) ? (p.getBoolean("rateHeld") ? "yes" : "NO") : "–",
        p.getLong("errors"), cpu == null ? null : cpu.getDouble(p.getString("target")));
    }
    return t;
  }

  /** The relay phase measured just before a SeedIM phase of the same mode and rate. */
  static JsonObject baselineOf(JsonArray phases, JsonObject p) {
    for (int i = 0; i < phases.size(); i++) {
      JsonObject b = phases.getJsonObject(i);
      if ("relay".equals(b.getString("target")) && b.getString("mode").equals(p.getString("mode"))
        && java.util.Objects.equals(b.getDouble("offeredPerSec"), p.getDouble("offeredPerSec"))) {
        return b;
      }
    }
    return null;
  }

  static Table cpu(JsonArray phases) {
    Table t = new Table("CPU per phase (% of one core; the machine has 2) and MariaDB work per second",
      "target", "mode", "offered/s", "machine busy %", "seedim", "relay", "mariadbd", "redis", "generator", "commits/s", "fsyncs/s",
      "statements/s");
    for (int i = 0; i < phases.size(); i++) {
      JsonObject p = phases.getJsonObject(i);
      JsonObject c = p.getJsonObject("cpu");
      if (c == null) {
        continue;
      }
      JsonObject m = p.getJsonObject("mariadb", new JsonObject());
      t.row(p.getString("target"), p.getString("mode"), p.getDouble("offeredPerSec"), c.getDouble("machineBusyPct"), c.getDouble("seedim"),
        c.getDouble("relay"), c.getDouble("mariadbd"), c.getDouble("redis"), c.getDouble("generator"), m.getLong("Com_commitPerSec"),
        m.getLong("Innodb_data_fsyncsPerSec"), m.getLong("QuestionsPerSec"));
    }
    return t;
  }

  static Table fanout(JsonObject f) {
    Table t = new Table("4. fan-out of queue positions (410) after a take (401)", "take", "waiters", "updated",
      "402 reply ms", "p50 ms", "all updated ms");
    JsonArray takes = f.getJsonArray("takes");
    for (int i = 0; i < takes.size(); i++) {
      JsonObject k = takes.getJsonObject(i);
      t.row(k.getInteger("take"), k.getInteger("waiters"), k.getInteger("updated"), k.getDouble("replyMs"),
        k.getDouble("p50Ms"), k.getDouble("allMs"));
    }
    return t;
  }

  static Table hotspots(JsonObject h) {
    Table t = new Table("hotspots: JFR execution samples of the SeedIM throughput run (" + h.getLong("samples") + " samples)",
      "rank", "top frame (self time)", "samples %", "", "application frame (com.seedim) in stack", "samples %");
    JsonArray self = h.getJsonArray("topSelf");
    JsonArray app = h.getJsonArray("topApp");
    for (int i = 0; i < Math.max(self.size(), app.size()); i++) {
      JsonObject s = i < self.size() ? self.getJsonObject(i) : null;
      JsonObject a = i < app.size() ? app.getJsonObject(i) : null;
      t.row(i + 1, s == null ? "" : "`" + s.getString("frame") + "`", s == null ? null : s.getDouble("pct"), "",
        a == null ? "" : "`" + a.getString("frame") + "`", a == null ? null : a.getDouble("pct"));
    }
    return t;
  }

  static Table categories(JsonObject h) {
    Table t = new Table("where the server's CPU samples go (by package of the top frame)", "category", "samples %");
    JsonArray c = h.getJsonArray("categories");
    for (int i = 0; i < c.size(); i++) {
      t.row(c.getJsonObject(i).getString("name"), c.getJsonObject(i).getDouble("pct"));
    }
    return t;
  }

  static Table histogram(JsonArray top) {
    Table t = new Table("live heap with the held connections (jcmd GC.class_histogram, top classes)", "class", "instances", "MB");
    for (int i = 0; i < top.size(); i++) {
      JsonObject o = top.getJsonObject(i);
      t.row("`" + o.getString("class") + "`", o.getLong("instances"), o.getLong("bytes") / 1048576.0);
    }
    return t;
  }

  static JsonArray histogramTop(String histo, int n) {
    JsonArray a = new JsonArray();
    for (String l : histo.split("\n")) {
      String[] f = l.trim().split("\\s+");
      if (f.length >= 4 && f[0].endsWith(":") && a.size() < n) {
        try {
          a.add(new JsonObject().put("class", f[3]).put("instances", Long.parseLong(f[1])).put("bytes", Long.parseLong(f[2])));
        } catch (NumberFormatException ignored) {
          // header
        }
      }
    }
    return a;
  }
}
