package com.seedim.im.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-thread CPU from /proc of this very process: a thread spinning for a while shows up as busy. */
class ThreadCpuTest {
  @Test
  void aSpinningThreadIsBusyAndNamed() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread spin = new Thread(() -> {
      long x = 0;
      while (!stop.get()) {
        x += System.nanoTime() % 7;
      }
      if (x == 42) {
        System.out.println(x);
      }
    }, "spin-test");
    ProcStats.ThreadCpu cpu = new ProcStats.ThreadCpu(ProcessHandle.current().pid());
    spin.start();
    Thread.sleep(600);
    JsonObject j = cpu.stop(); // while the thread lives: a thread that ended is gone from /proc/<pid>/task
    stop.set(true);
    spin.join();

    assertThat(j.getInteger("busyThreads")).isGreaterThanOrEqualTo(1);
    assertThat(j.getInteger("busyEventLoops")).isZero();
    assertThat(j.getJsonArray("threads").getJsonObject(0).getString("name")).isEqualTo("spin-test");
    assertThat(j.getJsonArray("threads").getJsonObject(0).getDouble("pct")).isGreaterThan(ProcStats.ThreadCpu.BUSY_PCT);
  }
}
