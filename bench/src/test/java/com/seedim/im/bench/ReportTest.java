package com.seedim.im.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/benchmarks.md from one suite's results: the issue-13 targets rows and the hand-written sections kept. */
class ReportTest {
  @BeforeAll
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  private static final String EXISTING = """
    # Benchmarks

    Generated text of an earlier run.

    ## Machine, JVM flags, commands

    ```bash
    ## a shell comment inside a code block, not a heading
    ./scripts/bench.sh
    ```

    ## Targets and results

    | old | table |

    ## Before and after the fixes

    old compare table

    ## Issue 12: hand-written
    Issue 12's runs, kept.

    ```bash
    ## Scenarios (inside a code block: not the end of the hand-written part)
    ```

    ## Issue 13, step 1: hand-written
    Step 1's runs, kept.

    ### Memory per idle connection
    a sub-section, kept.

    ## Scenarios

    ### 1. Held connections
    old generated scenario text.

    <!-- soak:begin (written by `suite --only soak`; kept when the suite rewrites this file) -->
    ## Soak
    the soak section
    <!-- soak:end -->
    """;

  @Test
  void handWrittenSectionsAboveTheScenariosAreKeptVerbatim(@TempDir Path docs) throws Exception {
    Files.writeString(docs.resolve("benchmarks.md"), EXISTING, StandardCharsets.UTF_8);

    String kept = Report.handWritten(docs);

    assertThat(kept).startsWith("## Issue 12: hand-written\n").contains("## Scenarios (inside a code block")
      .contains("## Issue 13, step 1: hand-written\nStep 1's runs, kept.\n\n### Memory per idle connection\na sub-section, kept.")
      .doesNotContain("old compare table").doesNotContain("old generated scenario text").doesNotContain("the soak section")
      .doesNotContain("a shell comment inside a code block").endsWith("\n\n");
  }

  @Test
  void noExistingFileKeepsNothing(@TempDir Path docs) {
    assertThat(Report.handWritten(docs)).isEmpty();
  }

  @Test
  void rewriteShowsTheIssueTargetsAndKeepsTheHandWrittenAndSoakSections(@TempDir Path dir) throws Exception {
    Path docs = dir.resolve("docs");
    Files.createDirectories(docs);
    Files.writeString(docs.resolve("benchmarks.md"), EXISTING, StandardCharsets.UTF_8);
    Path results = dir.resolve("results.json");
    Files.writeString(results, results().encodePrettily());

    Report.write(Report.load(results), docs, dir);
    String md = Files.readString(docs.resolve("benchmarks.md"));

    // 50 % of a core at 5,000 msgs/s = 100 µs per message; MariaDB 40 % = 80 µs, Redis 10 % = 20 µs
    assertThat(md).contains("| durable chat throughput (window mode, window 4 x 200) | ≥ 12,000 msgs/s | 5,000 msgs/s (p99 30 ms); 0.05 × the same-run relay (100,000 msgs/s) | **no** |")
      .contains("| server CPU per durable message | ≤ 60 µs | 100 µs | **no** |")
      .contains("|   MariaDB CPU per durable message | (with Redis ≤ 50 µs) | 80 µs |")
      .contains("|   Redis CPU per durable message | (with MariaDB ≤ 50 µs) | 20 µs |")
      .contains("| MariaDB + Redis CPU per durable message | ≤ 50 µs together | 100 µs | **no** |")
      .contains("statements per message 2 (insert 1, commit 0.50, begin 0.50)")
      .contains("| dev mode (in-memory) CPU per message, window 1 x 50 | ≤ 1.5 × the same-run relay's, both cores used | 30 µs vs relay 25 µs = 1.20 ×; both cores used")
      .contains("| p99 at 5,000 msg/s open loop, durable | ≤ 20 ms | 12 ms | yes |")
      .contains("| p99.9 at 5,000 msg/s open loop, durable | ≤ 50 ms | 60 ms | **no** |")
      .contains("| signed connects: server CPU per connect | ≤ 2 × the relay's | 300 µs vs relay 100 µs = 3 × | **no** |")
      .contains("| signed connects/s | ≥ 0.8 × the relay's | 900/s vs relay 1,000/s = 0.90 × | yes |")
      .contains("| connect path: store round trips per handshake | counted | Redis commands 5 (hget 3, evalsha 2); MariaDB statements 0.50 (select 0.50) | measured |")
      .contains("| reconnect storm of 15,000 | all back within 1.5 × the relay's time | 3 s vs relay 2 s = 1.50 × | yes |")
      .contains("| reconnect storm | nothing lost | 0 undelivered of 100 stored | yes |")
      .contains("| RSS per idle authenticated connection (production start command) | ≤ 8 KB | 9 KB")
      .contains("### 7. Dev mode (in-memory stores) vs the relay")
      .doesNotContain("≥ 20,000").doesNotContain("≤ 5 s").doesNotContain("≤ 12 KB");
    // the hand-written sections come back between the targets and the scenarios, the soak section after them
    assertThat(md.indexOf("## Issue 12: hand-written")).isGreaterThan(md.indexOf("## Targets and results"))
      .isLessThan(md.indexOf("## Issue 13, step 1: hand-written"));
    assertThat(md.indexOf("## Issue 13, step 1: hand-written")).isLessThan(md.indexOf("\n## Scenarios\n"));
    assertThat(md).contains("the soak section").doesNotContain("old compare table").doesNotContain("| old | table |");
    // and a second rewrite keeps them exactly once
    Report.write(Report.load(results), docs, dir);
    String again = Files.readString(docs.resolve("benchmarks.md"));
    assertThat(again).isEqualTo(md);
  }

  /** A suite's results.json with round figures. */
  static JsonObject results() {
    JsonObject cpuWin = new JsonObject().put("seedim", 50.0).put("relay", 1.0).put("mariadbd", 40.0).put("redis", 10.0)
      .put("generator", 20.0).put("machineBusyPct", 95.0);
    JsonObject ops = new JsonObject().put("units", 1000).put("redisCommandsPer", 4.0)
      .put("redisTop", new JsonArray().add(new JsonObject().put("name", "hgetall").put("calls", 3000).put("per", 3.0)))
      .put("mariaStatementsPer", 2.0).put("mariaTop", new JsonArray()
        .add(new JsonObject().put("name", "insert").put("calls", 1000).put("per", 1.0))
        .add(new JsonObject().put("name", "commit").put("calls", 500).put("per", 0.5))
        .add(new JsonObject().put("name", "begin").put("calls", 500).put("per", 0.5)));
    JsonArray chat = new JsonArray()
      .add(phase("relay", "window 4 x 200", Double.NaN, 100_000, 2, 5, true).put("cpu", cpuWin.copy().put("relay", 90.0)))
      .add(phase("seedim", "window 4 x 200", Double.NaN, 5_000, 30, 40, true).put("cpu", cpuWin)
        .put("mariadb", new JsonObject().put("Com_commitPerSec", 250).put("Innodb_data_fsyncsPerSec", 240).put("QuestionsPerSec", 10_000))
        .put("storeOpsPerMsg", ops).put("threads", new JsonObject().put("processPct", 50.0).put("busyThreads", 2)
          .put("busyEventLoops", 2).put("bothCores", false).put("threads", new JsonArray()
            .add(new JsonObject().put("name", "vert.x-eventloo").put("pct", 25.0)))))
      .add(phase("relay", "fixed", 5000, 5000, 1, 2, true))
      .add(phase("seedim", "fixed", 5000, 5000, 12, 60, true));
    JsonObject connectOps = new JsonObject().put("units", 19_000).put("redisCommandsPer", 5.0)
      .put("redisTop", new JsonArray().add(new JsonObject().put("name", "hget").put("calls", 57_000).put("per", 3.0))
        .add(new JsonObject().put("name", "evalsha").put("calls", 38_000).put("per", 2.0)))
      .put("mariaStatementsPer", 0.5).put("mariaTop", new JsonArray().add(new JsonObject().put("name", "select").put("calls", 9500).put("per", 0.5)));
    JsonObject dev = new JsonObject().put("command", "java -jar server/target/seedim.jar --config dev-config.json").put("gatewayInstances", 1)
      .put("warmup", new JsonObject().put("relay", new JsonObject().put("seconds", 5).put("jitPctLastStep", 1.0))
        .put("dev", new JsonObject().put("seconds", 10).put("jitPctLastStep", 2.0)))
      .put("phases", new JsonArray()).put("compared", new JsonArray()
        .add(new JsonObject().put("load", "window 1 x 50").put("pairs", 50).put("window", 1).put("devMsgsPerSec", 20_000.0)
          .put("relayMsgsPerSec", 40_000.0).put("devUsPerMsg", 30.0).put("relayUsPerMsg", 25.0).put("cpuRatio", 1.2)
          .put("devCpuPct", 120.0).put("devBusyThreads", 2).put("devBusyEventLoops", 2).put("bothCores", true)
          .put("relayCpuPct", 100.0).put("devP99ms", 5.0).put("relayP99ms", 2.0)));
    return new JsonObject().put("label", "test").put("startedAt", "2026-12-05T13:00:00.000Z").put("suiteSeconds", 600.0)
      .put("machine", new JsonObject().put("cpu", "test CPU").put("cores", 2).put("memGiB", 8.0).put("kernel", "Linux")
        .put("java", "OpenJDK 17").put("mariadb", "11").put("redis", "7").put("openFilesLimit", "20000"))
      .put("serverJvm", "-Xmx1g").put("serverEnv", new JsonObject()).put("generatorJvm", "-Xmx1g")
      .put("command", "-jar bench/target/seedim-bench.jar suite").put("serverCommand", "java -jar seedim.jar --config x.json")
      .put("serverConfig", new JsonObject().put("redis", new JsonObject().put("connections", 4)))
      .put("config", new JsonObject().put("gatewayInstances", 2).put("inflightPerWorker", 1000).put("pairs", 200).put("window", 4)
        .put("messageBytes", 64).put("warmupS", 3).put("measureS", 10))
      .put("warmup", new JsonObject())
      .put("dev", dev).put("chat", chat)
      .put("heldRelay", held("relay", 1000.0, 100.0, null))
      .put("held", held("seedim", 900.0, 300.0, connectOps))
      .put("stormRelay", new JsonObject().put("server", "relay").put("dropped", 15_000).put("back", 15_000).put("failed", 0)
        .put("attempts", 15_000L).put("allBackMs", 2000L).put("jitterMs", 1000L).put("cpu", new JsonObject().put("machineBusyPct", 90.0)))
      .put("storm", new JsonObject().put("dropped", 15_000).put("back", 15_000).put("failed", 0).put("attempts", 15_000L)
        .put("allBackMs", 3000L).put("messagesSent", 100).put("messagesStored", 100L).put("messagesRefused", 0L)
        .put("messagesDelivered", 100).put("lost", 0L).put("allDeliveredMs", 3100.0).put("jitterMs", 1000L)
        .put("cpu", new JsonObject().put("seedim", 90.0).put("machineBusyPct", 99.0)).put("serverRssKb", 400_000L));
  }

  private static JsonObject phase(String target, String mode, double offered, double msgs, double p99, double p999, boolean held) {
    return new JsonObject().put("target", target).put("mode", mode).put("offeredPerSec", offered).put("sentPerSec", msgs)
      .put("msgsPerSec", msgs).put("received", (long) msgs * 10).put("errors", 0L).put("p50ms", p99 / 2).put("p95ms", p99 * 0.9)
      .put("p99ms", p99).put("p999ms", p999).put("maxMs", p999 * 2).put("rateHeld", held).put("seconds", 10.0);
  }

  private static JsonObject held(String server, double perSec, double cpuUs, JsonObject ops) {
    JsonObject h = new JsonObject().put("server", server).put("target", 19_000).put("connected", 19_000).put("failed", 0)
      .put("lastFailureStatus", 0).put("openAfterIdle", 19_000).put("rampMs", 20_000L).put("handshakesPerSec", perSec)
      .put("rssBeforeKb", 200_000L).put("rssAfterKb", 371_000L).put("heapBeforeKb", 20_000L).put("heapAfterKb", 150_000L)
      .put("fdBefore", 50L).put("fdAfter", 19_050L).put("rssPerConnKb", 9.0).put("heapPerConnKb", 7.0)
      .put("rampCpu", new JsonObject().put(server, 80.0).put("machineBusyPct", 100.0)).put("classHistogramTop", new JsonArray())
      .put("nmtCommittedPerConnKb", new JsonObject()).put("rampCpuMs", (long) (cpuUs * 19_000 / 1000))
      .put("cpuUsPerConnect", cpuUs);
    return ops == null ? h : h.put("storeOpsPerConnect", ops);
  }
}
