package com.seedim.im.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads a JFR recording: execution samples by top frame, by first application frame and by category; GC pauses. */
final class Hotspots {
  private Hotspots() {
  }

  /** The profile of the events recorded from {@code from} on (earlier ones belong to the warm-up). */
  static JsonObject analyze(Path jfr, java.time.Instant from) throws IOException {
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> app = new HashMap<>();
    Map<String, Integer> cat = new HashMap<>();
    Map<String, Integer> threads = new HashMap<>();
    Map<String, Integer> nativeTop = new HashMap<>();
    long nativeSamples = 0;
    long samples = 0;
    long gcCount = 0;
    Duration gcPause = Duration.ZERO;
    Duration gcMax = Duration.ZERO;
    for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
      if (e.getStartTime().isBefore(from)) {
        continue;
      }
      String type = e.getEventType().getName();
      if (type.equals("jdk.GCPhasePause")) {
        gcCount++;
        gcPause = gcPause.plus(e.getDuration());
        if (e.getDuration().compareTo(gcMax) > 0) {
          gcMax = e.getDuration();
        }
        continue;
      }
      if (type.equals("jdk.NativeMethodSample")) {
        RecordedStackTrace nst = e.getStackTrace();
        if (nst != null && !nst.getFrames().isEmpty()) {
          nativeSamples++;
          nativeTop.merge(name(nst.getFrames().get(0)), 1, Integer::sum);
        }
        continue;
      }
      if (!type.equals("jdk.ExecutionSample")) {
        continue;
      }
      RecordedStackTrace st = e.getStackTrace();
      if (st == null || st.getFrames().isEmpty()) {
        continue;
      }
      samples++;
      var thread = e.getThread("sampledThread");
      if (thread != null && thread.getJavaName() != null) {
        threads.merge(thread.getJavaName().replaceAll("-\\d+$", "-N"), 1, Integer::sum);
      }
      List<RecordedFrame> frames = st.getFrames();
      String top = name(frames.get(0));
      self.merge(top, 1, Integer::sum);
      cat.merge(category(frames), 1, Integer::sum);
      for (RecordedFrame f : frames) {
        String n = name(f);
        if (n.startsWith("com.seedim.")) {
          app.merge(n, 1, Integer::sum);
          break;
        }
      }
    }
    return new JsonObject().put("samples", samples).put("topSelf", top(self, samples, 15)).put("topApp", top(app, samples, 15))
      .put("categories", top(cat, samples, 20)).put("threads", top(threads, samples, 10))
      .put("nativeSamples", nativeSamples).put("nativeTop", top(nativeTop, nativeSamples, 6))
      .put("gcPauses", gcCount).put("gcPauseTotalMs", gcPause.toNanos() / 1e6).put("gcPauseMaxMs", gcMax.toNanos() / 1e6);
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  /** A coarse bucket for the sample, by the first frame that tells what the work is. */
  static String category(List<RecordedFrame> frames) {
    String top = name(frames.get(0));
    for (RecordedFrame f : frames) {
      String n = name(f);
      if (n.startsWith("com.fasterxml.jackson") || n.startsWith("io.vertx.core.json")) {
        return "JSON encode/decode (Jackson, JsonObject)";
      }
      if (n.startsWith("io.vertx.mysqlclient") || n.startsWith("io.vertx.sqlclient")) {
        return "MySQL client (encode, decode, pool)";
      }
      if (n.startsWith("io.vertx.redis")) {
        return "Redis client";
      }
      if (n.startsWith("io.vertx.core.eventbus")) {
        return "event bus";
      }
      if (n.startsWith("io.netty.handler.codec.http.websocketx") || n.startsWith("io.vertx.core.http")) {
        return "WebSocket / HTTP (Netty, Vert.x)";
      }
      if (n.startsWith("sun.nio.ch") || n.startsWith("io.netty.channel") || n.startsWith("io.netty.buffer")) {
        return "socket I/O and buffers (Netty, NIO)";
      }
      if (n.startsWith("com.seedim.")) {
        return "SeedIM code (" + n.substring(0, n.lastIndexOf('.')).replaceAll(".*\\.", "") + ")";
      }
    }
    return top.startsWith("java.") || top.startsWith("jdk.") ? "JDK (" + top.replaceAll("\\.[^.]*\\.[^.]*$", "") + ")" : "other";
  }

  private static JsonArray top(Map<String, Integer> m, long total, int n) {
    JsonArray a = new JsonArray();
    m.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())).limit(n)
      .forEach(e -> a.add(new JsonObject().put("frame", e.getKey()).put("name", e.getKey()).put("samples", e.getValue())
        .put("pct", Math.round(1000.0 * e.getValue() / Math.max(1, total)) / 10.0)));
    return a;
  }

}
