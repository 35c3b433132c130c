package com.seedim.im.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the suite ran on. */
final class Machine {
  private Machine() {
  }

  static JsonObject describe() {
    String cpu = "?";
    try {
      for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (l.startsWith("model name")) {
          cpu = l.substring(l.indexOf(':') + 1).trim();
          break;
        }
      }
    } catch (IOException ignored) {
      // unknown
    }
    long memKb = -1;
    try {
      for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) {
          memKb = Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException ignored) {
      // unknown
    }
    String kernel = ProcStats.run(java.util.List.of("uname", "-sr"), 5).trim();
    String maria = Services.sql("SELECT CONCAT(VERSION(), ' innodb_flush_log_at_trx_commit=', @@innodb_flush_log_at_trx_commit, "
      + "' innodb_buffer_pool_size=', @@innodb_buffer_pool_size DIV 1048576, 'M')").trim();
    String redis = ProcStats.run(java.util.List.of("bash", "-c", "redis-server --version | head -1"), 5).trim();
    return new JsonObject().put("cpu", cpu).put("cores", Runtime.getRuntime().availableProcessors())
      .put("memGiB", Math.round(memKb / 1048576.0 * 10) / 10.0).put("kernel", kernel)
      .put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"))
      .put("mariadb", maria).put("redis", redis)
      .put("openFilesLimit", ProcStats.run(java.util.List.of("bash", "-c", "ulimit -n"), 5).trim());
  }
}
