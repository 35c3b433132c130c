package com.seedim.im.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads process figures from /proc and the JVM through jcmd (Linux only). */
final class ProcStats {
  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private ProcStats() {
  }

  /** VmRSS in KB, or -1. */
  static long rssKb(long pid) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /**
   * RSS once it stops falling: after a full GC, G1 (JDK 17) uncommits the freed heap regions concurrently, so RSS
   * read right after {@code GC.run} still counts them. Polls every 500 ms, at most 10 s.
   */
  static long settledRssKb(long pid) {
    long last = rssKb(pid);
    for (int i = 0; i < 20; i++) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return last;
      }
      long now = rssKb(pid);
      if (now >= last - 256) {
        return Math.min(now, last);
      }
      last = now;
    }
    return last;
  }

  static long openFiles(long pid) {
    try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }

  /** utime + stime of a process in clock ticks (USER_HZ = 100 on Linux), or -1. */
  static long cpuTicks(long pid) {
    try {
      String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** utime + stime, in clock ticks, of a JVM's JIT compiler threads (C1 and C2), or -1. */
  static long jitTicks(long pid) {
    long sum = 0;
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          if (!Files.readString(t.resolve("comm")).contains("CompilerThre")) {
            continue;
          }
          String s = Files.readString(t.resolve("stat"));
          String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
          sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException ignored) {
          // thread gone
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return sum;
  }

  /** {busy, total} jiffies of the whole machine. */
  static long[] machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 1};
    }
  }

  /** Pid of the first process whose comm equals {@code name}, or -1. */
  static long pidOf(String name) {
    try (var s = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String n = p.getFileName().toString();
        if (!n.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          if (Files.readString(p.resolve("comm")).trim().equals(name)) {
            return Long.parseLong(n);
          }
        } catch (IOException ignored) {
          // gone
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }

  static String jcmd(long pid, String... cmd) {
    List<String> c = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
    c.addAll(List.of(cmd));
    return run(c, 120);
  }

  static String run(List<String> cmd, int timeoutSeconds) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return new String(out);
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Full GC (jcmd GC.run), then the used heap in KB from GC.heap_info. */
  static long liveHeapKb(long pid) {
    jcmd(pid, "GC.run");
    Matcher m = USED.matcher(jcmd(pid, "GC.heap_info"));
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static final Pattern NMT = Pattern.compile("^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");
  private static final Pattern NMT_TOTAL = Pattern.compile("^Total: reserved=(\\d+)KB, committed=(\\d+)KB");

  /** Committed KB per Native Memory Tracking category (needs -XX:NativeMemoryTracking=summary), empty without it. */
  static Map<String, Long> nmt(long pid) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String l : jcmd(pid, "VM.native_memory", "summary").split("\n")) {
      Matcher t = NMT_TOTAL.matcher(l.trim());
      if (t.find()) {
        m.put("Total", Long.parseLong(t.group(2)));
        continue;
      }
      Matcher c = NMT.matcher(l.trim());
      if (c.find()) {
        m.put(c.group(1).trim(), Long.parseLong(c.group(3)));
      }
    }
    return m;
  }

  /** A Vert.x event-loop thread's name as /proc shows it (comm keeps 15 characters: "vert.x-eventloo"). */
  static final String EVENT_LOOP_COMM = "vert.x-eventloo";

  /** utime + stime in clock ticks of each thread of a process, by thread id, with the thread's name (comm). */
  static Map<String, Long> threadTicks(long pid) {
    Map<String, Long> m = new LinkedHashMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String s = Files.readString(t.resolve("stat"));
          String comm = s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'));
          String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
          m.put(t.getFileName() + " " + comm, Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (IOException | RuntimeException ignored) {
          // thread gone
        }
      }
    } catch (IOException e) {
      return Map.of();
    }
    return m;
  }

  /**
   * CPU of each thread of one process between two snapshots, in % of one core: whether a process uses both cores
   * (its CPU above 100 %, or more than one event-loop thread busy) and which threads do the work. A thread that
   * ended before {@link #stop} is gone from /proc and not counted: the process's own figure ({@link Cpu}) is the total.
   */
  static final class ThreadCpu {
    /** A thread counts as busy above this share of one core. */
    static final double BUSY_PCT = 20;
    /** Threads listed per phase (the busiest). */
    static final int LISTED = 8;
    private final long pid;
    private final Map<String, Long> start;
    private final long t0 = System.nanoTime();

    ThreadCpu(long pid) {
      this.pid = pid;
      this.start = threadTicks(pid);
    }

    /**
     * {@code processPct}, {@code busyThreads} (above {@value #BUSY_PCT} %), {@code busyEventLoops},
     * {@code bothCores} (process above 100 % or two busy event loops) and the busiest {@code threads}.
     */
    io.vertx.core.json.JsonObject stop() {
      double secs = (System.nanoTime() - t0) / 1e9;
      Map<String, Long> end = threadTicks(pid);
      List<Map.Entry<String, Double>> pct = new ArrayList<>();
      double total = 0;
      for (var e : end.entrySet()) {
        double p = (e.getValue() - start.getOrDefault(e.getKey(), 0L)) / secs; // ticks/s at 100 Hz = % of a core
        total += p;
        pct.add(Map.entry(e.getKey().substring(e.getKey().indexOf(' ') + 1), p));
      }
      pct.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
      int busy = 0;
      int busyLoops = 0;
      io.vertx.core.json.JsonArray threads = new io.vertx.core.json.JsonArray();
      for (var e : pct) {
        if (e.getValue() > BUSY_PCT) {
          busy++;
          busyLoops += e.getKey().startsWith(EVENT_LOOP_COMM) ? 1 : 0;
        }
        if (threads.size() < LISTED && e.getValue() >= 1) {
          threads.add(new io.vertx.core.json.JsonObject().put("name", e.getKey()).put("pct", (double) Math.round(e.getValue())));
        }
      }
      return new io.vertx.core.json.JsonObject().put("processPct", (double) Math.round(total)).put("busyThreads", busy)
        .put("busyEventLoops", busyLoops).put("bothCores", total > 100 || busyLoops >= 2).put("threads", threads);
    }
  }

  /** CPU use of named processes between two snapshots, in % of one core. */
  static final class Cpu {
    private final Map<String, Long> pids;
    private final Map<String, Long> start = new LinkedHashMap<>();
    private final long[] machineStart;
    private final long t0 = System.nanoTime();

    Cpu(Map<String, Long> pids) {
      this.pids = pids;
      for (var e : pids.entrySet()) {
        start.put(e.getKey(), cpuTicks(e.getValue()));
      }
      machineStart = machineTicks();
    }

    Map<String, Object> stop() {
      double secs = (System.nanoTime() - t0) / 1e9;
      Map<String, Object> r = new LinkedHashMap<>();
      for (var e : pids.entrySet()) {
        long a = start.get(e.getKey());
        long b = cpuTicks(e.getValue());
        r.put(e.getKey(), a < 0 || b < 0 ? -1.0 : Math.round((b - a) / secs) * 1.0); // ticks/s at 100 Hz = % of a core
      }
      long[] m = machineTicks();
      r.put("machineBusyPct", Math.round(100.0 * (m[0] - machineStart[0]) / Math.max(1, m[1] - machineStart[1])) * 1.0);
      return r;
    }
  }
}
