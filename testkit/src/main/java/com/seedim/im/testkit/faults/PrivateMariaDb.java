package com.seedim.im.testkit.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A MariaDB server of a test's own (Debian's {@code mariadbd}) on a free port with a temporary data directory, so a
 * fault test can pause, kill and restart it without touching the machine's shared instance. Root logs in over TCP
 * with any password ({@code --skip-grant-tables}); durability settings are MariaDB's defaults
 * ({@code innodb_flush_log_at_trx_commit=1}).
 */
public final class PrivateMariaDb implements AutoCloseable {
  public static final String SERVER = System.getenv().getOrDefault("IM_TEST_MARIADBD", "/usr/sbin/mariadbd");
  public static final String INSTALL = System.getenv().getOrDefault("IM_TEST_MARIADB_INSTALL_DB", "/usr/bin/mariadb-install-db");

  private final Path dir;
  private final int port;
  private Process process;

  private PrivateMariaDb(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Initialises a data directory and starts the server; waits until it accepts connections (up to 60 s). */
  public static PrivateMariaDb start() {
    try {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path dir = Files.createTempDirectory("seedim-mariadb-");
      Process install = new ProcessBuilder(List.of(INSTALL, "--no-defaults", "--datadir=" + dir.resolve("data"), "--user=root",
        "--auth-root-authentication-method=normal", "--skip-test-db"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("install.log").toFile()).start();
      if (!install.waitFor(120, TimeUnit.SECONDS) || install.exitValue() != 0) {
        throw new IllegalStateException("mariadb-install-db failed; see " + dir.resolve("install.log"));
      }
      PrivateMariaDb db = new PrivateMariaDb(dir, port);
      db.launch();
      return db;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void launch() throws IOException {
    process = new ProcessBuilder(List.of(SERVER, "--no-defaults", "--datadir=" + dir.resolve("data"), "--user=root",
      "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("sock"), "--pid-file=" + dir.resolve("pid"),
      "--skip-grant-tables", "--innodb-buffer-pool-size=64M", "--max-connections=200", "--log-error=" + dir.resolve("error.log")))
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("out.log").toFile())).start();
    long until = System.currentTimeMillis() + 60_000;
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        if (System.currentTimeMillis() > until || !process.isAlive()) {
          throw new IllegalStateException("private mariadbd did not start on port " + port + "; see " + dir.resolve("error.log"), e);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(ie);
        }
      }
    }
  }

  public int port() {
    return port;
  }

  /** SIGSTOP: connections stay open but nothing is answered (a stalled database). */
  public void pause() {
    signal("STOP");
  }

  /** SIGCONT. */
  public void resume() {
    signal("CONT");
  }

  /** SIGKILL: the database is gone (connections reset, new ones refused) until {@link #restart}. */
  public void kill() {
    try {
      process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts the server again on the same port and data directory (after a kill: crash recovery, data kept). */
  public void restart() {
    if (process.isAlive()) {
      kill();
    }
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void signal(String sig) {
    Processes.signal(process, sig);
  }

  @Override
  public void close() {
    Processes.stop(process, 10);
    Processes.deleteTree(dir);
  }
}
