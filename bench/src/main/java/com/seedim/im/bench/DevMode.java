package com.seedim.im.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dev-mode scenario: a second server process started the way the README's dev command starts it ({@code java
 * -jar server/target/seedim.jar}, JVM defaults, the dev config: in-memory stores) and the same chat load against it
 * and the same-run relay, phase by phase. It answers the issue's "dev mode costs at most 1.5 × the relay's CPU per
 * message, both cores used": what the server costs without any store, so the durable figures can be split into
 * server and store work. Stopped before the other scenarios start.
 */
final class DevMode {
  /** The issue's dev-mode row: 50 pairs, one message in flight per sender. */
  static final int ISSUE_PAIRS = 50;
  static final int ISSUE_WINDOW = 1;
  /** Ports of the dev server: the suite's plus this. */
  static final int PORT_OFFSET = 20;
  /** The README's dev command reads this config (scripts/dev.sh runs the jar from the repository root). */
  static final Path DEV_CONFIG = Path.of("conf/dev.json");

  /** A process using more than this (% of one core) runs on both cores. */
  static final double ONE_CORE_PCT = 100;

  private final Suite suite;

  DevMode(Suite suite) {
    this.suite = suite;
  }

  /**
   * The dev config: conf/dev.json as the README's dev command reads it (mode dev, in-memory stores, its own defaults
   * such as the gateway instances), with the suite's ports and, instead of the demo app, the suite's bench app (same
   * secret for the signed connects, no chat signature, frame limits raised as in the production scenario).
   */
  JsonObject config() throws java.io.IOException {
    JsonObject c = Files.exists(DEV_CONFIG) ? new JsonObject(Files.readString(DEV_CONFIG)) : new JsonObject().put("mode", "dev");
    return c.put("mode", "dev").put("host", "127.0.0.1").put("port", port()).put("managementHost", "127.0.0.1")
      .put("managementPort", suite.managementPort + PORT_OFFSET)
      .put("apps", suite.serverConfig("unused", "unused").getJsonArray("apps").copy());
  }

  int port() {
    return suite.port + PORT_OFFSET;
  }

  JsonObject run(String java, Path stamp, long relayPid, Target relay, Pool gen) throws Exception {
    Path cfg = stamp.resolve("dev-config.json");
    JsonObject config = config();
    Files.writeString(cfg, config.encodePrettily());
    List<String> cmd = List.of(java, "-jar", suite.serverJar.toString(), "--config", cfg.toString());
    Process dev = Services.start(cmd, stamp.resolve("dev-server.log"), Map.of());
    try {
      if (!Services.waitHttp("http://127.0.0.1:" + port() + "/health", 90_000)) {
        throw new IllegalStateException("dev server did not start; see " + stamp.resolve("dev-server.log"));
      }
      Suite.log("dev mode: server pid %d (%s, JVM defaults), relay pid %d", dev.pid(), String.join(" ", cmd), relayPid);
      Target im = new Target("dev", "127.0.0.1", port(), false, Suite.APP_ID, Suite.SECRET);
      String run = Long.toString(System.nanoTime() % 100000, 36);
      int[][] loads = {{ISSUE_PAIRS, ISSUE_WINDOW}, {suite.pairs, suite.window}};
      List<ChatLoad[]> sets = new ArrayList<>();
      for (int i = 0; i < loads.length; i++) {
        ChatLoad rl = new ChatLoad(relay, gen, loads[i][0], "dr" + i + run, suite.messageBytes);
        ChatLoad im2 = new ChatLoad(im, gen, loads[i][0], "dv" + i + run, suite.messageBytes);
        rl.connect();
        im2.connect();
        sets.add(new ChatLoad[] {rl, im2});
      }
      Thread.sleep(1000);
      ChatLoad[] big = sets.get(sets.size() - 1);
      JsonObject warm = new JsonObject().put("relay", suite.warmUp("relay (dev scenario)", relayPid, big[0], 5))
        .put("dev", suite.warmUp("dev server", dev.pid(), big[1], suite.devWarmupS));
      Map<String, Long> pids = new LinkedHashMap<>();
      pids.put("dev", dev.pid());
      pids.put("relay", relayPid);
      pids.put("generator", ProcessHandle.current().pid());
      pids.put("mariadbd", ProcStats.pidOf("mariadbd"));
      pids.put("redis", ProcStats.pidOf("redis-server"));
      JsonArray phases = new JsonArray();
      JsonArray compared = new JsonArray();
      for (int i = 0; i < loads.length; i++) {
        int w = loads[i][1];
        JsonObject r = phase(sets.get(i)[0], w, pids, relayPid, "relay");
        JsonObject d = phase(sets.get(i)[1], w, pids, dev.pid(), "dev");
        phases.add(r).add(d);
        compared.add(compare(d, r, loads[i][0], w));
        Tables.devRow(compared.getJsonObject(compared.size() - 1)).print();
      }
      for (ChatLoad[] s : sets) {
        s[0].close();
        s[1].close();
      }
      JsonObject j = new JsonObject().put("command", "java -jar " + suite.serverJar + " --config dev-config.json")
        // unset: the server's default, one per core (the server runs on this machine)
        .put("gatewayInstances", config.getInteger("gatewayInstances", Runtime.getRuntime().availableProcessors()))
        .put("serverConfig", config)
        .put("warmup", warm).put("phases", phases).put("compared", compared);
      Tables.dev(j).print();
      return j;
    } finally {
      Services.stop(dev, 30);
      Thread.sleep(1000);
    }
  }

  private JsonObject phase(ChatLoad load, int window, Map<String, Long> pids, long pid, String name) throws Exception {
    Suite.log("dev mode: %s, window %d x %d pairs", name, window, load.senders.size());
    ProcStats.Cpu cpu = new ProcStats.Cpu(pids);
    ProcStats.ThreadCpu threads = new ProcStats.ThreadCpu(pid);
    ChatLoad.Phase p = load.window(window, suite.warmupS * 1000L, suite.measureS * 1000L);
    JsonObject t = threads.stop();
    JsonObject j = p.json().put("cpu", new JsonObject(cpu.stop())).put("threads", t);
    double pct = j.getJsonObject("cpu").getDouble(name);
    return j.put("cpuUsPerMsg", usPerMsg(pct, p.msgsPerSec()));
  }

  /** CPU time per delivered message in µs from a process's CPU (% of one core) and the messages per second. */
  static double usPerMsg(double pct, double msgsPerSec) {
    return msgsPerSec > 0 && pct >= 0 ? pct / 100 * 1e6 / msgsPerSec : Double.NaN;
  }

  private static JsonObject compare(JsonObject dev, JsonObject relay, int pairs, int window) {
    double ratio = dev.getDouble("cpuUsPerMsg") / relay.getDouble("cpuUsPerMsg");
    JsonObject t = dev.getJsonObject("threads");
    // the process's own figure: it includes threads that ended during the phase, which the per-thread one cannot
    double devPct = dev.getJsonObject("cpu").getDouble("dev");
    return new JsonObject().put("load", "window " + window + " x " + pairs).put("pairs", pairs).put("window", window)
      .put("devMsgsPerSec", dev.getDouble("msgsPerSec")).put("relayMsgsPerSec", relay.getDouble("msgsPerSec"))
      .put("devUsPerMsg", dev.getDouble("cpuUsPerMsg")).put("relayUsPerMsg", relay.getDouble("cpuUsPerMsg"))
      .put("cpuRatio", ratio).put("devCpuPct", devPct).put("devBusyThreads", t.getInteger("busyThreads"))
      .put("devBusyEventLoops", t.getInteger("busyEventLoops"))
      .put("bothCores", devPct > ONE_CORE_PCT || t.getInteger("busyEventLoops") >= 2)
      .put("relayCpuPct", relay.getJsonObject("cpu").getDouble("relay"))
      .put("devP99ms", dev.getDouble("p99ms")).put("relayP99ms", relay.getDouble("p99ms"));
  }
}
