package com.seedim.im.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The default suite: starts the server and the relay, runs every scenario, writes results, docs and plots. */
@Command(name = "suite", mixinStandardHelpOptions = true, description = "Run the benchmark suite against a fresh server and the same-run relay baseline.")
final class Suite implements Callable<Integer> {
  /** Added to the production flags only to measure (native memory by category, profiles without safepoint bias). */
  static final String MEASURING_FLAGS = "-XX:NativeMemoryTracking=summary -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints";
  /** The production JVM settings, one flag per line ('#' comments): the same file scripts/start.sh reads. */
  static final Path JVM_OPTIONS = Path.of("conf/jvm.options");

  static final String APP_ID = "bench1";
  static final String SECRET = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
  static final int PER_WORKER = 9_500;

  @Option(names = "--server-jar", defaultValue = "server/target/seedim.jar") Path serverJar;
  @Option(names = "--server-jvm", defaultValue = "",
    description = "server JVM flags; default: the production settings of conf/jvm.options (what scripts/start.sh runs) plus "
      + MEASURING_FLAGS)
  String serverJvm;
  @Option(names = "--server-env", split = ",", defaultValue = "MALLOC_ARENA_MAX=2",
    description = "environment of the server and relay processes (glibc keeps fewer malloc arenas: RSS closer to what is used)")
  Map<String, String> serverEnv;
  @Option(names = "--generator-jvm", defaultValue = "-Xms256m -Xmx1g -XX:+UseG1GC") String generatorJvm;
  @Option(names = "--port", defaultValue = "18080") int port;
  @Option(names = "--management-port", defaultValue = "19090") int managementPort;
  @Option(names = "--relay-port", defaultValue = "18090") int relayPort;
  @Option(names = "--gateway-instances", defaultValue = "2") int gatewayInstances;
  @Option(names = "--chat-instances", description = "chat.instances of the server (default: the server's own, one per core)")
  Integer chatInstances;
  @Option(names = "--database", defaultValue = "bench") String database;
  @Option(names = "--redis-prefix", defaultValue = "bench:") String redisPrefix;
  @Option(names = "--held", defaultValue = "19000", description = "held connections (scenario 1)") int held;
  @Option(names = "--held-relay", defaultValue = "19000",
    description = "held connections against the relay (baseline; at least --storm, so the relay's storm is the same size)")
  int heldRelay;
  @Option(names = "--inflight", defaultValue = "1000", description = "handshakes in flight per worker during the ramp") int inflight;
  @Option(names = "--storm", defaultValue = "15000", description = "clients dropped in the reconnect storm") int storm;
  @Option(names = "--storm-messages", defaultValue = "2000") int stormMessages;
  @Option(names = "--storm-jitter-ms", defaultValue = "1000") long stormJitterMs;
  @Option(names = "--pairs", defaultValue = "200") int pairs;
  @Option(names = "--window", defaultValue = "4") int window;
  @Option(names = "--message-bytes", defaultValue = "64") int messageBytes;
  @Option(names = "--rates", split = ",", defaultValue = "1000,2000,5000") List<Integer> rates;
  @Option(names = "--warmup-s", defaultValue = "3", description = "per-phase warm-up before measuring") int warmupS;
  @Option(names = "--redis-connections", defaultValue = "4",
    description = "server's pipelined Redis connections (0 = the pooled client, one command per leased connection)")
  int redisConnections;
  @Option(names = "--server-warmup-s", defaultValue = "20", description = "chat load before the first measured phase (JIT)")
  int serverWarmupS;
  @Option(names = "--measure-s", defaultValue = "10") int measureS;
  @Option(names = "--fanout", defaultValue = "1000") int fanout;
  @Option(names = "--takes", defaultValue = "5") int takes;
  @Option(names = "--dev-warmup-s", defaultValue = "10", description = "dev scenario: least chat load before its first measured phase (JIT)")
  int devWarmupS;
  @Option(names = "--skip", split = ",", defaultValue = "", description = "scenarios to skip: dev,held,storm,chat,fixed,fanout,cluster")
  List<String> skip;
  @Option(names = "--only", split = ",", defaultValue = "",
    description = "run only these scenarios: dev,held,storm,chat,fixed,fanout,cluster, or soak or webhooks (alone; not part of the default suite)")
  List<String> only;
  @Option(names = "--soak-minutes", defaultValue = "30", description = "soak: minutes of mixed load") int soakMinutes;
  @Option(names = "--soak-rate", defaultValue = "300", description = "soak: chat msg/s offered in total") int soakRate;
  @Option(names = "--soak-pairs", defaultValue = "50", description = "soak: chat sender/receiver pairs") int soakPairs;
  @Option(names = "--soak-customers", defaultValue = "16", description = "soak: customers churning through the queue") int soakCustomers;
  @Option(names = "--soak-agents", defaultValue = "4", description = "soak: agents taking (401) and leaving (420) in a loop") int soakAgents;
  @Option(names = "--soak-hold-ms", defaultValue = "1000", description = "soak: how long an agent keeps a room") long soakHoldMs;
  @Option(names = "--soak-reconnect-every-ms", defaultValue = "3000") long soakReconnectEveryMs;
  @Option(names = "--soak-reconnect-batch", defaultValue = "4", description = "soak: chat clients dropped per reconnect round") int soakReconnectBatch;
  @Option(names = "--soak-slowloris", defaultValue = "10", description = "soak: idle TCP connections (each reconnects once closed)") int soakSlowloris;
  @Option(names = "--soak-sample-s", defaultValue = "20", description = "soak: seconds between samples (each runs a full GC on the server)") int soakSampleS;
  @Option(names = "--soak-database", defaultValue = "bench_soak", description = "soak: its own MariaDB database (dropped at the start)") String soakDatabase;
  @Option(names = "--soak-redis-prefix", defaultValue = "benchsoak:", description = "soak: its own Redis key prefix (deleted at the start)") String soakRedisPrefix;
  @Option(names = "--hooks-measure-s", defaultValue = "12", description = "webhooks: measured seconds per OFF / ON phase") int hooksMeasureS;
  @Option(names = "--hooks-rounds", defaultValue = "4", description = "webhooks: OFF + ON rounds") int hooksRounds;
  @Option(names = "--hooks-warmup-s", defaultValue = "20", description = "webhooks: least alternating OFF / ON load before measuring (JIT)")
  int hooksWarmupS;
  @Option(names = "--hooks-down-s", defaultValue = "10", description = "webhooks: seconds of ON load while the receiver is down (drain)")
  int hooksDownS;
  @Option(names = "--hooks-max-batch", defaultValue = "500", description = "webhooks: the endpoint's maxBatch") int hooksMaxBatch;
  @Option(names = "--hooks-undelivered-after-s", defaultValue = "10", description = "webhooks: events.undeliveredAfterSeconds")
  int hooksUndeliveredAfterS;
  @Option(names = "--hooks-max-backoff-s", defaultValue = "1", description = "webhooks: events.maxBackoffSeconds (the drain's retry wait)")
  int hooksMaxBackoffS;
  @Option(names = "--hooks-database", defaultValue = "bench_hooks", description = "webhooks: its own MariaDB database (dropped at the start)")
  String hooksDatabase;
  @Option(names = "--hooks-redis-prefix", defaultValue = "benchhooks:", description = "webhooks: its own Redis key prefix (deleted at the start)")
  String hooksRedisPrefix;
  @Option(names = "--hooks-profile", negatable = true, defaultValue = "true", fallbackValue = "true",
    description = "webhooks: one more OFF and ON phase with JFR on the server (not in the verdict): where its time goes")
  boolean hooksProfile;
  @Option(names = "--results", defaultValue = "bench/results") Path resultsDir;
  @Option(names = "--docs", defaultValue = "docs") Path docsDir;
  @Option(names = "--label", defaultValue = "") String label;
  @Option(names = "--compare", description = "results.json of an earlier run to set side by side (e.g. before a fix)")
  Path compare;
  @Option(names = "--no-docs", description = "write results only, not docs/benchmarks.md") boolean noDocs;

  private final JsonObject results = new JsonObject();
  private final String run = Long.toString(System.currentTimeMillis() % 100000, 36);
  private Process server;
  private Process relay;
  /** How long each server's JIT warm-up took (reported). */
  private final JsonObject warmups = new JsonObject();
  /** Start of the profiled (measured) phase: JFR events before it belong to the warm-up. */
  private java.time.Instant profileFrom = java.time.Instant.EPOCH;
  private final List<Services.WorkerProc> workers = new ArrayList<>();

  /** The scenarios that need the production-mode server. */
  static final List<String> PRODUCTION_SCENARIOS = List.of("held", "storm", "chat", "fixed", "fanout");
  static final List<String> SCENARIOS = List.of("dev", "held", "storm", "chat", "fixed", "fanout", "cluster");

  @Override
  public Integer call() throws Exception {
    only.removeIf(String::isBlank);
    if (only.contains("soak")) {
      if (only.size() > 1) {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--only soak runs alone");
      }
      return new Soak(this).run();
    }
    if (only.contains("webhooks")) {
      if (only.size() > 1) {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--only webhooks runs alone");
      }
      return new Webhooks(this).run();
    }
    if (!only.isEmpty()) {
      skip = new ArrayList<>(SCENARIOS);
      skip.removeAll(only);
    }
    long suiteStart = System.currentTimeMillis();
    Files.createDirectories(resultsDir);
    Path stamp = resultsDir.resolve(Instant.now().toString().replace(":", "").replaceAll("\\..*", "") + (label.isEmpty() ? "" : "-" + label));
    Files.createDirectories(stamp);
    results.put("label", label).put("startedAt", Instant.now().toString()).put("machine", Machine.describe())
      .put("serverJvm", serverJvm()).put("serverEnv", new JsonObject(new LinkedHashMap<>(serverEnv))).put("generatorJvm", generatorJvm).put("command", String.join(" ", ProcessHandle.current()
        .info().arguments().map(List::of).orElse(List.of())))
      .put("config", new JsonObject().put("held", held).put("storm", storm).put("stormMessages", stormMessages)
        .put("pairs", pairs).put("window", window).put("messageBytes", messageBytes).put("rates", new JsonArray(rates))
        .put("warmupS", warmupS).put("measureS", measureS).put("fanout", fanout).put("takes", takes)
        .put("gatewayInstances", gatewayInstances).put("inflightPerWorker", inflight).put("heldRelay", heldRelay)
        .put("stormJitterMs", stormJitterMs).put("devPairs", DevMode.ISSUE_PAIRS).put("devWindow", DevMode.ISSUE_WINDOW));
    log("suite %s: results in %s", run, stamp);

    log("preparing stores: dropping database %s, deleting Redis keys %s*", database, redisPrefix);
    Services.sql("DROP DATABASE IF EXISTS " + database);
    Services.redisDeletePrefix(redisPrefix);
    Path cfg = stamp.resolve("server-config.json");
    Files.writeString(cfg, serverConfig().encodePrettily());
    results.put("serverConfig", serverConfig());

    String java = ProcessHandle.current().info().command().orElse("java");
    String benchJar = Path.of(Suite.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    Pool gen = null;
    try {
      List<String> rc = new ArrayList<>(List.of(java));
      rc.addAll(List.of(serverJvm().split("\\s+")));
      rc.addAll(List.of("-cp", benchJar, BenchMain.class.getName(), "relay", "--port", Integer.toString(relayPort),
        "--instances", Integer.toString(gatewayInstances)));
      relay = Services.start(rc, stamp.resolve("relay.log"), serverEnv);
      if (!Services.waitPort("127.0.0.1", relayPort, 30_000)) {
        throw new IllegalStateException("relay did not start; see " + stamp);
      }
      Target rl = new Target("relay", "127.0.0.1", relayPort, true, null, null);
      gen = new Pool(2, List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"), 10_000);
      if (!skip.contains("dev")) {
        // before the production server starts: the dev server runs alone next to the relay, then stops
        results.put("dev", new DevMode(this).run(java, stamp, relay.pid(), rl, gen));
      }
      if (PRODUCTION_SCENARIOS.stream().anyMatch(sc -> !skip.contains(sc))) {
        production(java, benchJar, stamp, cfg, rl, gen);
      }
    } finally {
      if (gen != null) {
        gen.close();
      }
      for (Services.WorkerProc w : workers) {
        Services.stop(w.process, 5);
      }
      Services.stop(server, 40);
      Services.stop(relay, 10);
    }
    if (!skip.contains("cluster")) {
      clusterHeld(java, benchJar, stamp, cfg);
    }
    Path jfr = stamp.resolve("chat-throughput.jfr");
    if (Files.exists(jfr)) {
      results.put("hotspots", Hotspots.analyze(jfr, profileFrom));
      Tables.hotspots(results.getJsonObject("hotspots")).print();
    }
    results.put("busTimeouts", Report.busTimeouts(stamp));
    results.put("suiteSeconds", (System.currentTimeMillis() - suiteStart) / 1000.0);
    Files.writeString(stamp.resolve("results.json"), results.encodePrettily(), StandardCharsets.UTF_8);
    Files.writeString(resultsDir.resolve("latest.json"), results.encodePrettily(), StandardCharsets.UTF_8);
    log("results: %s", stamp.resolve("results.json"));
    if (!noDocs) {
      if (compare != null && Files.exists(compare)) {
        results.put("compare", Report.load(compare));
      }
      Report.write(results, docsDir, stamp);
      log("wrote %s", docsDir.resolve("benchmarks.md"));
    }
    log("suite done in %.0f s", results.getDouble("suiteSeconds"));
    return 0;
  }

  /** Scenarios against the production-mode server (started here, stopped by {@link #call}). */
  private void production(String java, String benchJar, Path stamp, Path cfg, Target rl, Pool gen) throws Exception {
    List<String> sc = new ArrayList<>(List.of(java));
    sc.addAll(List.of(serverJvm().split("\\s+")));
    sc.addAll(List.of("-jar", serverJar.toString(), "--config", cfg.toString(), "--roles", "all"));
    results.put("serverCommand", String.join(" ", sc));
    server = Services.start(sc, stamp.resolve("server.log"), serverEnv);
    if (!Services.waitHttp("http://127.0.0.1:" + port + "/health", 90_000)) {
      throw new IllegalStateException("server did not start; see " + stamp);
    }
    long pid = server.pid();
    log("server pid %d, relay pid %d", pid, relay.pid());
    Thread.sleep(2000);
    Target im = new Target("seedim", "127.0.0.1", port, false, APP_ID, SECRET);
    if (!skip.contains("chat") || !skip.contains("fixed")) {
      chat(stamp, im, rl, gen);
    }
    if (!skip.contains("fanout")) {
      log("fan-out: %d waiters, %d takes", fanout, takes);
      JsonObject f = new Fanout(gen, im, fanout, takes, "f" + run).run();
      results.put("fanout", f);
      Tables.fanout(f).print();
    }
    if (!skip.contains("held")) {
      held(java, benchJar, stamp, im, gen);
    }
    results.put("serverRssEndKb", ProcStats.rssKb(pid));
  }

  private JsonObject serverConfig() {
    return serverConfig(database, redisPrefix);
  }

  /** The server's production-mode config on the given MariaDB database and Redis prefix. */
  JsonObject serverConfig(String database, String redisPrefix) {
    JsonObject app = new JsonObject().put("appId", APP_ID).put("secret", SECRET).put("requireChatSign", false)
      .put("framesPerSecond", 1_000_000).put("framesBurst", 1_000_000).put("dynamicQueues", true)
      .put("maxQueueLength", 100_000).put("maxDevices", 5);
    JsonObject cfg = new JsonObject().put("mode", "prod").put("host", "127.0.0.1").put("port", port)
      .put("managementHost", "127.0.0.1").put("managementPort", managementPort)
      .put("publicWsUrl", "ws://127.0.0.1:" + port + "/ws").put("gatewayInstances", gatewayInstances)
      .put("handshakesPerSecondPerAddress", 1_000_000).put("busTimeoutMs", 10_000)
      .put("mysql", new JsonObject().put("host", "127.0.0.1").put("port", 3306).put("user", "root").put("password", "")
        .put("database", database).put("poolSize", 16))
      .put("redis", new JsonObject().put("connectionString", "redis://127.0.0.1:6379").put("prefix", redisPrefix)
        .put("connections", redisConnections))
      .put("cluster", new JsonObject().put("enabled", false))
      .put("apps", new JsonArray().add(app));
    if (chatInstances != null) {
      cfg.put("chat", new JsonObject().put("instances", chatInstances));
    }
    return cfg;
  }

  // ---- scenario 6: held connections on two clustered gateways --------------------------------------------------

  /** Hazelcast ports of the cluster scenario's three nodes (services, gateway 1, gateway 2). */
  static final int CLUSTER_HZ_PORT = 15801;

  /**
   * The cluster scenario runs like a production cluster (audit H7): its own cluster name and event-bus TLS with client
   * certificates, from {@code scripts/cluster-certs.sh dir} (a private CA and one node key store all nodes share).
   * Returns the IM_CLUSTER_* variables for every node.
   */
  private Map<String, String> clusterTrustEnv(Path dir) throws Exception {
    Path script = null;
    for (Path d = Path.of("").toAbsolutePath(); d != null && script == null; d = d.getParent()) {
      if (Files.exists(d.resolve("scripts/cluster-certs.sh"))) {
        script = d.resolve("scripts/cluster-certs.sh");
      }
    }
    if (script == null) {
      throw new IllegalStateException("scripts/cluster-certs.sh not found above " + Path.of("").toAbsolutePath());
    }
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), dir.toString()).redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolveSibling("cluster-certs.log").toFile()));
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    if (pb.start().waitFor() != 0) {
      throw new IllegalStateException("scripts/cluster-certs.sh failed; see " + dir.resolveSibling("cluster-certs.log"));
    }
    String password = Files.readString(dir.resolve("store-password"), StandardCharsets.UTF_8).trim();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("IM_CLUSTER_NAME", "seedim-bench-" + run);
    env.put("IM_CLUSTER_TLS_KEYSTORE", dir.resolve("node.p12").toAbsolutePath().toString());
    env.put("IM_CLUSTER_TLS_KEYSTORE_PASSWORD", password);
    env.put("IM_CLUSTER_TLS_TRUSTSTORE", dir.resolve("trust.p12").toAbsolutePath().toString());
    env.put("IM_CLUSTER_TLS_TRUSTSTORE_PASSWORD", password);
    return env;
  }

  /**
   * Two gateway nodes and one services node (chat, queue, room, signaling) in a Hazelcast cluster on loopback, each
   * its own JVM with the same config; {@code 2 × held} connections ramp onto both gateways at once (two generator
   * processes per gateway), idle with heartbeats, and each gateway's RSS and live heap per connection is read.
   */
  private void clusterHeld(String java, String benchJar, Path stamp, Path cfg) throws Exception {
    String members = "127.0.0.1:" + CLUSTER_HZ_PORT + ",127.0.0.1:" + (CLUSTER_HZ_PORT + 1) + ",127.0.0.1:" + (CLUSTER_HZ_PORT + 2);
    List<Process> nodes = new ArrayList<>();
    int[] gwPorts = {port + 11, port + 12};
    Map<String, String> trust = clusterTrustEnv(stamp.resolve("cluster-certs"));
    log("cluster: event bus TLS with client certificates (%s), cluster name %s", stamp.resolve("cluster-certs"),
      trust.get("IM_CLUSTER_NAME"));
    try {
      String[] roles = {"chat,queue,room,signaling", "gateway", "gateway"};
      for (int n = 0; n < 3; n++) {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(List.of(serverJvm().split("\\s+")));
        cmd.addAll(List.of("-jar", serverJar.toString(), "--config", cfg.toString(), "--roles", roles[n]));
        Map<String, String> env = new java.util.HashMap<>(serverEnv);
        env.put("IM_PORT", Integer.toString(port + 10 + n));
        env.put("IM_MANAGEMENT_PORT", Integer.toString(managementPort + 10 + n));
        env.put("IM_CLUSTER_HOST", "127.0.0.1");
        env.put("IM_CLUSTER_PORT", Integer.toString(CLUSTER_HZ_PORT + n));
        env.put("IM_CLUSTER_MEMBERS", members);
        env.putAll(trust);
        env.put("IM_NODE_NAME", n == 0 ? "services" : "gw" + n);
        nodes.add(Services.start(cmd, stamp.resolve("cluster-" + (n == 0 ? "services" : "gw" + n) + ".log"), env));
      }
      for (int n = 0; n < 3; n++) {
        if (!Services.waitHttp("http://127.0.0.1:" + (managementPort + 10 + n) + "/ready", 120_000)) {
          throw new IllegalStateException("cluster node " + n + " not ready; see " + stamp);
        }
      }
      log("cluster: services node pid %d, gateways pid %d (:%d) and %d (:%d)", nodes.get(0).pid(), nodes.get(1).pid(),
        gwPorts[0], nodes.get(2).pid(), gwPorts[1]);
      Thread.sleep(2000);
      int perGateway = held;
      int perWorker = (perGateway + 1) / 2;
      List<Integer> workerGateway = new ArrayList<>();
      for (int g = 0; g < 2; g++) {
        for (int w = 0; w < 2; w++) {
          int idx = g * 2 + w;
          List<String> addrs = new ArrayList<>();
          for (int a = 0; a < 4; a++) {
            addrs.add("127.0.1." + (10 + 10 * idx + a));
          }
          List<String> cmd = new ArrayList<>(List.of(java));
          cmd.addAll(List.of(generatorJvm.split("\\s+")));
          cmd.addAll(List.of("-cp", benchJar, BenchMain.class.getName(), "worker", "--port", Integer.toString(gwPorts[g]),
            "--app", APP_ID, "--secret", SECRET, "--count", Integer.toString(w == 0 ? perWorker : perGateway - perWorker),
            "--prefix", "k" + run + "g" + g + "w" + w + "-", "--inflight", Integer.toString(inflight),
            "--local", String.join(",", addrs), "--heartbeat-ms", "10000"));
          workers.add(new Services.WorkerProc(cmd, stamp.resolve("cluster-worker-" + idx + ".log")));
          workerGateway.add(g);
        }
      }
      for (Services.WorkerProc w : workers) {
        if (w.await("started", 60_000) == null) {
          throw new IllegalStateException("worker did not start");
        }
      }
      long[] heap0 = new long[2];
      long[] rss0 = new long[2];
      for (int g = 0; g < 2; g++) {
        heap0[g] = ProcStats.liveHeapKb(nodes.get(g + 1).pid());
        rss0[g] = ProcStats.settledRssKb(nodes.get(g + 1).pid());
      }
      log("cluster held connections: %d over 2 gateways, 4 generator processes", 2 * perGateway);
      Map<String, Long> extra = new java.util.LinkedHashMap<>();
      extra.put("services", nodes.get(0).pid());
      extra.put("gw1", nodes.get(1).pid());
      extra.put("gw2", nodes.get(2).pid());
      extra.put("mariadbd", ProcStats.pidOf("mariadbd"));
      extra.put("redis", ProcStats.pidOf("redis-server"));
      for (int i = 0; i < workers.size(); i++) {
        extra.put("worker" + i, workers.get(i).process.pid());
      }
      ProcStats.Cpu cpu = new ProcStats.Cpu(extra);
      Ramp ramp = ramp(240_000);
      Map<String, Object> rampCpu = cpu.stop();
      int connected = ramp.connected();
      int failed = ramp.failed();
      long start = ramp.startMs();
      long end = ramp.endMs();
      double hs = ramp.perSecond();
      log("cluster ramp: %d connected, %d failed in %d ms = %.0f handshakes/s", connected, failed, end - start, hs);
      Thread.sleep(12_000);
      int[] open = new int[2];
      for (int i = 0; i < workers.size(); i++) {
        workers.get(i).send("stats");
        JsonObject st = workers.get(i).await("stats", 30_000);
        open[workerGateway.get(i)] += st == null ? 0 : st.getInteger("open");
      }
      JsonArray per = new JsonArray();
      for (int g = 0; g < 2; g++) {
        long pid = nodes.get(g + 1).pid();
        long heap1 = ProcStats.liveHeapKb(pid);
        long rss1 = ProcStats.settledRssKb(pid);
        per.add(new JsonObject().put("gateway", "gw" + (g + 1)).put("open", open[g]).put("fds", ProcStats.openFiles(pid))
          .put("rssPerConnKb", open[g] == 0 ? Double.NaN : (rss1 - rss0[g]) / (double) open[g])
          .put("heapPerConnKb", open[g] == 0 ? Double.NaN : (heap1 - heap0[g]) / (double) open[g]));
      }
      JsonObject c = new JsonObject().put("gateways", 2).put("target", 2 * perGateway).put("connected", connected)
        .put("failed", failed).put("openAfterIdle", open[0] + open[1]).put("rampMs", end - start).put("handshakesPerSec", hs)
        .put("perGateway", per).put("rampCpu", new JsonObject(rampCpu)).put("busTls", true);
      results.put("cluster", c);
      Tables.cluster(c).print();
      quitWorkers();
    } finally {
      for (Services.WorkerProc w : workers) {
        Services.stop(w.process, 5);
      }
      workers.clear();
      for (int n = nodes.size() - 1; n >= 0; n--) {
        Services.stop(nodes.get(n), 40);
      }
    }
  }

  // ---- scenario 1 + 5: held connections and the reconnect storm ------------------------------------------------

  private void held(String java, String benchJar, Path stamp, Target im, Pool gen) throws Exception {
    if (heldRelay > 0) {
      JsonObject base = holdPhase(java, benchJar, stamp, relay.pid(), relayPort, true, heldRelay, "hr" + run + "w");
      results.put("heldRelay", base);
      Tables.held(base).print();
      if (!skip.contains("storm")) {
        relayStorm(workers.size());
      }
      quitWorkers();
    }
    JsonObject h = holdPhase(java, benchJar, stamp, server.pid(), port, false, held, "h" + run + "w");
    results.put("held", h);
    Tables.held(h).print();
    Tables.connects(h, results.getJsonObject("heldRelay")).print();
    if (!skip.contains("storm")) {
      storm(gen, im, "h" + run + "w", workers.size());
      if (results.containsKey("stormRelay")) {
        Tables.stormVsRelay(results.getJsonObject("storm"), results.getJsonObject("stormRelay")).print();
      }
    }
    quitWorkers();
    Thread.sleep(3000); // let the server finish the disconnects
  }

  /** The generator processes' ramps taken together. */
  private record Ramp(int connected, int failed, int lastStatus, long startMs, long endMs) {
    double perSecond() {
      return connected / Math.max(0.001, (endMs - startMs) / 1000.0);
    }
  }

  /** Tells every generator process to ramp and sums what they report. */
  private Ramp ramp(long timeoutMs) throws java.io.IOException, InterruptedException {
    for (Services.WorkerProc w : workers) {
      w.send("ramp");
    }
    int connected = 0;
    int failed = 0;
    int lastStatus = 0;
    long start = Long.MAX_VALUE;
    long end = 0;
    for (Services.WorkerProc w : workers) {
      JsonObject r = w.await("ramped", timeoutMs);
      if (r == null) {
        throw new IllegalStateException("ramp timed out");
      }
      connected += r.getInteger("connected");
      failed += r.getInteger("failed");
      lastStatus = Math.max(lastStatus, r.getInteger("lastStatus"));
      start = Math.min(start, r.getLong("startMs"));
      end = Math.max(end, r.getLong("endMs"));
    }
    return new Ramp(connected, failed, lastStatus, start, end);
  }

  private void quitWorkers() throws Exception {
    for (Services.WorkerProc w : workers) {
      w.send("quit");
    }
    for (Services.WorkerProc w : workers) {
      w.await("bye", 30_000);
      w.process.waitFor(20, TimeUnit.SECONDS);
    }
    workers.clear();
  }

  private JsonObject holdPhase(String java, String benchJar, Path stamp, long pid, int port, boolean toRelay, int held,
                               String prefix) throws Exception {
    int nWorkers = (held + PER_WORKER - 1) / PER_WORKER;
    for (int w = 0; w < nWorkers; w++) {
      int count = held / nWorkers + (w < held % nWorkers ? 1 : 0);
      List<String> addrs = new ArrayList<>();
      for (int a = 0; a < 4; a++) {
        addrs.add("127.0.0." + (10 + 10 * w + a));
      }
      List<String> cmd = new ArrayList<>(List.of(java));
      cmd.addAll(List.of(generatorJvm.split("\\s+")));
      cmd.addAll(List.of("-cp", benchJar, BenchMain.class.getName(), "worker", "--port", Integer.toString(port),
        "--app", APP_ID, "--secret", SECRET, "--count", Integer.toString(count), "--prefix", prefix + w + "-",
        "--inflight", Integer.toString(inflight), "--local", String.join(",", addrs), "--heartbeat-ms", "10000"));
      if (toRelay) {
        cmd.add("--relay");
      }
      Services.WorkerProc wp = new Services.WorkerProc(cmd, stamp.resolve((toRelay ? "relay-" : "") + "worker-" + w + ".log"));
      workers.add(wp);
    }
    for (Services.WorkerProc w : workers) {
      if (w.await("started", 60_000) == null) {
        throw new IllegalStateException("worker did not start");
      }
    }
    long heap0 = ProcStats.liveHeapKb(pid);
    long rss0 = ProcStats.settledRssKb(pid);
    long fd0 = ProcStats.openFiles(pid);
    Map<String, Long> nmt0 = ProcStats.nmt(pid);
    log("held connections (%s): %d over %d generator processes; RSS %d KB, live heap %d KB before", toRelay ? "relay baseline" : "SeedIM",
      held, nWorkers, rss0, heap0);
    ProcStats.Cpu cpu = new ProcStats.Cpu(pids());
    long ticks0 = ProcStats.cpuTicks(pid);
    StoreOps.Snapshot ops0 = toRelay ? null : StoreOps.take();
    Ramp ramp = ramp(180_000);
    long cpuMs = (ProcStats.cpuTicks(pid) - ticks0) * MS_PER_TICK;
    JsonObject ops = toRelay ? null : StoreOps.perUnit(ops0, StoreOps.take(), ramp.connected());
    Map<String, Object> rampCpu = cpu.stop();
    int connected = ramp.connected();
    int failed = ramp.failed();
    long start = ramp.startMs();
    long end = ramp.endMs();
    int lastStatus = ramp.lastStatus();
    double hsPerSec = ramp.perSecond();
    log("ramp: %d connected, %d failed in %d ms = %.0f handshakes/s", connected, failed, end - start, hsPerSec);
    Thread.sleep(12_000); // idle with heartbeats (10 s period)
    int open = 0;
    for (Services.WorkerProc w : workers) {
      w.send("stats");
      JsonObject s = w.await("stats", 30_000);
      open += s == null ? 0 : s.getInteger("open");
    }
    long heap1 = ProcStats.liveHeapKb(pid);
    long rss1 = ProcStats.settledRssKb(pid);
    long fd1 = ProcStats.openFiles(pid);
    Map<String, Long> nmt1 = ProcStats.nmt(pid);
    JsonObject nmtPerConn = new JsonObject();
    for (var e : nmt1.entrySet()) {
      Long b = nmt0.get(e.getKey());
      if (b != null && open > 0 && Math.abs(e.getValue() - b) * 1.0 / open >= 0.05) {
        nmtPerConn.put(e.getKey(), Math.round((e.getValue() - b) * 100.0 / open) / 100.0);
      }
    }
    String histo = ProcStats.jcmd(pid, "GC.class_histogram");
    JsonObject h = new JsonObject().put("server", toRelay ? "relay" : "seedim").put("target", held).put("connected", connected)
      .put("failed", failed)
      .put("lastFailureStatus", lastStatus).put("openAfterIdle", open).put("rampMs", end - start)
      .put("handshakesPerSec", hsPerSec).put("rssBeforeKb", rss0).put("rssAfterKb", rss1).put("heapBeforeKb", heap0)
      .put("heapAfterKb", heap1).put("fdBefore", fd0).put("fdAfter", fd1)
      .put("rssPerConnKb", open == 0 ? Double.NaN : (rss1 - rss0) / (double) open)
      .put("heapPerConnKb", open == 0 ? Double.NaN : (heap1 - heap0) / (double) open)
      .put("rampCpu", new JsonObject(rampCpu)).put("classHistogramTop", Tables.histogramTop(histo, 15))
      .put("nmtCommittedPerConnKb", nmtPerConn).put("rampCpuMs", cpuMs)
      .put("cpuUsPerConnect", connected == 0 ? Double.NaN : cpuMs * 1000.0 / connected);
    if (ops != null) {
      h.put("storeOpsPerConnect", ops);
      log("store work per connect: Redis commands %s; MariaDB statements %s", StoreOps.describe(ops, true),
        StoreOps.describe(ops, false));
    }
    try {
      Files.writeString(stamp.resolve((toRelay ? "relay" : "seedim") + "-class-histogram.txt"), histo);
    } catch (java.io.IOException ignored) {
      // evidence only
    }
    return h;
  }

  private void storm(Pool gen, Target im, String prefix, int nWorkers) throws Exception {
    int perWorker = Math.min(storm, held) / nWorkers;
    int senders = 50;
    List<Client> ss = new ArrayList<>();
    AtomicInteger next = new AtomicInteger();
    LongAdder acked = new LongAdder();
    LongAdder refused = new LongAdder();
    int total = stormMessages;
    for (int i = 0; i < senders; i++) {
      Client c = new Client(gen, i, im, "st" + run + "-" + i, "d1", "user");
      c.listener = (cl, type, text) -> {
        if (type == 30 || type == 10) {
          (type == 30 ? acked : refused).increment();
          sendStorm(cl, next, total, prefix, nWorkers, perWorker);
        }
      };
      ss.add(c);
    }
    List<Future<Void>> cf = new ArrayList<>();
    for (Client c : ss) {
      cf.add(c.connect());
    }
    Future.all(cf).await(30, TimeUnit.SECONDS);
    log("reconnect storm: %d clients drop at once (%d per generator process), %d messages sent to them meanwhile",
      perWorker * nWorkers, perWorker, total);
    long pid = server.pid();
    ProcStats.Cpu cpu = new ProcStats.Cpu(pids());
    long t0 = System.currentTimeMillis();
    long maxMs = 60_000;
    for (Services.WorkerProc w : workers) {
      w.send("storm " + perWorker + " " + stormJitterMs + " " + maxMs);
    }
    for (Client c : ss) {
      c.context().runOnContext(v -> {
        for (int k = 0; k < 4; k++) {
          sendStorm(c, next, total, prefix, nWorkers, perWorker);
        }
      });
    }
    StormTally tally = stormTally(maxMs);
    int back = tally.back();
    int failed = tally.failed();
    long attempts = tally.attempts();
    long drop = tally.dropMs();
    long lastBack = tally.lastBackMs();
    Map<String, Object> stormCpu = cpu.stop();
    long deadline = System.currentTimeMillis() + 60_000;
    int delivered = 0;
    long deliveredAt = 0;
    while (System.currentTimeMillis() < deadline) {
      delivered = 0;
      for (Services.WorkerProc w : workers) {
        w.send("stats");
        JsonObject s = w.await("stats", 10_000);
        delivered += s == null ? 0 : s.getInteger("stormMsgs");
      }
      if (acked.sum() + refused.sum() >= total && delivered >= acked.sum()) {
        deliveredAt = System.currentTimeMillis();
        break;
      }
      Thread.sleep(250);
    }
    for (Client c : ss) {
      c.drop();
    }
    JsonObject s = new JsonObject().put("dropped", perWorker * nWorkers).put("back", back).put("failed", failed)
      .put("attempts", attempts).put("allBackMs", lastBack - drop).put("messagesSent", total)
      .put("messagesStored", acked.sum()).put("messagesRefused", refused.sum()).put("messagesDelivered", delivered)
      .put("lost", Math.max(0, acked.sum() - delivered))
      .put("allDeliveredMs", deliveredAt == 0 ? Double.NaN : (double) (deliveredAt - t0)).put("jitterMs", stormJitterMs)
      .put("cpu", new JsonObject(stormCpu)).put("serverRssKb", ProcStats.rssKb(pid));
    results.put("storm", s);
    Tables.storm(s).print();
  }

  /** The generator processes' storm reports taken together. */
  private record StormTally(int back, int failed, long attempts, long dropMs, long lastBackMs) {
  }

  private StormTally stormTally(long maxMs) throws InterruptedException {
    int back = 0;
    int failed = 0;
    long attempts = 0;
    long drop = Long.MAX_VALUE;
    long lastBack = 0;
    for (Services.WorkerProc w : workers) {
      JsonObject r = w.await("stormed", maxMs + 10_000);
      if (r == null) {
        throw new IllegalStateException("storm timed out");
      }
      back += r.getInteger("back");
      failed += r.getInteger("failed");
      attempts += r.getInteger("attempts");
      drop = Math.min(drop, r.getLong("dropMs"));
      lastBack = Math.max(lastBack, r.getLong("lastBackMs"));
    }
    return new StormTally(back, failed, attempts, drop, lastBack);
  }

  /**
   * The same storm against the relay's held connections (same size when {@code --held-relay} ≥ {@code --storm},
   * same jitter and client backoff): the time the plain Vert.x server needs to take the same reconnects back.
   * No messages meanwhile: the relay stores nothing, so "nothing lost" is SeedIM's check only.
   */
  private void relayStorm(int nWorkers) throws Exception {
    int perWorker = Math.min(storm, heldRelay) / nWorkers;
    long maxMs = 60_000;
    log("reconnect storm (relay baseline): %d clients drop at once (%d per generator process)", perWorker * nWorkers, perWorker);
    ProcStats.Cpu cpu = new ProcStats.Cpu(pids());
    long ticks0 = ProcStats.cpuTicks(relay.pid());
    for (Services.WorkerProc w : workers) {
      w.send("storm " + perWorker + " " + stormJitterMs + " " + maxMs);
    }
    StormTally t = stormTally(maxMs);
    long cpuMs = (ProcStats.cpuTicks(relay.pid()) - ticks0) * MS_PER_TICK;
    JsonObject s = new JsonObject().put("server", "relay").put("dropped", perWorker * nWorkers).put("back", t.back())
      .put("failed", t.failed()).put("attempts", t.attempts()).put("allBackMs", t.lastBackMs() - t.dropMs())
      .put("jitterMs", stormJitterMs).put("cpu", new JsonObject(cpu.stop())).put("serverCpuMs", cpuMs);
    results.put("stormRelay", s);
    log("relay storm: %d of %d back in %d ms (%d attempts)", t.back(), perWorker * nWorkers, t.lastBackMs() - t.dropMs(), t.attempts());
    Thread.sleep(2000);
  }

  /** /proc CPU times are in clock ticks of 10 ms (USER_HZ = 100 on Linux). */
  static final long MS_PER_TICK = 10;

  private static void sendStorm(Client c, AtomicInteger next, int total, String prefix, int nWorkers, int perWorker) {
    int m = next.getAndIncrement();
    if (m >= total) {
      return;
    }
    int w = m % nWorkers;
    int i = (m / nWorkers) % perWorker;
    c.send(Proto.text(m, prefix + w + "-" + i, "storm:" + m));
  }

  /** Most chat load a warm-up runs while the JIT is still busy. */
  static final int WARMUP_MAX_S = 150;
  /** The JIT counts as settled once its threads use less than this share of one core over a warm-up step. */
  static final double JIT_SETTLED_PCT = 5;
  static final int WARMUP_STEP_S = 5;

  /**
   * Window-mode chat load for at least {@code minS}, then in {@value #WARMUP_STEP_S} s steps until the server's JIT
   * compiler threads use less than {@value #JIT_SETTLED_PCT} % of a core during a step (at most {@value #WARMUP_MAX_S} s).
   */
  JsonObject warmUp(String name, long serverPid, ChatLoad load, int minS) throws InterruptedException {
    long t0 = System.nanoTime();
    load.window(window, 0, minS * 1000L);
    double jitPct = -1;
    while ((System.nanoTime() - t0) / 1e9 < WARMUP_MAX_S) {
      long j0 = ProcStats.jitTicks(serverPid);
      long s0 = System.nanoTime();
      load.window(window, 0, WARMUP_STEP_S * 1000L);
      jitPct = (ProcStats.jitTicks(serverPid) - j0) * 1e9 / (System.nanoTime() - s0);
      if (j0 < 0 || jitPct < JIT_SETTLED_PCT) {
        break;
      }
    }
    double took = (System.nanoTime() - t0) / 1e9;
    JsonObject w = new JsonObject().put("seconds", Math.round(took)).put("jitPctLastStep", Math.round(jitPct * 10) / 10.0);
    log("warm-up of %s: %.0f s of chat load; JIT threads used %.1f %% of a core in the last %d s (not measured)",
      name, took, jitPct, WARMUP_STEP_S);
    return w;
  }

  // ---- scenarios 2 + 3: chat throughput and fixed-rate latency against SeedIM and the relay ---------------------

  private void chat(Path stamp, Target im, Target rl, Pool gen) throws Exception {
    long pid = server.pid();
    ChatLoad relayLoad = new ChatLoad(rl, gen, pairs, "rl" + run, messageBytes);
    ChatLoad imLoad = new ChatLoad(im, gen, pairs, "c" + run, messageBytes);
    log("chat: connecting %d pairs to the relay and %d pairs to SeedIM", pairs, pairs);
    relayLoad.connect();
    imLoad.connect();
    Thread.sleep(1000);
    if (serverWarmupS > 0) {
      // JIT warm-up of both servers, not reported: on 2 busy cores C2 compiles for a minute or more on a cold JVM,
      // and a phase measured while it does measures the compiler (it took 70 % of a core in a 20 s warm-up run).
      warmups.put("relay", warmUp("relay", relay.pid(), relayLoad, 5));
    }
    Path jfr = stamp.resolve("chat-throughput.jfr").toAbsolutePath();
    boolean profile = !skip.contains("chat");
    if (profile) {
      // Started before the warm-up: starting JFR redefines the JDK's instrumented I/O classes, which deoptimizes the
      // code that inlined them, and the recompilation must be over before the measured phase.
      ProcStats.jcmd(pid, "JFR.start", "name=chat", "settings=" + jfcSettings(stamp), "filename=" + jfr);
    }
    if (serverWarmupS > 0) {
      warmups.put("SeedIM", warmUp("SeedIM", pid, imLoad, serverWarmupS));
    }
    JsonArray phases = new JsonArray();
    if (!skip.contains("chat")) {
      log("chat throughput (window %d per sender, %d pairs): relay baseline", window, pairs);
      ProcStats.Cpu rcpu = new ProcStats.Cpu(pids());
      phases.add(measured(relayLoad.window(window, warmupS * 1000L, measureS * 1000L), rcpu));
      log("chat throughput: SeedIM (durable), JFR on");
      profileFrom = java.time.Instant.now();
      Map<String, Long> m0 = Services.mariaStatus();
      StoreOps.Snapshot ops0 = StoreOps.take();
      long delivered0 = imLoad.delivered();
      long w0 = System.nanoTime();
      ProcStats.Cpu cpu = new ProcStats.Cpu(pids());
      ProcStats.ThreadCpu threads = new ProcStats.ThreadCpu(pid);
      ChatLoad.Phase p = imLoad.window(window, warmupS * 1000L, measureS * 1000L);
      JsonObject pj = measured(p, cpu).put("threads", threads.stop());
      pj.put("mariadb", delta(m0, Services.mariaStatus(), (System.nanoTime() - w0) / 1e9));
      pj.put("storeOpsPerMsg", StoreOps.perUnit(ops0, StoreOps.take(), imLoad.delivered() - delivered0));
      ProcStats.jcmd(pid, "JFR.stop", "name=chat");
      phases.add(pj);
    }
    if (!skip.contains("fixed")) {
      for (int rate : rates) {
        log("fixed rate %d msg/s: relay baseline", rate);
        ProcStats.Cpu rcpu = new ProcStats.Cpu(pids());
        phases.add(measured(relayLoad.fixedRate(rate, 2000, measureS * 1000L), rcpu));
        log("fixed rate %d msg/s: SeedIM", rate);
        ProcStats.Cpu cpu = new ProcStats.Cpu(pids());
        Map<String, Long> m0 = Services.mariaStatus();
        long w0 = System.nanoTime();
        ChatLoad.Phase p = imLoad.fixedRate(rate, 2000, measureS * 1000L);
        JsonObject pj = measured(p, cpu);
        pj.put("mariadb", delta(m0, Services.mariaStatus(), (System.nanoTime() - w0) / 1e9));
        phases.add(pj);
      }
    }
    results.put("chat", phases);
    results.put("warmup", warmups);
    Tables.chat(phases).print();
    relayLoad.close();
    imLoad.close();
    Thread.sleep(2000);
  }

  /** The JDK's profile settings with 1 ms Java and 5 ms native sampling (the default 10/20 ms gives too few samples). */
  private static String jfcSettings(Path stamp) {
    try {
      Path src = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
      String x = Files.readString(src).replace("control=\"method-sampling-java-interval\">10 ms<", "control=\"method-sampling-java-interval\">1 ms<")
        .replace("control=\"method-sampling-native-interval\">20 ms<", "control=\"method-sampling-native-interval\">5 ms<");
      Path dst = stamp.resolve("profile-1ms.jfc").toAbsolutePath();
      Files.writeString(dst, x);
      return dst.toString();
    } catch (java.io.IOException e) {
      return "profile";
    }
  }

  private static JsonObject measured(ChatLoad.Phase p, ProcStats.Cpu cpu) {
    JsonObject j = p.json();
    if (cpu != null) {
      j.put("cpu", new JsonObject(cpu.stop()));
    }
    return j;
  }

  private static JsonObject delta(Map<String, Long> a, Map<String, Long> b, double secs) {
    JsonObject j = new JsonObject();
    for (var e : b.entrySet()) {
      Long x = a.get(e.getKey());
      if (x != null) {
        j.put(e.getKey() + "PerSec", Math.round((e.getValue() - x) / secs));
      }
    }
    return j;
  }

  private Map<String, Long> pids() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("seedim", server.pid());
    m.put("relay", relay.pid());
    m.put("mariadbd", ProcStats.pidOf("mariadbd"));
    m.put("redis", ProcStats.pidOf("redis-server"));
    m.put("generator", ProcessHandle.current().pid());
    for (int i = 0; i < workers.size(); i++) {
      m.put("worker" + i, workers.get(i).process.pid());
    }
    return m;
  }

  static void log(String fmt, Object... args) {
    System.out.printf("[bench %tT] %s%n", System.currentTimeMillis(), String.format(fmt, args));
    System.out.flush();
  }

  /** The server's JVM flags: {@code --server-jvm}, or conf/jvm.options (the production start command's) + measuring flags. */
  String serverJvm() {
    if (serverJvm == null || serverJvm.isBlank()) {
      try {
        StringBuilder flags = new StringBuilder();
        for (String line : Files.readAllLines(JVM_OPTIONS)) {
          String flag = line.replaceAll("#.*", "").trim();
          if (!flag.isEmpty()) {
            flags.append(flag).append(' ');
          }
        }
        serverJvm = flags.append(MEASURING_FLAGS).toString();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + JVM_OPTIONS + " (run the bench from the repository root)", e);
      }
    }
    return serverJvm;
  }
}
