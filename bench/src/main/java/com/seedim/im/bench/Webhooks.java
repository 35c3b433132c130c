package com.seedim.im.bench;

import com.seedim.im.common.security.Signatures;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The webhooks scenario (issue 17; opt-in: {@code suite --only webhooks}): the cost of the event outbox on durable
 * chat throughput and the outbox's own throughput and lag.
 *
 * <p>One production-mode server started as the suite starts it (same jar, conf/jvm.options, {@code --roles all}) with
 * two apps: {@code bench1} without webhooks and {@code benchhooks} recording {@code message.created} and
 * {@code message.undelivered} to one endpoint, an HTTP receiver inside this process (its own Vert.x, one event loop)
 * that verifies every POST's signature ({@link Signatures#api}), answers 200 and records per event the lag
 * (arrival − {@code createdAt}), the count and the ids. The same generator runs window-mode chat (scenario 2's
 * machinery) alternately on the app without webhooks (OFF) and the app with them (ON): OFF, ON, OFF, ON. Both apps
 * live in one server (one JVM, one JIT state, one pool, one buffer pool) so that the phases differ only by the app's
 * config, seconds apart; the outbox is drained after every ON phase so an OFF phase never pays for ON's deliveries.
 * What the OFF phases do share with ON: the events role's idle poll (a SELECT per {@code pollMs}) and the
 * undelivered scan (once a second, since one app records {@code message.undelivered}) — both present in a real
 * deployment where any app uses webhooks.
 *
 * <p>Then the drain: the receiver's port closes, the ON app gets load for {@code --hooks-down-s}, the port opens
 * again, and the time to deliver the backlog and its rate are measured. At the end every acknowledged message of the
 * ON app must have had its {@code message.created} delivered (none lost), repeats must carry the same event id, and
 * no signature may fail. Results go to {@code bench/results/<run>-webhooks/} and the "Webhooks" section of
 * docs/benchmarks.md (only that section is replaced).
 */
final class Webhooks {
  static final String BEGIN = "<!-- webhooks:begin (written by `suite --only webhooks`; kept when the suite rewrites this file) -->";
  static final String END = "<!-- webhooks:end -->";
  static final String HOOK_APP = "benchhooks";
  static final String HOOK_SECRET = "hooks-secret-9876543210-zyxwvutsrqponmlkjihgfedcba";
  static final String HOOK_PATH = "/hooks/events";
  /** The issue's target: ON throughput within this share of OFF. */
  static final double TARGET = 0.10;
  static final long US_PER_TICK = Suite.MS_PER_TICK * 1000;

  private final Suite s;
  private final String run = Long.toString(System.currentTimeMillis() % 100000, 36);
  private Process server;
  private Pool pool;
  private Receiver receiver;
  private long mariaPid;
  private long redisPid;
  private final Set<Long> onAcked = ConcurrentHashMap.newKeySet();
  private final Set<Long> offAcked = ConcurrentHashMap.newKeySet();

  Webhooks(Suite suite) {
    this.s = suite;
  }

  Integer run() throws Exception {
    long t0 = System.currentTimeMillis();
    Files.createDirectories(s.resultsDir);
    Path stamp = s.resultsDir.resolve(Instant.now().toString().replace(":", "").replaceAll("\\..*", "") + "-webhooks"
      + (s.label.isEmpty() ? "" : "-" + s.label));
    Files.createDirectories(stamp);
    String args = String.join(" ", ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()));
    JsonObject config = new JsonObject().put("pairs", s.pairs).put("window", s.window).put("messageBytes", s.messageBytes)
      .put("warmupS", s.warmupS).put("measureS", s.hooksMeasureS).put("rounds", s.hooksRounds).put("downS", s.hooksDownS)
      .put("maxBatch", s.hooksMaxBatch).put("undeliveredAfterSeconds", s.hooksUndeliveredAfterS)
      .put("maxBackoffSeconds", s.hooksMaxBackoffS).put("database", s.hooksDatabase).put("redisPrefix", s.hooksRedisPrefix)
      .put("target", TARGET);
    JsonObject res = new JsonObject().put("scenario", "webhooks").put("label", s.label).put("startedAt", Instant.now().toString())
      .put("machine", Machine.describe()).put("serverJvm", s.serverJvm())
      .put("serverEnv", new JsonObject(new LinkedHashMap<>(s.serverEnv))).put("generatorJvm", s.generatorJvm)
      .put("command", args).put("config", config);
    Suite.log("webhooks %s: results in %s", run, stamp);
    if (Services.waitPort("127.0.0.1", s.port, 500)) {
      throw new IllegalStateException("port " + s.port + " is in use (another suite or soak running?); use --port");
    }
    Suite.log("preparing stores: dropping database %s, deleting Redis keys %s* (the scenario's own)", s.hooksDatabase, s.hooksRedisPrefix);
    Services.sql("DROP DATABASE IF EXISTS " + s.hooksDatabase);
    Services.redisDeletePrefix(s.hooksRedisPrefix);
    receiver = new Receiver(HOOK_APP, HOOK_SECRET);
    JsonObject serverConfig = serverConfig(receiver.port);
    JsonArray phases = new JsonArray();
    try {
      server = Services.startServer(s, stamp, serverConfig, res);
      long pid = server.pid();
      mariaPid = ProcStats.pidOf("mariadbd");
      redisPid = ProcStats.pidOf("redis-server");
      Suite.log("server pid %d, receiver on :%d", pid, receiver.port);
      Thread.sleep(2000);
      pool = new Pool(2, List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"), 10_000);
      ChatLoad off = new ChatLoad(new Target("seedim", "127.0.0.1", s.port, false, Suite.APP_ID, Suite.SECRET), pool, s.pairs,
        "wo" + run, s.messageBytes);
      ChatLoad on = new ChatLoad(new Target("seedim", "127.0.0.1", s.port, false, HOOK_APP, HOOK_SECRET), pool, s.pairs,
        "wh" + run, s.messageBytes);
      off.ackedIds = offAcked; // both loads collect their acked ids: the same generator work in both configs
      on.ackedIds = onAcked;
      off.connect();
      on.connect();
      Suite.log("webhooks: %d pairs on app %s (webhooks off) and %d pairs on app %s (webhooks on) connected", s.pairs,
        Suite.APP_ID, s.pairs, HOOK_APP);
      Thread.sleep(1000);
      res.put("warmup", warmUp(pid, off, on));
      long drained = waitDrained(120_000);
      Suite.log("outbox drained after the warm-up (%d ms); %d events so far", drained, receiver.distinct.sum());
      for (int r = 1; r <= s.hooksRounds; r++) {
        phases.add(phase("off", r, off, false, pid));
        phases.add(phase("on", r, on, true, pid));
      }
      res.put("phases", phases);
      res.put("drain", drainTest(on, pid));
      if (s.hooksProfile) {
        // last: starting and stopping JFR redefines the JDK's I/O classes, and the recompilation that follows would
        // weigh on whatever phase came next
        res.put("profile", profile(stamp, pid, off, on));
      }
      Thread.sleep(s.hooksUndeliveredAfterS * 1000L + 2500); // a last undelivered scan past every message
      res.put("checks", checks());
      res.put("pendingAtEnd", countPending());
      res.put("serverMetrics", eventMetrics(Services.httpGet("http://127.0.0.1:" + s.managementPort + "/metrics")));
      off.close();
      on.close();
    } finally {
      if (pool != null) {
        pool.close();
      }
      Services.stop(server, 40);
      if (receiver != null) {
        receiver.close();
      }
    }
    res.put("summary", summary(phases));
    res.put("scenarioSeconds", (System.currentTimeMillis() - t0) / 1000.0);
    Files.writeString(stamp.resolve("results.json"), res.encodePrettily(), StandardCharsets.UTF_8);
    Files.writeString(s.resultsDir.resolve("latest-webhooks.json"), res.encodePrettily(), StandardCharsets.UTF_8);
    Suite.log("results: %s", stamp.resolve("results.json"));
    phaseTable(res).print();
    summaryTable(res).print();
    if (!s.noDocs) {
      writeDocs(res, s.docsDir);
      Suite.log("wrote the Webhooks section of %s", s.docsDir.resolve("benchmarks.md"));
    }
    JsonObject c = res.getJsonObject("checks");
    boolean ok = c.getLong("lost") == 0 && c.getLong("badSignatures") == 0 && c.getLong("wrongApp") == 0
      && c.getLong("doubleRecorded") == 0;
    Suite.log("webhooks done: ON/OFF throughput %.3f (%s); lost %d, bad signatures %d", res.getJsonObject("summary").getDouble("ratio"),
      res.getJsonObject("summary").getBoolean("withinTarget") ? "within 10 %" : "NOT within 10 %", c.getLong("lost"),
      c.getLong("badSignatures"));
    return ok ? 0 : 3;
  }

  /** The suite's production config on the scenario's database and prefix, plus the app with webhooks and {@code events}. */
  private JsonObject serverConfig(int receiverPort) {
    JsonObject cfg = s.serverConfig(s.hooksDatabase, s.hooksRedisPrefix);
    JsonArray apps = cfg.getJsonArray("apps");
    JsonObject hooked = apps.getJsonObject(0).copy().put("appId", HOOK_APP).put("secret", HOOK_SECRET)
      .put("webhooks", new JsonObject().put("events", new JsonArray().add("message.created").add("message.undelivered"))
        .put("endpoints", new JsonArray().add(new JsonObject().put("url", "http://127.0.0.1:" + receiverPort + HOOK_PATH)
          .put("maxBatch", s.hooksMaxBatch))));
    apps.add(hooked);
    cfg.put("events", new JsonObject().put("undeliveredAfterSeconds", s.hooksUndeliveredAfterS)
      .put("maxBackoffSeconds", s.hooksMaxBackoffS).put("pauseAfterFailures", 1000));
    return cfg;
  }

  // ---- warm-up -----------------------------------------------------------------------------------------------------

  /**
   * Alternating 5 s steps of OFF and ON load (at least {@code --hooks-warmup-s}), until the server's JIT threads use
   * less than {@value Suite#JIT_SETTLED_PCT} % of a core over a step pair, at most {@value #WARMUP_MAX_S} s.
   */
  static final int WARMUP_MAX_S = 150;

  private JsonObject warmUp(long pid, ChatLoad off, ChatLoad on) throws InterruptedException {
    long t0 = System.nanoTime();
    double jitPct = -1;
    while ((System.nanoTime() - t0) / 1e9 < WARMUP_MAX_S) {
      long j0 = ProcStats.jitTicks(pid);
      long s0 = System.nanoTime();
      off.window(s.window, 0, Suite.WARMUP_STEP_S * 1000L);
      on.window(s.window, 0, Suite.WARMUP_STEP_S * 1000L);
      jitPct = (ProcStats.jitTicks(pid) - j0) * 1e9 / (System.nanoTime() - s0);
      if ((System.nanoTime() - t0) / 1e9 >= s.hooksWarmupS && (j0 < 0 || jitPct < Suite.JIT_SETTLED_PCT)) {
        break;
      }
    }
    double took = (System.nanoTime() - t0) / 1e9;
    Suite.log("warm-up: %.0f s of alternating OFF / ON chat load; JIT threads used %.1f %% of a core in the last step pair (not measured)",
      took, jitPct);
    return new JsonObject().put("seconds", Math.round(took)).put("jitPctLastStep", Math.round(jitPct * 10) / 10.0);
  }

  // ---- one measured phase ----------------------------------------------------------------------------------------

  /** /proc and store counters at the start of a measured window. */
  private final class Meter {
    final ChatLoad load;
    final long pid;
    long nanos;
    long server;
    long maria;
    long redis;
    long generator;
    long[] machine;
    long delivered;
    long events;
    long receiverCpuNs;
    StoreOps.Snapshot ops;
    JsonObject out = new JsonObject();

    Meter(ChatLoad load, long pid) {
      this.load = load;
      this.pid = pid;
    }

    void start() {
      ops = StoreOps.take();
      machine = ProcStats.machineTicks();
      server = ProcStats.cpuTicks(pid);
      maria = ProcStats.cpuTicks(mariaPid);
      redis = ProcStats.cpuTicks(redisPid);
      generator = ProcStats.cpuTicks(ProcessHandle.current().pid());
      receiverCpuNs = receiver.cpuNs.get();
      events = receiver.distinct.sum();
      delivered = load.delivered();
      nanos = System.nanoTime();
    }

    void end() {
      double secs = (System.nanoTime() - nanos) / 1e9;
      long msgs = load.delivered() - delivered;
      long ev = receiver.distinct.sum() - events;
      long srv = ProcStats.cpuTicks(pid) - server;
      long db = ProcStats.cpuTicks(mariaPid) - maria;
      long rd = ProcStats.cpuTicks(redisPid) - redis;
      long gen = ProcStats.cpuTicks(ProcessHandle.current().pid()) - generator;
      long rcpu = receiver.cpuNs.get() - receiverCpuNs;
      long[] m = ProcStats.machineTicks();
      StoreOps.Snapshot ops1 = StoreOps.take();
      JsonObject per = StoreOps.perUnit(ops, ops1, msgs);
      double n = Math.max(1, msgs);
      out.put("messages", msgs).put("measuredSeconds", round(secs, 2)).put("eventsDelivered", ev)
        .put("eventsPerSec", round(ev / secs, 1))
        .put("serverCpuUsPerMsg", round(srv * US_PER_TICK / n, 1)).put("mariaCpuUsPerMsg", round(db * US_PER_TICK / n, 1))
        .put("redisCpuUsPerMsg", round(rd * US_PER_TICK / n, 1))
        .put("systemCpuUsPerMsg", round((srv + db + rd) * US_PER_TICK / n, 1))
        .put("generatorCpuUsPerMsg", round(gen * US_PER_TICK / n, 1)).put("receiverCpuUsPerMsg", round(rcpu / 1000.0 / n, 1))
        .put("serverCpuPct", round(srv * 100.0 * Suite.MS_PER_TICK / 1000 / secs, 0))
        .put("mariaCpuPct", round(db * 100.0 * Suite.MS_PER_TICK / 1000 / secs, 0))
        .put("machineBusyPct", round(100.0 * (m[0] - machine[0]) / Math.max(1, m[1] - machine[1]), 0))
        // every other process of the machine (other work sharing the cores), in % of one core (ticks/s at 100 Hz)
        .put("othersCpuPct", round(((m[0] - machine[0]) - (srv + db + rd + gen)) / secs, 0))
        .put("storeOpsPerMsg", per).put("mariaByKind", byKind(ops.maria(), ops1.maria(), msgs));
    }
  }

  /** Com_* statement counters per message (every kind above 0.005 per message). */
  private static JsonObject byKind(Map<String, Long> a, Map<String, Long> b, long units) {
    JsonObject j = new JsonObject();
    if (units <= 0) {
      return j;
    }
    TreeMap<String, Double> sorted = new TreeMap<>();
    for (var e : b.entrySet()) {
      Long x = a.get(e.getKey());
      if (x != null && e.getKey().startsWith("Com_") && (e.getValue() - x) / (double) units >= 0.005) {
        sorted.put(e.getKey().substring(4), round((e.getValue() - x) / (double) units, 3));
      }
    }
    sorted.forEach(j::put);
    return j;
  }

  private JsonObject phase(String cfg, int round, ChatLoad load, boolean hooks, long pid) throws InterruptedException {
    Suite.log("webhooks %s, round %d: window %d x %d pairs, %d s warm + %d s measured", cfg.toUpperCase(), round, s.window,
      s.pairs, s.warmupS, s.hooksMeasureS);
    receiver.lag.reset();
    Meter meter = new Meter(load, pid);
    ChatLoad.Phase p = metered(load, meter, s.hooksMeasureS);
    JsonObject j = p.json().put("config", cfg).put("round", round).put("app", hooks ? HOOK_APP : Suite.APP_ID);
    j.mergeIn(meter.out);
    if (hooks) {
      long t = System.currentTimeMillis();
      long left = waitDrained(60_000);
      Histogram lag = receiver.lag.getIntervalHistogram();
      j.put("drainedAfterPhaseMs", System.currentTimeMillis() - t).put("missingAfterDrain", left < 0 ? missing() : 0)
        .put("lag", lagJson(lag));
    }
    Suite.log("  %s: %.0f msg/s, p50 %.1f ms, p99 %.1f ms; server %.0f µs/msg, MariaDB %.0f µs/msg, %.2f statements/msg%s",
      cfg.toUpperCase(), j.getDouble("msgsPerSec"), j.getDouble("p50ms"), j.getDouble("p99ms"), j.getDouble("serverCpuUsPerMsg"),
      j.getDouble("mariaCpuUsPerMsg"), j.getJsonObject("storeOpsPerMsg").getDouble("mariaStatementsPer", Double.NaN),
      hooks ? String.format("; %.0f events/s delivered, lag p50 %s / p99 %s / max %s ms", j.getDouble("eventsPerSec"),
        j.getJsonObject("lag").getValue("p50ms"), j.getJsonObject("lag").getValue("p99ms"), j.getJsonObject("lag").getValue("maxMs")) : "");
    Thread.sleep(2000);
    return j;
  }

  private static JsonObject lagJson(Histogram h) {
    JsonObject j = new JsonObject().put("events", h.getTotalCount());
    if (h.getTotalCount() == 0) {
      return j;
    }
    return j.put("p50ms", h.getValueAtPercentile(50)).put("p95ms", h.getValueAtPercentile(95))
      .put("p99ms", h.getValueAtPercentile(99)).put("maxMs", h.getMaxValue()).put("meanMs", round(h.getMean(), 1));
  }

  /** Acked messages of the ON app whose message.created has not arrived. */
  private long missing() {
    long n = 0;
    for (Long id : onAcked) {
      if (!receiver.createdByMessage.containsKey(id)) {
        n++;
      }
    }
    return n;
  }

  /** Waits until every acked ON message's created event arrived; the ms it took, or -1 after {@code timeoutMs}. */
  private long waitDrained(long timeoutMs) throws InterruptedException {
    long t0 = System.currentTimeMillis();
    while (System.currentTimeMillis() - t0 < timeoutMs) {
      if (missing() == 0) {
        return System.currentTimeMillis() - t0;
      }
      Thread.sleep(50);
    }
    return -1;
  }

  // ---- where the server's time goes (JFR) ------------------------------------------------------------------------

  /** Buckets of server CPU samples: the first frame from the top of the stack whose class starts with a prefix. */
  static final String[][] BUCKETS = {
    {"com.seedim.im.common.events.WebhookPoster", "webhook POSTs (WebhookPoster: signing, HTTP client)"},
    {"com.seedim.im.common.events.MySqlEventStore", "outbox store calls (MySqlEventStore: pending SELECT, DELETE, INSERTs, leases)"},
    {"com.seedim.im.events.", "delivery worker (events role: batch JSON, bookkeeping)"},
    {"com.seedim.im.chat.UndeliveredEvents", "undelivered scan"},
    {"com.seedim.im.common.events.", "event recording (EventRecorder, Event: ids, JSON data)"},
    {"com.seedim.im.chat.store.MessageEvents", "event recording (EventRecorder, Event: ids, JSON data)"},
  };

  /**
   * One extra OFF and ON phase (not in the verdict) with JFR on the server (1 ms Java sampling): the share of the
   * server's CPU samples in the event code, by {@link #BUCKETS}. Asynchronous callbacks (a SQL answer decoded by the
   * client, a socket write flushed later) do not carry the caller on their stack, so this is a lower bound.
   */
  private JsonObject profile(Path stamp, long pid, ChatLoad off, ChatLoad on) throws Exception {
    Path jfr = stamp.resolve("webhooks-profile.jfr").toAbsolutePath();
    Path src = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
    Path jfc = stamp.resolve("profile-1ms.jfc").toAbsolutePath();
    Files.writeString(jfc, Files.readString(src)
      .replace("control=\"method-sampling-java-interval\">10 ms<", "control=\"method-sampling-java-interval\">1 ms<")
      .replace("control=\"method-sampling-native-interval\">20 ms<", "control=\"method-sampling-native-interval\">5 ms<"));
    Suite.log("profile: JFR on the server during one more OFF and ON phase (not in the verdict)");
    ProcStats.jcmd(pid, "JFR.start", "name=hooks", "settings=" + jfc, "filename=" + jfr);
    Thread.sleep(3000); // JFR's start redefines the JDK's I/O classes: let the recompilation pass
    Instant[] win = new Instant[4];
    JsonArray out = new JsonArray();
    for (int i = 0; i < 2; i++) {
      ChatLoad load = i == 0 ? off : on;
      int k = i;
      load.atMeasureStart = () -> win[2 * k] = Instant.now();
      load.atMeasureEnd = () -> win[2 * k + 1] = Instant.now();
      try {
        ChatLoad.Phase p = load.window(s.window, s.warmupS * 1000L, s.hooksMeasureS * 1000L);
        out.add(new JsonObject().put("config", i == 0 ? "off" : "on").put("msgsPerSec", p.msgsPerSec()));
      } finally {
        load.atMeasureStart = null;
        load.atMeasureEnd = null;
      }
      if (i == 1) {
        waitDrained(60_000);
      }
      Thread.sleep(2000);
    }
    ProcStats.jcmd(pid, "JFR.stop", "name=hooks");
    Map<String, long[]> buckets = new LinkedHashMap<>();
    long[] total = new long[2];
    for (var e : jdk.jfr.consumer.RecordingFile.readAllEvents(jfr)) {
      if (!"jdk.ExecutionSample".equals(e.getEventType().getName()) || e.getStackTrace() == null) {
        continue;
      }
      Instant t = e.getStartTime();
      int ph = !t.isBefore(win[0]) && t.isBefore(win[1]) ? 0 : !t.isBefore(win[2]) && t.isBefore(win[3]) ? 1 : -1;
      if (ph < 0) {
        continue;
      }
      total[ph]++;
      String b = null;
      for (var f : e.getStackTrace().getFrames()) {
        String cls = f.getMethod() == null ? "" : f.getMethod().getType().getName();
        for (String[] bk : BUCKETS) {
          if (cls.startsWith(bk[0])) {
            b = bk[1];
            break;
          }
        }
        if (b != null) {
          break;
        }
      }
      buckets.computeIfAbsent(b == null ? "everything else" : b, x -> new long[2])[ph]++;
    }
    JsonArray rows = new JsonArray();
    List<Map.Entry<String, long[]>> order = new ArrayList<>(buckets.entrySet());
    order.sort((x, y) -> x.getKey().equals("everything else") ? 1 : y.getKey().equals("everything else") ? -1
      : Long.compare(y.getValue()[1], x.getValue()[1]));
    for (var e : order) {
      rows.add(new JsonObject().put("bucket", e.getKey()).put("offSamples", e.getValue()[0]).put("onSamples", e.getValue()[1])
        .put("offPct", round(100.0 * e.getValue()[0] / Math.max(1, total[0]), 1))
        .put("onPct", round(100.0 * e.getValue()[1] / Math.max(1, total[1]), 1)));
    }
    Suite.log("profile: %d / %d samples OFF / ON; %s", total[0], total[1], rows.encode());
    return new JsonObject().put("phases", out).put("offSamples", total[0]).put("onSamples", total[1]).put("buckets", rows)
      .put("jfr", jfr.getFileName().toString());
  }

  // ---- drain -------------------------------------------------------------------------------------------------------

  private JsonObject drainTest(ChatLoad on, long pid) throws Exception {
    Suite.log("drain: receiver down (port closed), %d s of ON load, then up", s.hooksDownS);
    receiver.down();
    long down = System.currentTimeMillis();
    // the load while the receiver is down: recording without delivery (the send transaction's share of ON's cost)
    Meter recording = new Meter(on, pid);
    ChatLoad.Phase p = metered(on, recording, s.hooksDownS);
    long backlogAcked = missing();
    long pendingDb = countPending();
    long downMs = System.currentTimeMillis() - down;
    long before = receiver.distinct.sum();
    receiver.lag.reset();
    // the drain alone (no chat load): the delivery's CPU per event
    long srv0 = ProcStats.cpuTicks(pid);
    long db0 = ProcStats.cpuTicks(mariaPid);
    long rd0 = ProcStats.cpuTicks(redisPid);
    long up = receiver.up();
    long waited = waitDrained(300_000);
    long srv1 = ProcStats.cpuTicks(pid) - srv0;
    long db1 = ProcStats.cpuTicks(mariaPid) - db0;
    long rd1 = ProcStats.cpuTicks(redisPid) - rd0;
    long done = receiver.lastNew.get();
    long first = receiver.firstAfterUp.get();
    long delivered = receiver.distinct.sum() - before;
    Histogram lag = receiver.lag.getIntervalHistogram();
    double drainS = (done - first) / 1000.0;
    JsonObject j = new JsonObject().put("downMs", downMs).put("loadMsgsPerSec", p.sentPerSec()).put("loadMessages", (long) (p.sentPerSec() * p.seconds()))
      .put("backlogMessages", backlogAcked).put("pendingRowsAtUp", pendingDb).put("eventsDelivered", delivered)
      .put("drained", waited >= 0).put("firstDeliveryAfterUpMs", first - up).put("drainMs", done - up)
      .put("drainRatePerSec", drainS > 0 ? round(delivered / drainS, 0) : Double.NaN)
      .put("drainRateFromUpPerSec", done > up ? round(delivered * 1000.0 / (done - up), 0) : Double.NaN)
      .put("lag", lagJson(lag)).put("missingAfter", waited >= 0 ? 0 : missing())
      .put("whileDown", p.json().mergeIn(recording.out))
      .put("drainServerCpuUsPerEvent", round(srv1 * US_PER_TICK / (double) Math.max(1, delivered), 1))
      .put("drainMariaCpuUsPerEvent", round(db1 * US_PER_TICK / (double) Math.max(1, delivered), 1))
      .put("drainRedisCpuUsPerEvent", round(rd1 * US_PER_TICK / (double) Math.max(1, delivered), 1));
    Suite.log("drain: %d events waited (%d pending rows); first delivery %d ms after up, all in %d ms = %.0f events/s (%.0f from the first)",
      backlogAcked, pendingDb, first - up, done - up, j.getDouble("drainRateFromUpPerSec"), j.getDouble("drainRatePerSec"));
    return j;
  }

  private long countPending() {
    String out = Services.sql("SELECT COUNT(*) FROM " + s.hooksDatabase + ".event_pending").trim();
    try {
      return Long.parseLong(out);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private JsonObject checks() {
    return new JsonObject().put("ackedOn", onAcked.size()).put("ackedOff", offAcked.size())
      .put("createdReceived", receiver.createdByMessage.size()).put("lost", missing())
      .put("eventsDistinct", receiver.distinct.sum()).put("eventsReceived", receiver.all.sum())
      .put("duplicates", receiver.duplicates.sum()).put("duplicatesSameId", receiver.duplicates.sum())
      .put("doubleRecorded", receiver.doubleRecorded.sum()).put("undeliveredEvents", receiver.undelivered.sum())
      .put("posts", receiver.posts.sum()).put("badSignatures", receiver.badSignatures.sum())
      .put("wrongApp", receiver.wrongApp.sum()).put("receiverCpuMs", receiver.cpuNs.get() / 1_000_000);
  }

  /** The server's im_events_* / im_webhook_* lines of /metrics (delivered, failed, lag), as name → value. */
  private static JsonObject eventMetrics(String metrics) {
    JsonObject j = new JsonObject();
    for (String l : metrics.split("\n")) {
      if (!l.startsWith("#") && (l.contains("event") || l.contains("webhook")) && l.lastIndexOf(' ') > 0) {
        try {
          j.put(l.substring(0, l.lastIndexOf(' ')), Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)));
        } catch (NumberFormatException ignored) {
          // not a sample line
        }
      }
    }
    return j;
  }

  // ---- summary -----------------------------------------------------------------------------------------------------

  static JsonObject summary(JsonArray phases) {
    JsonObject j = new JsonObject();
    for (String cfg : List.of("off", "on")) {
      double n = 0;
      String[] keys = {"msgsPerSec", "p50ms", "p99ms", "serverCpuUsPerMsg", "mariaCpuUsPerMsg", "redisCpuUsPerMsg",
        "systemCpuUsPerMsg", "generatorCpuUsPerMsg", "receiverCpuUsPerMsg", "eventsPerSec", "machineBusyPct", "othersCpuPct"};
      double[] sums = new double[keys.length];
      double stmts = 0;
      Map<String, Double> kinds = new TreeMap<>();
      for (int i = 0; i < phases.size(); i++) {
        JsonObject p = phases.getJsonObject(i);
        if (!cfg.equals(p.getString("config"))) {
          continue;
        }
        n++;
        for (int k = 0; k < keys.length; k++) {
          sums[k] += p.getDouble(keys[k], 0.0);
        }
        stmts += p.getJsonObject("storeOpsPerMsg").getDouble("mariaStatementsPer", 0.0);
        p.getJsonObject("mariaByKind").forEach(e -> kinds.merge(e.getKey(), ((Number) e.getValue()).doubleValue(), Double::sum));
      }
      JsonObject c = new JsonObject().put("phases", (int) n);
      for (int k = 0; k < keys.length; k++) {
        c.put(keys[k], n == 0 ? Double.NaN : round(sums[k] / n, 2));
      }
      c.put("mariaStatementsPerMsg", n == 0 ? Double.NaN : round(stmts / n, 3));
      JsonObject kj = new JsonObject();
      double nn = n;
      kinds.forEach((k, v) -> kj.put(k, round(v / nn, 3)));
      c.put("mariaByKind", kj);
      j.put(cfg, c);
    }
    double off = j.getJsonObject("off").getDouble("msgsPerSec");
    double on = j.getJsonObject("on").getDouble("msgsPerSec");
    double ratio = off > 0 ? on / off : Double.NaN;
    JsonArray pairs = new JsonArray();
    JsonArray cpuPairs = new JsonArray();
    List<Double> sorted = new ArrayList<>();
    for (int i = 0; i + 1 < phases.size(); i += 2) {
      double a = phases.getJsonObject(i).getDouble("msgsPerSec");
      double b = phases.getJsonObject(i + 1).getDouble("msgsPerSec");
      pairs.add(round(b / a, 3));
      sorted.add(b / a);
      cpuPairs.add(round(phases.getJsonObject(i).getDouble("systemCpuUsPerMsg") / phases.getJsonObject(i + 1).getDouble("systemCpuUsPerMsg"), 3));
    }
    sorted.sort(Double::compare);
    double median = sorted.isEmpty() ? Double.NaN : sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
      : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    j.put("medianRoundRatio", round(median, 3)).put("roundCpuRatios", cpuPairs);
    // on a machine where the server, MariaDB and Redis are CPU-bound (and alone), throughput goes as 1 / their CPU per message
    double cpuRatio = j.getJsonObject("off").getDouble("systemCpuUsPerMsg") / j.getJsonObject("on").getDouble("systemCpuUsPerMsg");
    return j.put("ratio", round(ratio, 3)).put("roundRatios", pairs).put("withinTarget", ratio >= 1 - TARGET)
      .put("cpuRatio", round(cpuRatio, 3)).put("withinTargetByCpu", cpuRatio >= 1 - TARGET);
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  // ---- tables and docs -------------------------------------------------------------------------------------------

  static Table phaseTable(JsonObject r) {
    Table t = new Table("webhooks: durable chat, window mode, OFF / ON alternating (same server, same generator)", "phase", "app",
      "msgs/s", "p50 ms", "p99 ms", "server CPU µs/msg", "MariaDB CPU µs/msg", "MariaDB statements/msg", "events/s delivered",
      "lag p50 / p95 / p99 / max ms", "Redis CPU µs/msg", "other processes' CPU % of a core");
    JsonArray ph = r.getJsonArray("phases", new JsonArray());
    for (int i = 0; i < ph.size(); i++) {
      JsonObject p = ph.getJsonObject(i);
      boolean on = "on".equals(p.getString("config"));
      JsonObject lag = p.getJsonObject("lag", new JsonObject());
      t.row(p.getString("config").toUpperCase() + " " + p.getInteger("round"), p.getString("app"), p.getDouble("msgsPerSec"),
        p.getDouble("p50ms"), p.getDouble("p99ms"), p.getDouble("serverCpuUsPerMsg"), p.getDouble("mariaCpuUsPerMsg"),
        p.getJsonObject("storeOpsPerMsg").getDouble("mariaStatementsPer", Double.NaN), on ? p.getDouble("eventsPerSec") : null,
        on ? lag.getValue("p50ms") + " / " + lag.getValue("p95ms") + " / " + lag.getValue("p99ms") + " / " + lag.getValue("maxMs") : null,
        p.getDouble("redisCpuUsPerMsg"), p.getDouble("othersCpuPct"));
    }
    return t;
  }

  static Table summaryTable(JsonObject r) {
    JsonObject sm = r.getJsonObject("summary");
    Table t = new Table("webhooks: mean of the phases per config", "config", "msgs/s", "p50 ms", "p99 ms", "server CPU µs/msg",
      "MariaDB CPU µs/msg", "Redis CPU µs/msg", "server + MariaDB + Redis CPU µs/msg", "MariaDB statements/msg",
      "generator CPU µs/msg (receiver's share)", "other processes' CPU %");
    for (String c : List.of("off", "on")) {
      JsonObject o = sm.getJsonObject(c);
      t.row(c.toUpperCase(), o.getDouble("msgsPerSec"), o.getDouble("p50ms"), o.getDouble("p99ms"), o.getDouble("serverCpuUsPerMsg"),
        o.getDouble("mariaCpuUsPerMsg"), o.getDouble("redisCpuUsPerMsg"), o.getDouble("systemCpuUsPerMsg"), o.getDouble("mariaStatementsPerMsg"),
        Table.fmt(o.getDouble("generatorCpuUsPerMsg")) + " (" + Table.fmt(o.getDouble("receiverCpuUsPerMsg")) + ")", o.getDouble("othersCpuPct"));
    }
    JsonObject off = sm.getJsonObject("off");
    JsonObject on = sm.getJsonObject("on");
    t.row("ON / OFF", sm.getDouble("ratio"), ratio(on, off, "p50ms"), ratio(on, off, "p99ms"), ratio(on, off, "serverCpuUsPerMsg"),
      ratio(on, off, "mariaCpuUsPerMsg"), ratio(on, off, "redisCpuUsPerMsg"), ratio(on, off, "systemCpuUsPerMsg"),
      ratio(on, off, "mariaStatementsPerMsg"), ratio(on, off, "generatorCpuUsPerMsg"), null);
    return t;
  }

  private static double ratio(JsonObject a, JsonObject b, String k) {
    return round(a.getDouble(k) / b.getDouble(k), 3);
  }

  static String markdown(JsonObject r) {
    r = Report.nanCopy(r);
    r.put("summary", summary(r.getJsonArray("phases"))); // recomputed: a results.json of an earlier version renders too
    JsonObject m = r.getJsonObject("machine");
    JsonObject c = r.getJsonObject("config");
    JsonObject sm = r.getJsonObject("summary");
    JsonObject ck = r.getJsonObject("checks");
    JsonObject dr = r.getJsonObject("drain");
    StringBuilder md = new StringBuilder();
    md.append(BEGIN).append("\n## Webhooks\n\n");
    String args = r.getString("command", "");
    String suiteArgs = args.contains(" suite") ? args.substring(args.indexOf(" suite") + 6).trim() : "";
    md.append("Issue 17's target: durable chat throughput with `message.created` and `message.undelivered` recorded and delivered ")
      .append("stays within ").append(Math.round(TARGET * 100)).append(" % of the same run with webhooks off. Run of ")
      .append(r.getString("startedAt").replaceAll("\\.\\d+Z$", "Z")).append(" (")
      .append(Table.fmt(r.getDouble("scenarioSeconds"))).append(" s in all). Machine: ").append(m.getString("cpu")).append(", ")
      .append(m.getInteger("cores")).append(" cores shared by the server, MariaDB, Redis, the generator and the receiver — and, ")
      .append("during this run, by other work on the machine (the `other processes' CPU` column: everything else the machine ran meanwhile), ")
      .append(m.getString("java")).append(", MariaDB ").append(m.getString("mariadb")).append(".\n\n");
    md.append("```bash\n./scripts/bench.sh ").append(suiteArgs).append("\n# = java ").append(args).append('\n')
      .append("# re-render this section from the saved results:\n# java -jar bench/target/seedim-bench.jar report --results bench/results/<run>-webhooks/results.json\n```\n\n");
    md.append("**Setup.** One production-mode server started as the suite starts it (same jar, `conf/jvm.options`, `--roles all`: ")
      .append("gateway, chat, events, ...), its own MariaDB database `").append(c.getString("database")).append("` and Redis prefix `")
      .append(c.getString("redisPrefix")).append("` (dropped at the start), with two apps: `").append(Suite.APP_ID)
      .append("` without `webhooks` (OFF) and `").append(HOOK_APP).append("` recording `message.created` and `message.undelivered` ")
      .append("to one endpoint (`maxBatch` ").append(c.getInteger("maxBatch")).append(") (ON); server-wide `events`: `")
      .append(r.getJsonObject("serverConfig").getJsonObject("events").encode()).append("` (the rest default: `pollMs` 200). ")
      .append("The endpoint is an HTTP receiver inside the bench process (its own Vert.x, one event loop): it verifies each POST's ")
      .append("`X-Signature` with `Signatures.api` and the app secret, answers 200, and records per event its id, type, app and lag ")
      .append("(arrival − `createdAt`, both wall clocks of this machine). The load is scenario 2's: ").append(c.getInteger("pairs"))
      .append(" sender/receiver pairs per app, each sender keeping ").append(c.getInteger("window")).append(" 130s unacknowledged, ")
      .append(c.getInteger("messageBytes")).append("-character messages, receivers ack each 140 with 141; ")
      .append(c.getInteger("warmupS")).append(" s unmeasured then ").append(c.getInteger("measureS")).append(" s measured per phase, ")
      .append("phases OFF, ON, OFF, ON").append(c.getInteger("rounds") > 2 ? ", ..." : "").append(" after a JIT warm-up of alternating ")
      .append("OFF / ON load (").append(r.getJsonObject("warmup").getLong("seconds")).append(" s).\n\n");
    md.append("**Why two apps in one server** rather than a restart per config: the phases then differ only by the app's config — ")
      .append("same JVM and JIT state, same connection pools, same InnoDB buffer pool, same generator, seconds apart — while a ")
      .append("restart brings a new JIT warm-up and a new heap layout whose run-to-run spread on this shared machine is larger ")
      .append("than the effect measured. The OFF app records nothing (its transactions write no event rows: the per-app ")
      .append("zero-cost path). After every ON phase the bench waits until every acknowledged ON message's event has arrived, ")
      .append("so an OFF phase never pays for ON's deliveries. What OFF still shares: the delivery worker's idle poll (one ")
      .append("SELECT per 200 ms) and the undelivered scan (one range read per second, since one app records `message.undelivered`) — ")
      .append("the fixed background cost of any server where some app uses webhooks, included in both.\n\n");
    md.append("CPU per message is `/proc/<pid>/stat` utime + stime over the measured window divided by the messages delivered in it ")
      .append("(server, `mariadbd`, `redis-server`); MariaDB statements per message is the `Questions` counter over the same window (a global ")
      .append("counter: other clients of the shared MariaDB during the run are counted too, in both configs alike).\n\n");
    md.append(phaseTable(r).markdown()).append('\n');
    md.append(summaryTable(r).markdown()).append('\n');
    boolean within = sm.getBoolean("withinTarget");
    boolean byCpu = sm.getBoolean("withinTargetByCpu");
    md.append("**Verdict: measured ON / OFF throughput = ").append(Table.fmt(sm.getDouble("ratio"))).append(" (per round: ")
      .append(sm.getJsonArray("roundRatios").encode()).append(") — ").append(within ? "within" : "**not within**").append(" the ")
      .append(Math.round(TARGET * 100)).append(" % target (median of the rounds ").append(Table.fmt(sm.getDouble("medianRoundRatio")))
      .append("). By CPU cost (server + MariaDB + Redis µs per message, OFF / ON — the ")
      .append("throughput ratio of a machine where they are CPU-bound and alone): ").append(Table.fmt(sm.getDouble("cpuRatio")))
      .append(" (per round: ").append(sm.getJsonArray("roundCpuRatios").encode()).append(')')
      .append(" — ").append(byCpu ? "within" : "**not within**").append(" the target.**\n\n");
    md.append("The cores were shared with other work during this run (the last column): the server got the CPU the scheduler ")
      .append("left it, so msgs/s moves with the other processes' load from phase to phase, and the CPU per message is the figure ")
      .append("that does not depend on how much CPU a phase got.\n\n");
    JsonObject offK = sm.getJsonObject("off").getJsonObject("mariaByKind");
    JsonObject onK = sm.getJsonObject("on").getJsonObject("mariaByKind");
    Table k = new Table("statements per message by kind", "statement (Com_*)", "OFF", "ON", "ON − OFF");
    Set<String> names = new java.util.TreeSet<>(offK.fieldNames());
    names.addAll(onK.fieldNames());
    for (String n : names) {
      double a = offK.getDouble(n, 0.0);
      double b = onK.getDouble(n, 0.0);
      k.row(n, String.format("%.3f", a), String.format("%.3f", b), String.format("%+.3f", b - a));
    }
    md.append("MariaDB statements per message by kind (`Com_*` counters, mean of the phases):\n\n").append(k.markdown()).append('\n');
    if (r.containsKey("profile")) {
      JsonObject pr = r.getJsonObject("profile");
      Table t = new Table("server CPU samples", "where (first matching frame from the top of the stack)", "OFF %", "ON %");
      JsonArray b = pr.getJsonArray("buckets");
      for (int i = 0; i < b.size(); i++) {
        t.row(b.getJsonObject(i).getString("bucket"), b.getJsonObject(i).getDouble("offPct"), b.getJsonObject(i).getDouble("onPct"));
      }
      JsonArray pp = pr.getJsonArray("phases");
      md.append("Where the server's time goes: one more OFF and ON phase after the measured ones (not in the verdict; ")
        .append(Table.fmt(pp.getJsonObject(0).getDouble("msgsPerSec"))).append(" and ")
        .append(Table.fmt(pp.getJsonObject(1).getDouble("msgsPerSec"))).append(" msg/s) with JFR on the server (1 ms Java sampling; `")
        .append(pr.getString("jfr")).append("` in the results), ").append(Table.fmt(pr.getLong("offSamples"))).append(" / ")
        .append(Table.fmt(pr.getLong("onSamples"))).append(" execution samples. A sample counts for the event code when a frame ")
        .append("of it is on the stack; callbacks that run later without it (a SQL answer decoded by the client, a socket write ")
        .append("flushed by Netty) count as everything else, so the event code's share is a lower bound.\n\n")
        .append(t.markdown()).append('\n');
    }
    md.append("### The outbox\n\n");
    Table o = new Table("outbox", "", "value");
    JsonObject onS = sm.getJsonObject("on");
    JsonArray ph = r.getJsonArray("phases");
    List<String> lags = new ArrayList<>();
    List<String> drains = new ArrayList<>();
    for (int i = 0; i < ph.size(); i++) {
      JsonObject p = ph.getJsonObject(i);
      if ("on".equals(p.getString("config"))) {
        JsonObject l = p.getJsonObject("lag");
        lags.add(l.getValue("p50ms") + " / " + l.getValue("p95ms") + " / " + l.getValue("p99ms") + " / " + l.getValue("maxMs")
          + " (" + Table.fmt(l.getLong("events")) + " events)");
        drains.add(p.getLong("drainedAfterPhaseMs") + " ms");
      }
    }
    o.row("events delivered per second during the ON phases (mean)", Table.fmt(onS.getDouble("eventsPerSec")));
    o.row("delivery lag createdAt → received, p50 / p95 / p99 / max ms, per ON phase", String.join("; ", lags));
    o.row("last event of an ON phase arrived after the load stopped", String.join("; ", drains));
    o.row("drain: receiver down (port closed) for", Table.fmt(dr.getLong("downMs") / 1000.0) + " s, with "
      + Table.fmt(dr.getDouble("loadMsgsPerSec")) + " msg/s of ON load meanwhile (" + c.getInteger("warmupS") + " s ramp + "
      + c.getInteger("downS") + " s measured, then the acks drained)");
    o.row("drain: backlog when the receiver came back", Table.fmt(dr.getLong("backlogMessages")) + " events ("
      + Table.fmt(dr.getLong("pendingRowsAtUp")) + " rows in event_pending)");
    o.row("drain: first delivery after the receiver came back", dr.getLong("firstDeliveryAfterUpMs") + " ms (retry backoff, `maxBackoffSeconds` "
      + c.getInteger("maxBackoffSeconds") + ")");
    o.row("drain: backlog delivered in", Table.fmt(dr.getLong("drainMs") / 1000.0) + " s after up = "
      + Table.fmt(dr.getDouble("drainRateFromUpPerSec")) + " events/s (" + Table.fmt(dr.getDouble("drainRatePerSec"))
      + " events/s from the first delivery on)");
    if (dr.containsKey("whileDown")) {
      JsonObject wd = dr.getJsonObject("whileDown");
      o.row("recording without delivery (the load while the receiver was down): msgs/s; server / MariaDB / Redis CPU µs/msg",
        Table.fmt(wd.getDouble("msgsPerSec")) + "; " + Table.fmt(wd.getDouble("serverCpuUsPerMsg")) + " / "
          + Table.fmt(wd.getDouble("mariaCpuUsPerMsg")) + " / " + Table.fmt(wd.getDouble("redisCpuUsPerMsg"))
          + " (statements/msg " + Table.fmt(wd.getJsonObject("storeOpsPerMsg").getDouble("mariaStatementsPer", Double.NaN)) + ")");
      o.row("delivery alone (the drain, no chat load): server / MariaDB / Redis CPU µs per event delivered",
        Table.fmt(dr.getDouble("drainServerCpuUsPerEvent")) + " / " + Table.fmt(dr.getDouble("drainMariaCpuUsPerEvent")) + " / "
          + Table.fmt(dr.getDouble("drainRedisCpuUsPerEvent")));
    }
    JsonObject dl = dr.getJsonObject("lag");
    o.row("drain: lag of the backlog's events p50 / max ms", dl.getValue("p50ms") + " / " + dl.getValue("maxMs"));
    md.append(o.markdown()).append('\n');
    md.append("### Nothing lost, nothing forged\n\n");
    Table n = new Table("checks", "ON messages acked (30)", "their message.created received", "lost", "events received (distinct)",
      "repeats (same id)", "messages with two different event ids", "message.undelivered", "POSTs", "bad signatures",
      "events of the OFF app", "events pending at the end");
    n.row(ck.getLong("ackedOn"), ck.getLong("createdReceived"), ck.getLong("lost"), ck.getLong("eventsDistinct"), ck.getLong("duplicates"),
      ck.getLong("doubleRecorded"), ck.getLong("undeliveredEvents"), ck.getLong("posts"), ck.getLong("badSignatures"),
      ck.getLong("wrongApp"), r.getLong("pendingAtEnd"));
    md.append(n.markdown()).append('\n');
    md.append("Lost = an ON message whose 30 arrived (stored, its event in the same transaction) but whose `message.created` never ")
      .append("reached the receiver, over the whole run (warm-up and drain included). `message.undelivered` counts the messages ")
      .append("no receiver device acked within `undeliveredAfterSeconds` — receivers here ack every 140, so few or none are expected; the ")
      .append("scan runs all the same.\n\n");
    DocSections.appendAnalysis(md, Path.of("bench/WEBHOOKS-ANALYSIS.md"));
    md.append(END).append('\n');
    return md.toString();
  }

  /** A window-mode phase of {@code load} whose measured part {@code meter} brackets. */
  private ChatLoad.Phase metered(ChatLoad load, Meter meter, int measureS) throws InterruptedException {
    load.atMeasureStart = meter::start;
    load.atMeasureEnd = meter::end;
    try {
      return load.window(s.window, s.warmupS * 1000L, measureS * 1000L);
    } finally {
      load.atMeasureStart = null;
      load.atMeasureEnd = null;
    }
  }

  /** Replaces (or adds) the webhooks section of docs/benchmarks.md; the rest of the file stays as it is. */
  static void writeDocs(JsonObject r, Path docs) throws IOException {
    String section = markdown(r);
    DocSections.write(docs, old -> splice(old, section));
  }

  /** {@code doc} with its webhooks section replaced, or the section put after the soak's (else before the profile). */
  static String splice(String doc, String section) {
    String replaced = DocSections.replace(doc, BEGIN, END, section);
    if (replaced != null) {
      return replaced;
    }
    int soak = doc.indexOf(Soak.END);
    if (soak >= 0) {
      int at = soak + Soak.END.length();
      String rest = doc.substring(at).replaceFirst("^\n", "");
      return doc.substring(0, at) + "\n" + section + rest;
    }
    return DocSections.insertBeforeAnchors(doc, section);
  }

  /** The webhooks section of an existing docs file (so the suite's rewrite keeps it), or "". */
  static String existing(Path docs) {
    return DocSections.existing(docs, BEGIN, END);
  }

  // ---- the receiver ------------------------------------------------------------------------------------------------

  /**
   * The business server's webhook endpoint: its own Vert.x (one event loop), verifies the §11.4 signature of every
   * POST, answers 200, and records per event: its id (repeats counted), its type, its app, the lag arrival −
   * createdAt, and for {@code message.created} the message id → event id (a message with two different event ids
   * would be recorded twice). Its handler's CPU time (thread CPU clock) is summed. {@link #down} closes the port,
   * {@link #up} listens on the same port again.
   */
  static final class Receiver {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setPreferNativeTransport(false));
    final String appId;
    final String secret;
    final Set<String> ids = ConcurrentHashMap.newKeySet();
    final Map<Long, String> createdByMessage = new ConcurrentHashMap<>();
    final LongAdder distinct = new LongAdder();
    final LongAdder all = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder doubleRecorded = new LongAdder();
    final LongAdder undelivered = new LongAdder();
    final LongAdder posts = new LongAdder();
    final LongAdder badSignatures = new LongAdder();
    final LongAdder wrongApp = new LongAdder();
    final AtomicLong cpuNs = new AtomicLong();
    final AtomicLong lastNew = new AtomicLong();
    final AtomicLong firstAfterUp = new AtomicLong();
    final Recorder lag = new Recorder(TimeUnit.MINUTES.toMillis(30), 3);
    private HttpServer server;
    int port;

    Receiver(String appId, String secret) {
      this.appId = appId;
      this.secret = secret;
      up();
    }

    /** Listens (on the same port after {@link #down}); the time it did. */
    synchronized long up() {
      server = vertx.createHttpServer().requestHandler(this::handle);
      port = server.listen(port, "127.0.0.1").await().actualPort();
      long now = System.currentTimeMillis();
      firstAfterUp.set(0);
      return now;
    }

    synchronized void down() {
      server.close().await();
    }

    private void handle(HttpServerRequest req) {
      req.body().onSuccess(buf -> {
        long now = System.currentTimeMillis();
        long c0 = THREADS.getCurrentThreadCpuTime();
        posts.increment();
        String body = buf.toString(StandardCharsets.UTF_8);
        String app = req.getHeader("X-App-Id");
        String ts = req.getHeader("X-Timestamp");
        String nonce = req.getHeader("X-Nonce");
        String sig = req.getHeader("X-Signature");
        boolean valid = appId.equals(app) && ts != null && nonce != null && sig != null
          && Signatures.matches(Signatures.api(secret, req.method().name(), app, req.uri(), ts, nonce, body), sig);
        if (!valid) {
          badSignatures.increment();
          req.response().setStatusCode(401).end();
          cpuNs.addAndGet(THREADS.getCurrentThreadCpuTime() - c0);
          return;
        }
        JsonArray events = new JsonObject(body).getJsonArray("events", new JsonArray());
        boolean fresh = false;
        for (int i = 0; i < events.size(); i++) {
          JsonObject e = events.getJsonObject(i);
          all.increment();
          if (!appId.equals(e.getString("appId"))) {
            wrongApp.increment();
          }
          String id = e.getString("id");
          if (!ids.add(id)) {
            duplicates.increment();
            continue;
          }
          fresh = true;
          distinct.increment();
          lag.recordValue(Math.max(0, Math.min(now - e.getLong("createdAt", now), TimeUnit.MINUTES.toMillis(30))));
          String type = e.getString("type");
          if ("message.created".equals(type)) {
            long mid = Long.parseLong(String.valueOf(e.getJsonObject("data").getValue("messageId")));
            String was = createdByMessage.putIfAbsent(mid, id);
            if (was != null && !was.equals(id)) {
              doubleRecorded.increment();
            }
          } else if ("message.undelivered".equals(type)) {
            undelivered.increment();
          }
        }
        if (fresh) {
          lastNew.set(now);
          firstAfterUp.compareAndSet(0, now);
        }
        req.response().setStatusCode(200).putHeader("Content-Type", "application/json").end("{}");
        cpuNs.addAndGet(THREADS.getCurrentThreadCpuTime() - c0);
      });
    }

    void close() {
      try {
        vertx.close().await();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }
}
