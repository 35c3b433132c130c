package com.seedim.im.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-thread CPU from /proc of this very process: a thread that spins until it has used 300 ms of CPU is the
 * busiest thread, with the share of a core it really got (the machine may be loaded: the share is measured, not assumed).
 */
class ThreadCpuTest {
  static final long SPIN_CPU_NS = 300_000_000L;

  @Test
  void aSpinningThreadIsTheBusiestWithTheCpuItUsed() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch spun = new CountDownLatch(1);
    Thread spin = new Thread(() -> {
      long x = 0;
      var mx = ManagementFactory.getThreadMXBean();
      while (!stop.get()) {
        x += System.nanoTime() % 7;
        if (spun.getCount() > 0 && mx.getCurrentThreadCpuTime() >= SPIN_CPU_NS) {
          spun.countDown();
        }
      }
      if (x == 42) {
        System.out.println(x);
      }
    }, "spin-test");
    long t0 = System.nanoTime();
    ProcStats.ThreadCpu cpu = new ProcStats.ThreadCpu(ProcessHandle.current().pid());
    spin.start();
    spun.await();
    JsonObject j = cpu.stop(); // while the thread lives: a thread that ended is gone from /proc/<pid>/task
    double wallS = (System.nanoTime() - t0) / 1e9;
    stop.set(true);
    spin.join();

    JsonObject top = j.getJsonArray("threads").getJsonObject(0);
    assertThat(top.getString("name")).isEqualTo("spin-test");
    // at least 300 ms of CPU over the wall time, within the 10 ms tick of /proc and the rounding to whole percents
    assertThat(top.getDouble("pct")).isGreaterThanOrEqualTo(Math.floor((0.3 - 0.02) / wallS * 100) - 1);
    assertThat(j.getInteger("busyEventLoops")).isZero();
    assertThat(j.getInteger("busyThreads")).isGreaterThanOrEqualTo(top.getDouble("pct") > ProcStats.ThreadCpu.BUSY_PCT ? 1 : 0);
  }
}
