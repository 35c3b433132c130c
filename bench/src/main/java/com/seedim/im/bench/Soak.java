package com.seedim.im.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.IOException;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak (hardening issue, point 9): one production-mode server, started like the suite's, under N minutes of
 * moderate mixed load — fixed-rate chat between signed pairs (130 → 30, 140 → 141, 131 → 31), queue churn (400 / 401 /
 * 420 in a loop), clients dropping and reconnecting every few seconds, and hostile clients that reconnect after each
 * close (a reader that never reads while its heartbeats echo large marks, a ping flooder, malformed JSON, idle TCP
 * connections). Every {@code sampleS} it reads the server's live heap after a full GC ({@code jcmd GC.run} +
 * {@code GC.heap_info}), RSS, threads and open files (/proc), the soak's Redis keys and their MEMORY USAGE, and the
 * rows and bytes of its MariaDB database. At the end: acked-but-never-received messages after a drain, hostile closes
 * by code, a flatness verdict per series. Results go to {@code bench/results/<run>-soak/} and the "Soak" section of
 * docs/benchmarks.md.
 */
final class Soak {
  static final String BEGIN = "<!-- soak:begin (written by `suite --only soak`; kept when the suite rewrites this file) -->";
  static final String END = "<!-- soak:end -->";
  /** Flatness: mean of the last 20 % of samples against the mean of samples 20–40 %, within this share... */
  static final double FLAT_TOLERANCE = 0.10;
  private static final Pattern HEAP = Pattern.compile("total (\\d+)K, used (\\d+)K");

  private final Suite s;
  private final String run = Long.toString(System.currentTimeMillis() % 100000, 36);
  private Process server;
  private Pool pool;
  private volatile boolean stopping;

  // chat
  private final List<Client> senders = new ArrayList<>();
  private final List<Client> receivers = new ArrayList<>();
  private final Set<Long> acked = ConcurrentHashMap.newKeySet();
  private final Set<Long> received = ConcurrentHashMap.newKeySet();
  private final LongAdder sent = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder chatErrors = new LongAdder();
  private final LongAdder receivedFrames = new LongAdder();
  private final Recorder latency = new Recorder(TimeUnit.SECONDS.toMicros(60), 3);
  private final Histogram latencyAll = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
  /** 130 errors and skipped sends at the first sample after the warm-up (20 % of the run), or -1 before it. */
  private long errorsAtWarm = -1;
  private long skippedAtWarm = -1;
  private volatile boolean chatRunning;
  private final long[] pacers = new long[8];
  // queue churn
  private final List<Client> customers = new ArrayList<>();
  private final List<Client> agents = new ArrayList<>();
  private final LongAdder enters = new LongAdder();
  private final LongAdder takes = new LongAdder();
  private final LongAdder leaves = new LongAdder();
  private final LongAdder customerServed = new LongAdder();
  private final Map<String, LongAdder> queueErrors = new ConcurrentHashMap<>();
  // reconnects
  private final Set<Client> down = ConcurrentHashMap.newKeySet();
  private final LongAdder reconnects = new LongAdder();
  private final LongAdder reconnectFailures = new LongAdder();
  private long reconnectTimer = -1;
  // hostile
  private final Map<String, LongAdder> hostileCloses = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> hostileAttempts = new ConcurrentHashMap<>();
  private final List<Thread> hostileThreads = new ArrayList<>();
  private final AtomicLong slowReaderBytes = new AtomicLong();

  Soak(Suite suite) {
    this.s = suite;
  }

  Integer run() throws Exception {
    long t0 = System.currentTimeMillis();
    Files.createDirectories(s.resultsDir);
    Path stamp = s.resultsDir.resolve(Instant.now().toString().replace(":", "").replaceAll("\\..*", "") + "-soak"
      + (s.label.isEmpty() ? "" : "-" + s.label));
    Files.createDirectories(stamp);
    String args = String.join(" ", ProcessHandle.current().info().arguments().map(List::of).orElse(List.of()));
    JsonObject config = new JsonObject().put("minutes", s.soakMinutes).put("chatRate", s.soakRate).put("pairs", s.soakPairs)
      .put("messageBytes", s.messageBytes).put("customers", s.soakCustomers).put("agents", s.soakAgents)
      .put("agentHoldMs", s.soakHoldMs).put("reconnectEveryMs", s.soakReconnectEveryMs).put("reconnectBatch", s.soakReconnectBatch)
      .put("slowloris", s.soakSlowloris).put("sampleS", s.soakSampleS).put("database", s.soakDatabase)
      .put("redisPrefix", s.soakRedisPrefix).put("flatTolerance", FLAT_TOLERANCE);
    JsonObject res = new JsonObject().put("scenario", "soak").put("label", s.label).put("startedAt", Instant.now().toString())
      .put("machine", Machine.describe()).put("serverJvm", s.serverJvm())
      .put("serverEnv", new JsonObject(new LinkedHashMap<>(s.serverEnv))).put("generatorJvm", s.generatorJvm)
      .put("command", args).put("config", config);
    Suite.log("soak %s: %d minutes; results in %s", run, s.soakMinutes, stamp);
    if (Services.waitPort("127.0.0.1", s.port, 500)) {
      throw new IllegalStateException("port " + s.port + " is in use (another suite or soak running?); use --port");
    }
    Suite.log("preparing stores: dropping database %s, deleting Redis keys %s* (the soak's own)", s.soakDatabase, s.soakRedisPrefix);
    Services.sql("DROP DATABASE IF EXISTS " + s.soakDatabase);
    Services.redisDeletePrefix(s.soakRedisPrefix);
    JsonObject serverConfig = s.serverConfig(s.soakDatabase, s.soakRedisPrefix);
    JsonArray samples = new JsonArray();
    try {
      server = Services.startServer(s, stamp, serverConfig, res);
      long pid = server.pid();
      Suite.log("server pid %d", pid);
      Thread.sleep(2000);
      Target im = new Target("seedim", "127.0.0.1", s.port, false, Suite.APP_ID, Suite.SECRET);
      pool = new Pool(2, List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"), 10_000);
      setUpChat(im);
      setUpQueue(im);
      List<Future<Void>> all = new ArrayList<>();
      for (Client c : allClients()) {
        all.add(c.connect());
      }
      Future.all(all).await(60, TimeUnit.SECONDS);
      Suite.log("soak: %d chat pairs, %d customers, %d agents connected; chat at %d msg/s", s.soakPairs, s.soakCustomers,
        s.soakAgents, s.soakRate);
      Map<String, Long> pids = new LinkedHashMap<>();
      pids.put("seedim", pid);
      pids.put("mariadbd", ProcStats.pidOf("mariadbd"));
      pids.put("redis", ProcStats.pidOf("redis-server"));
      pids.put("generator", ProcessHandle.current().pid());
      ProcStats.Cpu cpu = new ProcStats.Cpu(pids);
      long start = System.currentTimeMillis();
      startChat();
      startQueue();
      startReconnects();
      startHostiles();
      long end = start + s.soakMinutes * 60_000L;
      long next = start;
      try (Resp redis = new Resp("127.0.0.1", 6379)) {
        while (true) {
          long now = System.currentTimeMillis();
          if (now >= next) {
            JsonObject sm = sample(pid, redis, (now - start) / 1000.0);
            samples.add(sm);
            Suite.log("soak t=%4.0fs heap %,d KB rss %,d KB fds %d threads %d redis %d keys %,d B | sent %d acked %d recv %d p99 %.1f ms "
                + "| takes %d | reconnects %d | hostile closes %d | rows %d", sm.getDouble("t"), sm.getLong("heapLiveKb"),
              sm.getLong("rssKb"), sm.getLong("fds"), sm.getLong("threads"), sm.getLong("redisKeys"), sm.getLong("redisBytes"),
              sm.getLong("sent"), sm.getLong("acked"), sm.getLong("received"), sm.getDouble("p99ms"), sm.getLong("takes"),
              sm.getLong("reconnects"), sm.getLong("hostileCloses"), sm.getLong("mariaRows"));
            next += s.soakSampleS * 1000L;
          }
          if (now >= end) {
            break;
          }
          Thread.sleep(Math.max(1, Math.min(next, end) - System.currentTimeMillis()));
        }
        Map<String, Object> cpuUse = cpu.stop();
        double loadSecs = (System.currentTimeMillis() - start) / 1000.0;
        Suite.log("soak: load over after %.0f s; stopping the load, reconnecting everyone, draining", loadSecs);
        stopLoad();
        long drainStart = System.currentTimeMillis();
        long missing = drain();
        long drainMs = System.currentTimeMillis() - drainStart;
        Thread.sleep(3000);
        JsonObject last = sample(pid, redis, (System.currentTimeMillis() - start) / 1000.0).put("afterDrain", true);
        samples.add(last);
        res.put("loadSeconds", loadSecs).put("cpu", new JsonObject(cpuUse));
        res.put("chat", chatSummary(loadSecs, missing, drainMs));
        res.put("queue", new JsonObject().put("enters", enters.sum()).put("takes", takes.sum()).put("leaves", leaves.sum())
          .put("customersServed", customerServed.sum()).put("takesPerSec", takes.sum() / loadSecs)
          .put("errors", counts(queueErrors)));
        res.put("reconnects", new JsonObject().put("reconnects", reconnects.sum()).put("failures", reconnectFailures.sum())
          .put("perMinute", reconnects.sum() * 60 / loadSecs));
        res.put("hostile", new JsonObject().put("attempts", counts(hostileAttempts)).put("closes", counts(hostileCloses))
          .put("slowReaderMB", slowReaderBytes.get() / 1048576.0));
        res.put("serverLimitCloses", limitCloses(Services.httpGet("http://127.0.0.1:" + s.managementPort + "/metrics")));
        res.put("missingSample", missingSample(20));
        res.put("redisKeyKinds", keyKinds(redis, s.soakRedisPrefix));
        // 400/401/420 are idempotent: their records live Idempotency.WINDOW_MS (10 min), so their count climbs for 10 min
        double idemPerSec = (enters.sum() + takes.sum() + leaves.sum()) / loadSecs;
        res.put("redisIdempotencyPerSec", idemPerSec).put("redisIdempotencyPlateauKeys", Math.round(idemPerSec * 600));
      }
    } finally {
      stopping = true;
      for (Thread t : hostileThreads) {
        t.interrupt();
      }
      if (pool != null) {
        for (Client c : allClients()) {
          c.drop();
        }
        pool.close();
      }
      Services.stop(server, 40);
    }
    res.put("samples", samples);
    res.put("series", Soak.series(samples));
    res.put("mariadb", Soak.mariaGrowth(samples));
    res.put("serverLog", serverLog(stamp));
    res.put("soakSeconds", (System.currentTimeMillis() - t0) / 1000.0);
    Files.writeString(stamp.resolve("results.json"), res.encodePrettily(), StandardCharsets.UTF_8);
    Files.writeString(stamp.resolve("samples.csv"), csv(samples), StandardCharsets.UTF_8);
    Files.writeString(s.resultsDir.resolve("latest-soak.json"), res.encodePrettily(), StandardCharsets.UTF_8);
    Suite.log("results: %s (and samples.csv)", stamp.resolve("results.json"));
    table(res).print();
    if (!s.noDocs) {
      writeDocs(res, s.docsDir);
      Suite.log("wrote the Soak section of %s", s.docsDir.resolve("benchmarks.md"));
    }
    JsonObject chat = res.getJsonObject("chat");
    Suite.log("soak done: %d acked, %d never received after the drain", chat.getLong("acked"), chat.getLong("ackedNotReceived"));
    return chat.getLong("ackedNotReceived") == 0 ? 0 : 3;
  }

  private List<Client> allClients() {
    List<Client> l = new ArrayList<>(receivers);
    l.addAll(senders);
    l.addAll(customers);
    l.addAll(agents);
    return l;
  }

  // ---- chat ------------------------------------------------------------------------------------------------------

  private void setUpChat(Target im) {
    for (int i = 0; i < s.soakPairs; i++) {
      Client snd = new Client(pool, i, im, "so" + run + "s" + i, "d1", "user");
      Client rcv = new Client(pool, i, im, "so" + run + "r" + i, "d1", "user");
      snd.peer = rcv.userId;
      snd.listener = (c, type, text) -> {
        if (type == 30 && "130".equals(Proto.str(text, "receiveMsgType"))) {
          c.outstanding--;
          String id = Proto.str(text, "messageId");
          if (id != null) {
            acked.add(Long.parseLong(id));
          }
        } else if (type == 10) {
          c.outstanding--;
          chatErrors.increment();
        }
      };
      rcv.listener = (c, type, text) -> {
        if (type == 140) {
          receivedFrames.increment();
          String id = Proto.str(text, "messageId");
          if (id != null && !received.add(Long.parseLong(id))) {
            duplicates.increment();
          }
          long st = Proto.stamp(text);
          if (st > 0) {
            latency.recordValue(Math.max(0, Math.min((System.nanoTime() - st) / 1000, TimeUnit.SECONDS.toMicros(60))));
          }
        }
      };
      senders.add(snd);
      receivers.add(rcv);
    }
  }

  /** Fixed-rate 130s, paced every 10 ms per event loop; a sender that is down or has 50 unacknowledged skips its turn. */
  private void startChat() {
    chatRunning = true;
    String pad = "x".repeat(Math.max(0, s.messageBytes - 20));
    int loops = pool.eventLoops();
    long start = System.nanoTime();
    for (int i = 0; i < loops; i++) {
      List<Client> mine = new ArrayList<>();
      for (Client c : senders) {
        if (Math.floorMod(c.ctxIndex, loops) == i) {
          mine.add(c);
        }
      }
      if (mine.isEmpty()) {
        continue;
      }
      double myRate = (double) s.soakRate * mine.size() / senders.size();
      long[] count = {0};
      int[] rr = {0};
      int li = i;
      pool.context(i).runOnContext(v -> pacers[li] = pool.vertx.setPeriodic(10, t -> {
        if (!chatRunning) {
          return;
        }
        long now = System.nanoTime();
        long due = (long) ((now - start) / 1e9 * myRate);
        while (count[0] < due) {
          long intended = start + (long) (count[0] * 1e9 / myRate);
          Client c = mine.get(rr[0]++ % mine.size());
          count[0]++;
          if (!c.isOpen() || c.outstanding >= 50) {
            skipped.increment();
            continue;
          }
          c.outstanding++;
          sent.increment();
          c.send(Proto.chat(++c.uniqueSeq, c.peer, intended, pad));
        }
      }));
    }
  }

  private JsonObject chatSummary(double loadSecs, long missing, long drainMs) {
    synchronized (latencyAll) {
      latencyAll.add(latency.getIntervalHistogram());
    }
    return new JsonObject().put("offeredPerSec", s.soakRate).put("sent", sent.sum()).put("skipped", skipped.sum())
      .put("acked", (long) acked.size()).put("receivedDistinct", (long) received.size()).put("receivedFrames", receivedFrames.sum())
      .put("duplicates", duplicates.sum()).put("errors", chatErrors.sum())
      .put("errorsAfterWarmup", errorsAtWarm < 0 ? -1L : chatErrors.sum() - errorsAtWarm)
      .put("skippedAfterWarmup", skippedAtWarm < 0 ? -1L : skipped.sum() - skippedAtWarm).put("sentPerSec", sent.sum() / loadSecs)
      .put("ackedPerSec", acked.size() / loadSecs).put("ackedNotReceived", missing).put("drainMs", drainMs)
      .put("p50ms", ChatLoad.Phase.ms(latencyAll, 50)).put("p99ms", ChatLoad.Phase.ms(latencyAll, 99))
      .put("p999ms", ChatLoad.Phase.ms(latencyAll, 99.9)).put("maxMs", latencyAll.getMaxValue() / 1000.0);
  }

  private long missingCount() {
    long n = 0;
    for (Long id : acked) {
      if (!received.contains(id)) {
        n++;
      }
    }
    return n;
  }

  /** Up to {@code n} acked-but-not-received ids with their row state in MariaDB (delivered flag, receiver). */
  private JsonArray missingSample(int n) {
    List<String> ids = new ArrayList<>();
    for (Long id : acked) {
      if (!received.contains(id)) {
        ids.add(Long.toString(id));
        if (ids.size() >= n) {
          break;
        }
      }
    }
    JsonArray a = new JsonArray();
    if (ids.isEmpty()) {
      return a;
    }
    // delivered = at or under the receiver's watermark, acked above it, or retracted (the chat store's model)
    String rows = Services.sql("SELECT m.message_id, m.receiver, (m.retracted = 1 OR COALESCE(m.seq <= d.delivered_seq"
      + " OR FIND_IN_SET(m.seq, d.acked_above) > 0, FALSE)) AS delivered FROM " + s.soakDatabase + ".chat_messages m"
      + " LEFT JOIN " + s.soakDatabase + ".chat_deliveries d ON d.app_id = m.app_id AND d.user_id = m.receiver"
      + " WHERE m.message_id IN (" + String.join(",", ids) + ")");
    for (String l : rows.split("\n")) {
      if (!l.isBlank()) {
        a.add(l.trim());
      }
    }
    return a;
  }

  // ---- queue churn -----------------------------------------------------------------------------------------------

  private static final String QUEUE = "soakq";

  private void setUpQueue(Target im) {
    for (int i = 0; i < s.soakCustomers; i++) {
      Client c = new Client(pool, i, im, "so" + run + "c" + i, "d1", "user");
      c.listener = (cl, type, text) -> {
        switch (type) {
          case 402 -> {
            cl.mark = 2; // in a room
            customerServed.increment();
          }
          case 560, 421 -> {
            if (cl.mark == 2) {
              cl.mark = 0;
              pool.vertx.setTimer(200 + ThreadLocalRandom.current().nextInt(600), t -> enter(cl));
            }
          }
          case 10 -> {
            if ("400".equals(Proto.str(text, "receiveMsgType"))) {
              queueErrors.computeIfAbsent("400 " + Proto.str(text, "code"), k -> new LongAdder()).increment();
              cl.mark = 0;
              pool.vertx.setTimer(2000, t -> enter(cl));
            }
          }
          default -> {
          }
        }
      };
      customers.add(c);
    }
    for (int i = 0; i < s.soakAgents; i++) {
      Client a = new Client(pool, i, im, "so" + run + "a" + i, "d1", "agent");
      a.listener = (cl, type, text) -> {
        if (type == 402 && text.contains("\"roomId\"")) {
          takes.increment();
          String room = Proto.str(text, "roomId");
          cl.mark = 2;
          pool.vertx.setTimer(s.soakHoldMs, t -> {
            cl.mark = 3;
            cl.uniqueSeq++;
            cl.send("{\"msgType\":420,\"unique\":\"l" + cl.uniqueSeq + "\",\"roomId\":\"" + room + "\"}");
          });
        } else if (type == 30 && "420".equals(Proto.str(text, "receiveMsgType"))) {
          leaves.increment();
          cl.mark = 0;
          pool.vertx.setTimer(100 + ThreadLocalRandom.current().nextInt(200), t -> take(cl));
        } else if (type == 10) {
          String rt = Proto.str(text, "receiveMsgType");
          if ("401".equals(rt) || "420".equals(rt)) {
            queueErrors.computeIfAbsent(rt + " " + Proto.str(text, "code"), k -> new LongAdder()).increment();
            cl.mark = 0;
            pool.vertx.setTimer(500, t -> take(cl));
          }
        }
      };
      agents.add(a);
    }
  }

  private void enter(Client c) {
    if (stopping || !c.isOpen()) {
      return;
    }
    c.mark = 1;
    c.uniqueSeq++;
    enters.increment();
    c.send("{\"msgType\":400,\"unique\":\"e" + c.uniqueSeq + "\",\"queueId\":\"" + QUEUE + "\"}");
    c.peer = Long.toString(System.currentTimeMillis()); // when it (re-)entered: the watchdog's clock
  }

  private void take(Client a) {
    if (stopping || !a.isOpen()) {
      return;
    }
    a.mark = 1;
    a.uniqueSeq++;
    a.peer = Long.toString(System.currentTimeMillis());
    a.send("{\"msgType\":401,\"unique\":\"t" + a.uniqueSeq + "\",\"queueId\":\"" + QUEUE + "\"}");
  }

  private void startQueue() {
    for (Client c : customers) {
      c.context().runOnContext(v -> {
        enter(c);
        // watchdog: a customer idle (or waiting without answer) for 30 s enters again
        pool.vertx.setPeriodic(5000, t -> {
          long idle = System.currentTimeMillis() - Long.parseLong(c.peer);
          if (!stopping && (c.mark != 2 && idle > 30_000 || idle > 120_000)) {
            queueErrors.computeIfAbsent("customer watchdog", k -> new LongAdder()).increment();
            enter(c);
          }
        });
      });
    }
    for (Client a : agents) {
      a.context().runOnContext(v -> {
        take(a);
        pool.vertx.setPeriodic(5000, t -> {
          if (!stopping && System.currentTimeMillis() - Long.parseLong(a.peer) > 30_000) {
            queueErrors.computeIfAbsent("agent watchdog", k -> new LongAdder()).increment();
            take(a);
          }
        });
      });
    }
  }

  // ---- reconnects ------------------------------------------------------------------------------------------------

  /** Every {@code reconnectEveryMs}, {@code reconnectBatch} chat clients drop; each comes back (signed again) after 0.5–2 s. */
  private void startReconnects() {
    List<Client> chat = new ArrayList<>(senders);
    chat.addAll(receivers);
    reconnectTimer = pool.vertx.setPeriodic(s.soakReconnectEveryMs, t -> {
      if (stopping) {
        return;
      }
      for (int k = 0; k < s.soakReconnectBatch; k++) {
        Client c = chat.get(ThreadLocalRandom.current().nextInt(chat.size()));
        if (!down.add(c)) {
          continue;
        }
        c.context().runOnContext(v -> {
          c.drop();
          c.outstanding = 0; // 30s of the dropped socket do not come
          pool.vertx.setTimer(500 + ThreadLocalRandom.current().nextInt(1500), x -> comeBack(c, 0));
        });
      }
    });
  }

  private void comeBack(Client c, int attempt) {
    c.connect().onComplete(ar -> {
      if (ar.succeeded()) {
        reconnects.increment();
        c.context().runOnContext(v -> {
          c.outstanding = 0;
          down.remove(c);
        });
      } else {
        reconnectFailures.increment();
        pool.vertx.setTimer(Math.min(8000, 500L << Math.min(attempt, 4)), x -> comeBack(c, attempt + 1));
      }
    });
  }

  // ---- hostile clients -------------------------------------------------------------------------------------------

  private void closed(String kind, int code) {
    String k = kind + " " + (code > 0 ? Integer.toString(code) : code == 0 ? "TCP closed, no close frame" : "still open");
    hostileCloses.computeIfAbsent(k, x -> new LongAdder()).increment();
  }

  private void attempt(String kind) {
    hostileAttempts.computeIfAbsent(kind, x -> new LongAdder()).increment();
  }

  private String signed(String user) {
    return Proto.connectUri(Suite.APP_ID, Suite.SECRET, user, "d1", "user");
  }

  private void hostile(String name, Runnable once) {
    Thread t = new Thread(() -> {
      while (!stopping) {
        try {
          once.run();
        } catch (RuntimeException e) {
          hostileCloses.computeIfAbsent(name + " error " + e.getClass().getSimpleName(), x -> new LongAdder()).increment();
        }
        sleep(1000 + ThreadLocalRandom.current().nextInt(1000));
      }
    }, "soak-" + name);
    t.setDaemon(true);
    hostileThreads.add(t);
    t.start();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void startHostiles() {
    String host = "127.0.0.1";
    int port = s.port;
    // 1. never reads (4 KB receive window) while streaming heartbeats whose 120 KB marks are echoed: slow consumer 4002
    String mark = "x".repeat(120 * 1024);
    hostile("slow-reader", () -> {
      attempt("slow-reader");
      try (RawWs ws = RawWs.connect("127.0.0.40", host, port, signed("so" + run + "hslow"), 4096)) {
        long until = System.currentTimeMillis() + 120_000;
        int i = 0;
        try {
          while (!stopping && System.currentTimeMillis() < until) {
            ws.sendText("{\"msgType\":20,\"unique\":\"m" + (i++) + "\",\"mark\":\"" + mark + "\"}");
            slowReaderBytes.addAndGet(mark.length());
            Thread.sleep(50);
          }
        } catch (IOException e) {
          // the server closed it under the writer
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (!stopping) {
          closed("slow-reader", ws.awaitClose(15_000, null));
        }
      } catch (IOException e) {
        closed("slow-reader connect failed", 1);
      }
    });
    // 2. ping flood: 300 pings at once, then wait for the close (1008)
    hostile("ping-flood", () -> {
      attempt("ping-flood");
      try (RawWs ws = RawWs.connect("127.0.0.41", host, port, signed("so" + run + "hping"), 0)) {
        try {
          for (int i = 0; i < 300 && !stopping; i++) {
            ws.send(RawWs.PING, new byte[125]);
          }
        } catch (IOException e) {
          // closed under the flood
        }
        if (!stopping) {
          closed("ping-flood", ws.awaitClose(15_000, null));
        }
      } catch (IOException e) {
        closed("ping-flood connect failed", 1);
      }
    });
    // 3. malformed JSON and decoys (duplicate msgType, comments, truncated, not JSON) until closed (1008)
    String[] forms = {"{\"msgType\":31,\"msgType\":101,\"unique\":\"d%d\"}", "{/*\"msgType\":20*/\"msgType\":101,\"unique\":\"k%d\"}",
      "{\"msgType\":130,\"unique\":\"t%d\",", "not json %d"};
    hostile("malformed", () -> {
      attempt("malformed");
      try (RawWs ws = RawWs.connect("127.0.0.42", host, port, signed("so" + run + "hbad"), 0)) {
        try {
          for (int i = 0; i < 60 && !stopping; i++) {
            ws.sendText(String.format(forms[i % forms.length], i));
            Thread.sleep(20);
          }
        } catch (IOException e) {
          // closed
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (!stopping) {
          closed("malformed", ws.awaitClose(15_000, null));
        }
      } catch (IOException e) {
        closed("malformed connect failed", 1);
      }
    });
    // 4. slowloris: idle TCP connections that never send a request (header deadline)
    for (int i = 0; i < s.soakSlowloris; i++) {
      hostile("slowloris-" + i, () -> {
        attempt("slowloris");
        try (java.net.Socket sk = RawWs.tcp("127.0.0.43", host, port, 0)) {
          sk.setSoTimeout(1000);
          long until = System.currentTimeMillis() + 60_000;
          int code = -1;
          byte[] buf = new byte[4096];
          while (!stopping && System.currentTimeMillis() < until) {
            try {
              int n = sk.getInputStream().read(buf);
              if (n < 0) {
                code = 0;
                break;
              }
            } catch (java.net.SocketTimeoutException e) {
              // still open
            } catch (IOException e) {
              code = 0;
              break;
            }
          }
          if (!stopping) {
            hostileCloses.computeIfAbsent("slowloris " + (code == 0 ? "closed by the server (header deadline)" : "still open after 60 s"),
              x -> new LongAdder()).increment();
          }
        } catch (IOException e) {
          closed("slowloris connect failed", 1);
        }
      });
    }
  }

  // ---- end -------------------------------------------------------------------------------------------------------

  private void stopLoad() throws InterruptedException {
    chatRunning = false;
    stopping = true;
    pool.vertx.cancelTimer(reconnectTimer);
    for (int i = 0; i < pool.eventLoops(); i++) {
      int li = i;
      pool.context(i).runOnContext(v -> pool.vertx.cancelTimer(pacers[li]));
    }
    for (Thread t : hostileThreads) {
      t.interrupt();
    }
    for (Thread t : hostileThreads) {
      t.join(20_000);
    }
  }

  /** Every chat client connected again, then waits (at most 120 s) until every acked message was received. */
  private long drain() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 120_000;
    long missing = missingCount();
    while (System.currentTimeMillis() < deadline) {
      List<Client> chat = new ArrayList<>(senders);
      chat.addAll(receivers);
      for (Client c : chat) {
        if (!c.isOpen() && !down.contains(c)) {
          down.add(c);
          comeBack(c, 0);
        }
      }
      int out = 0;
      for (Client c : senders) {
        out += Math.max(0, c.outstanding);
      }
      missing = missingCount();
      if (missing == 0 && out == 0 && down.isEmpty()) {
        break;
      }
      Thread.sleep(1000);
    }
    Suite.log("drain: %d acked messages not received, %d clients still down", missing, down.size());
    return missing;
  }

  // ---- samples ---------------------------------------------------------------------------------------------------

  private JsonObject sample(long pid, Resp redis, double t) {
    JsonObject j = new JsonObject().put("t", Math.round(t * 10) / 10.0);
    ProcStats.jcmd(pid, "GC.run");
    Matcher m = HEAP.matcher(ProcStats.jcmd(pid, "GC.heap_info"));
    boolean found = m.find();
    j.put("heapLiveKb", found ? Long.parseLong(m.group(2)) : -1L).put("heapCommittedKb", found ? Long.parseLong(m.group(1)) : -1L);
    Map<String, Long> nmt = ProcStats.nmt(pid); // the server runs with -XX:NativeMemoryTracking=summary (suite flags)
    j.put("nmtCommittedKb", nmt.getOrDefault("Total", -1L)).put("nmtOtherKb", nmt.getOrDefault("Other", -1L))
      .put("nmtCodeKb", nmt.getOrDefault("Code", -1L)).put("nmtThreadKb", nmt.getOrDefault("Thread", -1L));
    sleep(1500); // G1 uncommits freed regions concurrently after the full GC
    j.put("rssKb", ProcStats.rssKb(pid)).put("fds", ProcStats.openFiles(pid)).put("threads", threads(pid));
    try {
      long[] u = redis.prefixUsage(s.soakRedisPrefix);
      j.put("redisKeys", u[0]).put("redisBytes", u[1]).put("redisUsedMemory", redis.info("memory", "used_memory"));
    } catch (IOException e) {
      j.put("redisKeys", -1L).put("redisBytes", -1L).put("redisUsedMemory", -1L);
    }
    JsonObject rows = new JsonObject();
    long totalRows = 0;
    long tableBytes = 0;
    List<String> tables = new ArrayList<>();
    for (String l : Services.sql("SELECT table_name, data_length + index_length FROM information_schema.tables WHERE table_schema = '"
      + s.soakDatabase + "' ORDER BY table_name").split("\n")) {
      String[] f = l.trim().split("\\s+");
      if (f.length == 2) {
        tables.add(f[0]);
        tableBytes += parse(f[1]);
      }
    }
    if (!tables.isEmpty()) {
      StringBuilder q = new StringBuilder();
      for (String tb : tables) {
        q.append(q.length() == 0 ? "" : " UNION ALL ").append("SELECT '").append(tb).append("', COUNT(*) FROM ")
          .append(s.soakDatabase).append('.').append(tb);
      }
      for (String l : Services.sql(q.toString()).split("\n")) {
        String[] f = l.trim().split("\\s+");
        if (f.length == 2) {
          long n = parse(f[1]);
          rows.put(f[0], n);
          totalRows += n;
        }
      }
    }
    long fileBytes = 0;
    for (String l : Services.sql("SELECT SUM(ALLOCATED_SIZE) FROM information_schema.INNODB_SYS_TABLESPACES WHERE NAME LIKE '"
      + s.soakDatabase + "/%'").split("\n")) {
      if (!l.isBlank()) {
        fileBytes = parse(l.trim());
      }
    }
    j.put("mariaRows", totalRows).put("mariaTableBytes", tableBytes).put("mariaFileBytes", fileBytes).put("rows", rows);
    Histogram h = latency.getIntervalHistogram();
    if (t >= s.soakMinutes * 60 * 0.2 && errorsAtWarm < 0) {
      errorsAtWarm = chatErrors.sum();
      skippedAtWarm = skipped.sum();
    }
    if (t >= s.soakMinutes * 60 * 0.2) { // the run's latency leaves out the first 20 % (cold JIT), like the flatness check
      synchronized (latencyAll) {
        latencyAll.add(h);
      }
    }
    j.put("sent", sent.sum()).put("acked", (long) acked.size()).put("received", (long) received.size()).put("chatErrors", chatErrors.sum())
      .put("p99ms", ChatLoad.Phase.ms(h, 99)).put("takes", takes.sum()).put("reconnects", reconnects.sum())
      .put("hostileCloses", sum(hostileCloses));
    return j;
  }

  /** Key kinds of the prefix (digits folded to N) and their counts, largest first. */
  private static JsonObject keyKinds(Resp redis, String prefix) {
    Map<String, Long> m = new TreeMap<>();
    try {
      String cursor = "0";
      do {
        @SuppressWarnings("unchecked")
        List<Object> r = (List<Object>) redis.call("SCAN", cursor, "MATCH", prefix + "*", "COUNT", "1000");
        cursor = (String) r.get(0);
        for (Object k : (List<?>) r.get(1)) {
          m.merge(((String) k).replaceAll("[0-9]+", "N").replaceAll("\\|so[^|]*", "|<user>"), 1L, Long::sum);
        }
      } while (!"0".equals(cursor));
    } catch (IOException e) {
      return new JsonObject().put("error", e.toString());
    }
    JsonObject j = new JsonObject();
    m.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(12).forEach(e -> j.put(e.getKey(), e.getValue()));
    return j;
  }

  private static long parse(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long threads(long pid) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (l.startsWith("Threads:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private static long sum(Map<String, LongAdder> m) {
    long n = 0;
    for (LongAdder a : m.values()) {
      n += a.sum();
    }
    return n;
  }

  private static JsonObject counts(Map<String, LongAdder> m) {
    JsonObject j = new JsonObject();
    new TreeMap<>(m).forEach((k, v) -> j.put(k, v.sum()));
    return j;
  }

  /** {@code im_gateway_limit_closes{reason}} summed over the gateway instances. */
  static JsonObject limitCloses(String metrics) {
    Map<String, Double> m = new TreeMap<>();
    Pattern p = Pattern.compile("^im_gateway_limit_closes(?:_total)?\\{([^}]*)\\}\\s+([0-9.eE+-]+)");
    Pattern reason = Pattern.compile("reason=\"([^\"]*)\"");
    for (String l : metrics.split("\n")) {
      Matcher x = p.matcher(l);
      if (x.find()) {
        Matcher r = reason.matcher(x.group(1));
        if (r.find()) {
          m.merge(r.group(1), Double.parseDouble(x.group(2)), Double::sum);
        }
      }
    }
    JsonObject j = new JsonObject();
    m.forEach((k, v) -> j.put(k, Math.round(v)));
    return j;
  }

  private static JsonObject serverLog(Path stamp) {
    long errors = 0;
    long warns = 0;
    long timeouts = 0;
    long oom = 0;
    Map<String, Long> kinds = new TreeMap<>();
    try (var lines = Files.lines(stamp.resolve("server.log"), StandardCharsets.UTF_8)) {
      for (String l : (Iterable<String>) lines::iterator) {
        if (l.contains(" ERROR ")) {
          errors++;
        } else if (l.contains(" WARN ")) {
          warns++;
          String k = l.replaceFirst("^.*? - ", "").replaceAll("\\([^)]*\\)", "").replaceAll("\\S*\\d\\S*", "N");
          kinds.merge(k.length() > 90 ? k.substring(0, 90) : k, 1L, Long::sum);
        }
        if (l.contains("Timed out after waiting")) {
          timeouts++;
        }
        if (l.contains("OutOfMemoryError")) {
          oom++;
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // no log
    }
    JsonObject wk = new JsonObject();
    kinds.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(6).forEach(e -> wk.put(e.getKey(), e.getValue()));
    return new JsonObject().put("errorLines", errors).put("warnLines", warns).put("busTimeouts", timeouts).put("outOfMemory", oom)
      .put("warnKinds", wk);
  }

  // ---- analysis --------------------------------------------------------------------------------------------------

  /** The series checked for flatness, with the absolute slack below which a change counts as flat anyway. */
  static final String[][] FLAT = {
    {"heapLiveKb", "server live heap after full GC (KB)", "8192"},
    {"heapCommittedKb", "server heap committed after full GC (KB)", "8192"},
    {"rssKb", "server RSS (KB)", "16384"},
    {"nmtCommittedKb", "server JVM committed, NMT total (KB)", "8192"},
    {"nmtOtherKb", "NMT \"Other\" (direct buffers; KB)", "4096"},
    {"fds", "server open files", "20"},
    {"threads", "server threads", "4"},
    {"redisKeys", "Redis keys of the soak's prefix", "50"},
    {"redisBytes", "Redis MEMORY USAGE of those keys (bytes)", "65536"},
  };
  static final String[][] GROWING = {
    {"mariaRows", "MariaDB rows (all tables of the soak database)"},
    {"mariaFileBytes", "MariaDB tablespace files, allocated (bytes)"},
    {"mariaTableBytes", "MariaDB data + index (information_schema, bytes)"},
    {"redisUsedMemory", "Redis used_memory, whole server (shared; bytes)"},
    {"acked", "messages acked (30)"},
  };

  private static List<JsonObject> loadSamples(JsonArray samples) {
    List<JsonObject> l = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      JsonObject o = samples.getJsonObject(i);
      if (!o.getBoolean("afterDrain", false)) {
        l.add(o);
      }
    }
    return l;
  }

  private static double mean(List<JsonObject> l, String key, int from, int to) {
    double sum = 0;
    int n = 0;
    for (int i = Math.max(0, from); i < Math.min(l.size(), to); i++) {
      sum += l.get(i).getDouble(key);
      n++;
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  static JsonArray series(JsonArray samples) {
    List<JsonObject> l = loadSamples(samples);
    JsonArray out = new JsonArray();
    int n = l.size();
    int a = (int) Math.floor(n * 0.2);
    int b = Math.max(a + 1, (int) Math.floor(n * 0.4));
    int c = Math.min(n - 1, (int) Math.floor(n * 0.8));
    for (String[] f : FLAT) {
      out.add(stats(l, f[0], f[1], a, b, c).put("slack", Double.parseDouble(f[2])).put("check", "flat"));
    }
    for (String[] f : GROWING) {
      out.add(stats(l, f[0], f[1], a, b, c).put("check", "grows"));
    }
    for (int i = 0; i < out.size(); i++) {
      JsonObject o = out.getJsonObject(i);
      if ("flat".equals(o.getString("check"))) {
        double mid = o.getDouble("mean20to40");
        double late = o.getDouble("meanLast20");
        double change = late - mid;
        boolean flat = Math.abs(change) <= Math.max(FLAT_TOLERANCE * Math.abs(mid), o.getDouble("slack"));
        o.put("change", change).put("changePct", mid == 0 ? Double.NaN : 100 * change / mid).put("flat", Double.isNaN(mid) ? null : flat);
      }
    }
    return out;
  }

  private static JsonObject stats(List<JsonObject> l, String key, String label, int a, int b, int c) {
    if (!l.isEmpty() && !l.get(0).containsKey(key)) { // a series an older run did not sample
      return new JsonObject().put("key", key).put("label", label).put("first", Double.NaN).put("last", Double.NaN)
        .put("min", Double.NaN).put("max", Double.NaN).put("mean20to40", Double.NaN).put("meanLast20", Double.NaN)
        .put("slopePerHour", Double.NaN);
    }
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    for (JsonObject o : l) {
      double v = o.getDouble(key);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    // least-squares slope per hour over the samples from 20 % on (after the warm-up)
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    int k = 0;
    for (int i = a; i < l.size(); i++) {
      double x = l.get(i).getDouble("t") / 3600.0;
      double y = l.get(i).getDouble(key);
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      k++;
    }
    double slope = k < 2 || k * sxx - sx * sx == 0 ? Double.NaN : (k * sxy - sx * sy) / (k * sxx - sx * sx);
    return new JsonObject().put("key", key).put("label", label)
      .put("first", l.isEmpty() ? Double.NaN : l.get(0).getDouble(key))
      .put("last", l.isEmpty() ? Double.NaN : l.get(l.size() - 1).getDouble(key)).put("min", l.isEmpty() ? Double.NaN : min)
      .put("max", l.isEmpty() ? Double.NaN : max).put("mean20to40", mean(l, key, a, b)).put("meanLast20", mean(l, key, c, l.size()))
      .put("slopePerHour", slope);
  }

  /** MariaDB growth against the messages stored, from the sample at 20 % to the last one (after the warm-up). */
  static JsonObject mariaGrowth(JsonArray samples) {
    List<JsonObject> l = loadSamples(samples);
    JsonObject j = new JsonObject();
    if (l.size() < 3) {
      return j;
    }
    JsonObject x = l.get((int) Math.floor(l.size() * 0.2));
    JsonObject y = l.get(l.size() - 1);
    long msgs = y.getLong("acked") - x.getLong("acked");
    long tk = y.getLong("takes") - x.getLong("takes");
    JsonObject rx = x.getJsonObject("rows");
    JsonObject ry = y.getJsonObject("rows");
    JsonObject perMessage = new JsonObject();
    JsonObject perTake = new JsonObject();
    JsonObject added = new JsonObject();
    for (String t : ry.fieldNames()) {
      long d = ry.getLong(t) - rx.getLong(t, 0L);
      added.put(t, d);
      perMessage.put(t, msgs == 0 ? Double.NaN : Math.round(1000.0 * d / msgs) / 1000.0);
      if (t.startsWith("cs_")) {
        perTake.put(t, tk == 0 ? Double.NaN : Math.round(1000.0 * d / tk) / 1000.0);
      }
    }
    j.put("fromT", x.getDouble("t")).put("toT", y.getDouble("t")).put("messagesStored", msgs).put("takes", tk)
      .put("rowsAdded", added).put("rowsPerMessage", perMessage).put("rowsPerTake", perTake)
      .put("fileBytesPerMessage", msgs == 0 ? Double.NaN : (y.getLong("mariaFileBytes") - x.getLong("mariaFileBytes")) / (double) msgs)
      .put("tableBytesPerMessage", msgs == 0 ? Double.NaN : (y.getLong("mariaTableBytes") - x.getLong("mariaTableBytes")) / (double) msgs);
    return j;
  }

  private static String csv(JsonArray samples) {
    String[] cols = {"t", "heapLiveKb", "heapCommittedKb", "rssKb", "nmtCommittedKb", "nmtOtherKb", "nmtCodeKb", "nmtThreadKb", "fds", "threads", "redisKeys", "redisBytes", "redisUsedMemory",
      "mariaRows", "mariaTableBytes", "mariaFileBytes", "sent", "acked", "received", "chatErrors", "p99ms", "takes", "reconnects", "hostileCloses"};
    StringBuilder sb = new StringBuilder(String.join(",", cols)).append(",afterDrain\n");
    for (int i = 0; i < samples.size(); i++) {
      JsonObject o = samples.getJsonObject(i);
      for (String c : cols) {
        Object v = o.getValue(c);
        sb.append(v == null ? "" : v.toString()).append(',');
      }
      sb.append(o.getBoolean("afterDrain", false)).append('\n');
    }
    return sb.toString();
  }

  static Table table(JsonObject r) {
    Table t = new Table("soak: series (first / last / min / max; flatness = mean of the last 20 % vs 20–40 %)", "series", "first",
      "last", "min", "max", "mean 20–40 %", "mean last 20 %", "change", "slope per hour", "verdict");
    JsonArray ser = r.getJsonArray("series");
    for (int i = 0; i < ser.size(); i++) {
      JsonObject o = ser.getJsonObject(i);
      if (Double.isNaN(o.getDouble("first"))) {
        continue; // not sampled in this run
      }
      String verdict = "flat".equals(o.getString("check"))
        ? (o.getBoolean("flat") ? "flat" : "**not flat**") + " (±" + Math.round(FLAT_TOLERANCE * 100) + " % or " + Table.fmt(o.getDouble("slack")) + ")"
        : "grows (expected)";
      String change = o.containsKey("changePct") ? String.format("%+.1f %%", o.getDouble("changePct")) : "";
      t.row(o.getString("label"), o.getDouble("first"), o.getDouble("last"), o.getDouble("min"), o.getDouble("max"),
        o.getDouble("mean20to40"), o.getDouble("meanLast20"), change, o.getDouble("slopePerHour"), verdict);
    }
    return t;
  }

  // ---- docs ------------------------------------------------------------------------------------------------------

  static String markdown(JsonObject r) {
    r = Report.nanCopy(r);
    JsonObject m = r.getJsonObject("machine");
    JsonObject c = r.getJsonObject("config");
    JsonObject chat = r.getJsonObject("chat");
    JsonObject q = r.getJsonObject("queue");
    JsonObject rc = r.getJsonObject("reconnects");
    JsonObject h = r.getJsonObject("hostile");
    double loadS = r.getDouble("loadSeconds");
    int minutes = c.getInteger("minutes");
    StringBuilder md = new StringBuilder();
    md.append(BEGIN).append("\n## Soak\n\n");
    if (minutes < 30) {
      md.append("> **This is a ").append(minutes).append("-minute run, not the 30-minute soak the issue asks for.** Run the full one with ")
        .append("`./scripts/bench.sh --only soak` (default `--soak-minutes 30`; about 33 minutes) and it replaces this section.\n\n");
    }
    String args = r.getString("command", "");
    String suiteArgs = args.contains(" suite") ? args.substring(args.indexOf(" suite") + 6).trim() : "";
    md.append("Run of ").append(r.getString("startedAt").replaceAll("\\.\\d+Z$", "Z")).append(": ").append(minutes)
      .append(" minutes of mixed load (").append(Table.fmt(loadS)).append(" s measured) against one production-mode server ")
      .append("started as in the suite (same jar, same JVM flags and environment, `--roles all`), with its own MariaDB database `")
      .append(c.getString("database")).append("` and Redis prefix `").append(c.getString("redisPrefix"))
      .append("` (dropped / deleted at the start; the shared servers are never flushed). Machine: ").append(m.getString("cpu"))
      .append(", ").append(m.getInteger("cores")).append(" cores shared by the server, MariaDB, Redis and the generator, ")
      .append(m.getDouble("memGiB")).append(" GiB, ").append(m.getString("java")).append(", MariaDB ").append(m.getString("mariadb"))
      .append(", ").append(m.getString("redis")).append(".\n\n");
    md.append("```bash\n./scripts/bench.sh ").append(suiteArgs).append("\n# = java ").append(args).append('\n')
      .append("# re-render this section from the saved results:\n# java -jar bench/target/seedim-bench.jar report --results bench/results/<run>-soak/results.json\n```\n\n");
    md.append("The load, all at once for the whole run (moderate on purpose: the machine stays shared):\n\n");
    md.append("- **chat**: ").append(c.getInteger("pairs")).append(" signed sender/receiver pairs, ").append(c.getInteger("chatRate"))
      .append(" msg/s offered in total (paced every 10 ms; ").append(c.getInteger("messageBytes")).append("-character messages); ")
      .append("receivers ack every 140 with 141, senders every 131 with 31. Every messageId a 30 acknowledged and every messageId a ")
      .append("receiver got is recorded. Sent ").append(Table.fmt(chat.getDouble("sentPerSec"))).append(" msg/s, acked ")
      .append(Table.fmt(chat.getDouble("ackedPerSec"))).append(" msg/s; latency 130 → 140 p50 ").append(Table.fmt(chat.getDouble("p50ms")))
      .append(" ms, p99 ").append(Table.fmt(chat.getDouble("p99ms"))).append(" ms, p99.9 ").append(Table.fmt(chat.getDouble("p999ms")))
      .append(" ms, max ").append(Table.fmt(chat.getDouble("maxMs"))).append(" ms, measured from the intended send time, after the ")
      .append("first 20 % of the run (cold JIT). The tail is ")
      .append("the reconnects: a message to a receiver that just dropped waits for its reconnect (0.5–2 s) and comes as a replay, ")
      .append("one whose push was lost with the socket comes with the resend; a full GC every sample adds its pause too.\n");
    md.append("- **queue churn**: ").append(c.getInteger("customers")).append(" customers enter one queue (400) again ~0.5 s after ")
      .append("their room closes; ").append(c.getInteger("agents")).append(" agents take (401), hold the room ")
      .append(c.getLong("agentHoldMs")).append(" ms and leave it (420), in a loop: ").append(Table.fmt(q.getLong("takes")))
      .append(" takes (").append(Table.fmt(q.getDouble("takesPerSec"))).append("/s), ").append(Table.fmt(q.getLong("enters")))
      .append(" enters, ").append(Table.fmt(q.getLong("leaves"))).append(" leaves; errors `").append(q.getJsonObject("errors").encode())
      .append("` (QUEUE_EMPTY = an agent asked while nobody waited).\n");
    md.append("- **reconnects**: every ").append(c.getLong("reconnectEveryMs")).append(" ms, ").append(c.getInteger("reconnectBatch"))
      .append(" random chat clients drop and come back 0.5–2 s later with a fresh signed connect: ")
      .append(Table.fmt(rc.getLong("reconnects"))).append(" reconnects (").append(Table.fmt(rc.getDouble("perMinute")))
      .append("/min), ").append(rc.getLong("failures")).append(" failed attempts.\n");
    md.append("- **hostile clients**, each reconnecting 1–2 s after every close, for the whole run: a signed socket that never reads ")
      .append("(4 KB receive window) while streaming heartbeats with 120 KB marks the server echoes (20/s); a ping flooder ")
      .append("(300 pings at once); a client sending malformed JSON and decoys (duplicate `msgType`, comments, truncated, not JSON) ")
      .append("every 20 ms; ").append(c.getInteger("slowloris")).append(" idle TCP connections that never send a request. Attempts `")
      .append(h.getJsonObject("attempts").encode()).append("`.\n\n");
    md.append("Every ").append(c.getInteger("sampleS")).append(" s: the server's live heap after a full GC (`jcmd <pid> GC.run` then ")
      .append("`GC.heap_info`), the JVM's committed native memory (`jcmd <pid> VM.native_memory summary`: total, \"Other\" = direct ")
      .append("buffers, code cache), RSS 1.5 s later (`/proc/<pid>/status`, G1 uncommits concurrently), threads, open files ")
      .append("(`/proc/<pid>/fd`), the soak prefix's Redis keys (SCAN) and their `MEMORY USAGE`, Redis `used_memory` (the whole ")
      .append("shared server: other developers' keys too), `SELECT COUNT(*)` of every table of the soak database, its data + ")
      .append("index size (information_schema, InnoDB's estimate) and its tablespace files' allocated size. Raw figures: ")
      .append("`bench/results/<run>-soak/results.json` and `samples.csv`.\n\n");
    md.append("### Nothing acked is lost\n\n");
    Table lost = new Table("soak chat", "acked (30)", "received (140, distinct)", "acked but never received after the drain",
      "duplicate 140s (replays after a drop)", "130 errors", "sends skipped (sender down / 50 unacked)", "drain");
    lost.row(chat.getLong("acked"), chat.getLong("receivedDistinct"), chat.getLong("ackedNotReceived"), chat.getLong("duplicates"),
      chat.getLong("errors"), chat.getLong("skipped"), Table.fmt(chat.getLong("drainMs") / 1000.0) + " s");
    md.append(lost.markdown()).append('\n');
    md.append("At the end the load stops, every dropped client connects again, and the soak waits (at most 120 s) until every acked ")
      .append("messageId has reached its receiver. A 130 answered with an error (10, e.g. `UNAVAILABLE` when the store did not ")
      .append("answer within the bus timeout) or whose 30 was lost with a dropped sender is not acked and not counted; if it was ")
      .append("stored anyway its receiver still gets it (received > acked).");
    if (chat.getLong("errorsAfterWarmup", -1L) >= 0) {
      md.append(" 130 errors after the first 20 % of the run: ").append(chat.getLong("errorsAfterWarmup"))
        .append("; sends skipped after it: ").append(chat.getLong("skippedAfterWarmup")).append('.');
    }
    md.append(' ');
    JsonArray ms = r.getJsonArray("missingSample", new JsonArray());
    if (!ms.isEmpty()) {
      md.append("Missing ids, their receiver and `delivered` flag in MariaDB: `").append(ms.encode()).append("`. ");
    }
    md.append("\n\n### Flat or not\n\n");
    md.append("Flat = the mean of the last 20 % of samples is within ±").append(Math.round(FLAT_TOLERANCE * 100))
      .append(" % of the mean of samples 20–40 % (or within the absolute slack shown); the first 20 % is the JIT and pool warm-up. ")
      .append("The slope is a least-squares fit over the samples from 20 % on.\n\n");
    md.append(table(r).markdown()).append('\n');
    if (r.containsKey("redisKeyKinds")) {
      md.append("Redis keys of the soak prefix after the drain, by kind: `").append(r.getJsonObject("redisKeyKinds").encode())
        .append("`. The 400 / 401 / 420 frames are idempotent: the gateway keeps each one's result for 10 minutes ")
        .append("(`Idempotency.WINDOW_MS`, by design), so these keys climb for the first 10 minutes of churn and then hold at ")
        .append("about their rate × 600 s = ").append(Table.fmt(r.getDouble("redisIdempotencyPerSec"))).append("/s × 600 ≈ ")
        .append(Table.fmt(r.getLong("redisIdempotencyPlateauKeys"))).append(" keys; a run shorter than ~15 minutes sees only the climb.")
        .append(" Chat (130) keeps its dedupe in the message row, not in Redis.\n\n");
    }
    JsonObject mg = r.getJsonObject("mariadb");
    if (mg != null && mg.containsKey("messagesStored")) {
      md.append("MariaDB grows by the rows stored: from t = ").append(Table.fmt(mg.getDouble("fromT"))).append(" s to ")
        .append(Table.fmt(mg.getDouble("toT"))).append(" s, ").append(Table.fmt(mg.getLong("messagesStored")))
        .append(" messages were stored and ").append(Table.fmt(mg.getLong("takes"))).append(" customers taken; rows added by table `")
        .append(mg.getJsonObject("rowsAdded").encode()).append("` — per stored message `").append(mg.getJsonObject("rowsPerMessage").encode())
        .append("`, per take `").append(mg.getJsonObject("rowsPerTake").encode()).append("` (a take ends one queue entry and opens one room")
        .append(" record). Tablespace files grew by ").append(Table.fmt(mg.getDouble("fileBytesPerMessage"))).append(" bytes per message ")
        .append("(InnoDB allocates in extents, so this moves in steps), data + index by ")
        .append(Table.fmt(mg.getDouble("tableBytesPerMessage"))).append(" bytes per message (information_schema's estimate).\n\n");
    }
    md.append("Hostile closes seen by the clients (close code; \"TCP closed, no close frame\" = the connection ended without a ")
      .append("readable close frame, e.g. the slow reader's close frame waits behind megabytes it never reads and the server drops ")
      .append("the connection after its grace): `").append(h.getJsonObject("closes").encode()).append("`; the server's own count, ")
      .append("`im_gateway_limit_closes` by reason: `").append(r.getJsonObject("serverLimitCloses", new JsonObject()).encode())
      .append("`. The slow reader streamed ").append(Table.fmt(h.getDouble("slowReaderMB"))).append(" MB of marks.\n\n");
    md.append("CPU over the load (% of one core; \"machineBusyPct\" counts the whole machine, other developers' work included): `")
      .append(r.getJsonObject("cpu").encode()).append("`. Server log (the warnings are the gateway naming each hostile close): `")
      .append(r.getJsonObject("serverLog").encode()).append("`.\n\n");
    DocSections.appendAnalysis(md, Path.of("bench/SOAK-ANALYSIS.md"));
    md.append(END).append('\n');
    return md.toString();
  }

  /** Replaces (or adds) the soak section of docs/benchmarks.md. */
  static void writeDocs(JsonObject r, Path docs) throws IOException {
    String section = markdown(r);
    DocSections.write(docs, old -> splice(old, section));
  }

  /** {@code doc} with its soak section replaced by {@code section}, or {@code section} put before the profile / analysis. */
  static String splice(String doc, String section) {
    String replaced = DocSections.replace(doc, BEGIN, END, section);
    return replaced != null ? replaced : DocSections.insertBeforeAnchors(doc, section);
  }

  /** The soak section of an existing docs file (so the suite's rewrite keeps it), or "". */
  static String existing(Path docs) {
    return DocSections.existing(docs, BEGIN, END);
  }
}
