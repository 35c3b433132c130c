package com.seedim.im.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.vertx.core.json.JsonObject;

/** Child processes of the suite (server, relay, generator workers) and the MariaDB / Redis helpers. */
final class Services {
  private Services() {
  }

  static Process start(List<String> cmd, Path log, Map<String, String> env) throws IOException {
    File f = log.toFile();
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(f));
    pb.environment().putAll(env);
    return pb.start();
  }

  static boolean waitPort(String host, int port, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 500);
        return true;
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    return false;
  }

  static boolean waitHttp(String url, long timeoutMs) throws InterruptedException {
    HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return true;
        }
      } catch (IOException e) {
        // not yet
      }
      Thread.sleep(250);
    }
    return false;
  }

  static String httpGet(String url) {
    try {
      HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      return c.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Graceful stop (SIGTERM), then kill after {@code graceSeconds}. */
  static void stop(Process p, int graceSeconds) {
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String sql(String statement) {
    return ProcStats.run(List.of("bash", "-c", "(command -v mariadb || command -v mysql) >/dev/null && "
      + "$(command -v mariadb || command -v mysql) -h 127.0.0.1 -P 3306 -uroot -N -B -e \"" + statement + "\""), 60);
  }

  /** Selected global status counters of MariaDB. */
  static Map<String, Long> mariaStatus() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String l : sql("SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_data_fsyncs','Innodb_os_log_fsyncs',"
      + "'Com_commit','Com_insert','Com_update','Questions')").split("\n")) {
      String[] f = l.trim().split("\\s+");
      if (f.length == 2) {
        try {
          m.put(f[0], Long.parseLong(f[1]));
        } catch (NumberFormatException ignored) {
          // skip
        }
      }
    }
    return m;
  }

  static void redisDeletePrefix(String prefix) {
    ProcStats.run(List.of("bash", "-c", "redis-cli -h 127.0.0.1 -p 6379 --scan --pattern '" + prefix
      + "*' | xargs -r -n 1000 redis-cli -h 127.0.0.1 -p 6379 del >/dev/null"), 120);
  }

  /** A generator worker process speaking JSON lines on stdout and commands on stdin. */
  static final class WorkerProc {
    final Process process;
    private final BufferedWriter in;
    private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();

    WorkerProc(List<String> cmd, Path log) throws IOException {
      process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String l;
          while ((l = r.readLine()) != null) {
            if (l.startsWith("{")) {
              try {
                events.add(new JsonObject(l));
              } catch (RuntimeException ignored) {
                // a log line
              }
            }
          }
        } catch (IOException ignored) {
          // process gone
        }
      }, "worker-reader");
      t.setDaemon(true);
      t.start();
    }

    void send(String command) throws IOException {
      in.write(command);
      in.newLine();
      in.flush();
    }

    /** The next event named {@code name} within the timeout, or null. */
    JsonObject await(String name, long timeoutMs) throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (true) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          return null;
        }
        JsonObject e = events.poll(left, TimeUnit.MILLISECONDS);
        if (e == null) {
          return null;
        }
        if (name.equals(e.getString("event"))) {
          return e;
        }
      }
    }
  }

  /**
   * The production server of a scenario that runs on its own (soak, webhooks): its config written next to the results,
   * started with the suite's server JVM settings and {@code --roles all}, answered {@code /health} (90 s at most);
   * the config and the command are put in {@code res}.
   */
  static Process startServer(Suite s, Path stamp, io.vertx.core.json.JsonObject serverConfig, io.vertx.core.json.JsonObject res)
    throws Exception {
    Path cfg = stamp.resolve("server-config.json");
    java.nio.file.Files.writeString(cfg, serverConfig.encodePrettily());
    res.put("serverConfig", serverConfig);
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> sc = new java.util.ArrayList<>(List.of(java));
    sc.addAll(List.of(s.serverJvm().split("\\s+")));
    sc.addAll(List.of("-jar", s.serverJar.toString(), "--config", cfg.toString(), "--roles", "all"));
    res.put("serverCommand", String.join(" ", sc));
    Process server = start(sc, stamp.resolve("server.log"), s.serverEnv);
    if (!waitHttp("http://127.0.0.1:" + s.port + "/health", 90_000)) {
      server.destroyForcibly();
      throw new IllegalStateException("server did not start; see " + stamp);
    }
    return server;
  }
}
