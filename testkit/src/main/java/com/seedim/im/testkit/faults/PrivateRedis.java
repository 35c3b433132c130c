package com.seedim.im.testkit.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A redis-server of the test's own (free port, temporary directory, no persistence) for fault tests: it can be
 * paused ({@code SIGSTOP}), resumed ({@code SIGCONT}) and killed without touching the shared instance on 6379.
 * Only this process is ever signalled, by its pid.
 */
public final class PrivateRedis implements AutoCloseable {
  public static final String BINARY = System.getenv().getOrDefault("IM_TEST_REDIS_SERVER", "/usr/bin/redis-server");

  private Process process;
  private final int port;
  private final Path dir;

  private PrivateRedis(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /** Starts one and waits until it accepts connections (up to 10 s). */
  public static PrivateRedis start() {
    try {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path dir = Files.createTempDirectory("seedim-redis-");
      PrivateRedis r = new PrivateRedis(launch(port, dir), port, dir);
      r.awaitUp();
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Process launch(int port, Path dir) throws IOException {
    return new ProcessBuilder(List.of(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
      "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no"))
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
  }

  private void awaitUp() {
    try {
      long until = System.currentTimeMillis() + 10_000;
      while (true) {
        try (Socket s = new Socket("127.0.0.1", port)) {
          return;
        } catch (IOException e) {
          if (System.currentTimeMillis() > until || !process.isAlive()) {
            close();
            throw new IllegalStateException("private redis-server did not start on port " + port, e);
          }
          Thread.sleep(50);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** SIGKILL: Redis is gone (connections refused) until {@link #restartEmpty}. */
  public void kill() {
    try {
      process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Kills the server (if running) and starts a new one on the same port with no data: a restart without
   * persistence, or a failover to an empty replica.
   */
  public void restartEmpty() {
    kill();
    try {
      process = launch(port, dir);
      awaitUp();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing (a stalled, not refused, Redis). */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String sig) {
    Processes.signal(process, sig);
  }

  @Override
  public void close() {
    Processes.stop(process, 5);
    Processes.deleteTree(dir);
  }
}
