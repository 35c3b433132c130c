package com.seedim.im.testkit.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of the test's own on loopback: {@value #MASTERS} masters (Debian's {@code redis-server} in
 * cluster mode, no replicas, no persistence), slots spread by {@code redis-cli --cluster create}. Each node needs
 * its port and its cluster-bus port (port + 10000) free. {@link #close()} stops every node and deletes its files.
 */
public final class RedisCluster implements AutoCloseable {
  /** Masters in the cluster (the fewest Redis Cluster accepts). */
  public static final int MASTERS = 3;
  /** The cluster bus of a node listens on its port plus this. */
  private static final int BUS_OFFSET = 10_000;
  private static final String CLI = System.getenv().getOrDefault("IM_TEST_REDIS_CLI", "/usr/bin/redis-cli");
  private static final long START_TIMEOUT_MS = 30_000;

  private final List<Process> nodes;
  private final List<Integer> ports;
  private final Path dir;

  private RedisCluster(List<Process> nodes, List<Integer> ports, Path dir) {
    this.nodes = nodes;
    this.ports = ports;
    this.dir = dir;
  }

  /** Starts the masters, creates the cluster and waits until every node reports {@code cluster_state:ok}. */
  public static RedisCluster start() {
    Path dir;
    try {
      dir = Files.createTempDirectory("seedim-redis-cluster-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Process> nodes = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    RedisCluster c = new RedisCluster(nodes, ports, dir);
    try {
      for (int i = 0; i < MASTERS; i++) {
        int port = freePortPair(ports);
        Path nodeDir = Files.createDirectories(dir.resolve("n" + port));
        ports.add(port);
        nodes.add(new ProcessBuilder(List.of(PrivateRedis.BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
          "--dir", nodeDir.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no",
          "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile()))
          .start());
      }
      for (int port : ports) {
        awaitPort(port);
      }
      List<String> create = new ArrayList<>(List.of(CLI, "--cluster", "create"));
      ports.forEach(p -> create.add("127.0.0.1:" + p));
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Process p = new ProcessBuilder(create).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("create.log").toFile())).start();
      if (!p.waitFor(START_TIMEOUT_MS, TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("redis-cli --cluster create failed: "
          + Files.readString(dir.resolve("create.log"), StandardCharsets.UTF_8));
      }
      c.awaitOk();
      return c;
    } catch (IOException e) {
      c.close();
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      c.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** A port whose cluster-bus port is free too, away from the ephemeral range's busiest part. */
  private static int freePortPair(List<Integer> taken) throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(21_000, 29_000);
      if (!taken.contains(port) && free(port) && free(port + BUS_OFFSET)) {
        return port;
      }
    }
    throw new IOException("no free port pair for a cluster node");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void awaitPort(int port) throws InterruptedException {
    long until = System.currentTimeMillis() + START_TIMEOUT_MS;
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        if (System.currentTimeMillis() > until) {
          throw new IllegalStateException("cluster node did not start on port " + port, e);
        }
        Thread.sleep(50);
      }
    }
  }

  private void awaitOk() throws IOException, InterruptedException {
    long until = System.currentTimeMillis() + START_TIMEOUT_MS;
    for (int port : ports) {
      while (!cli(port, "CLUSTER", "INFO").contains("cluster_state:ok")) {
        if (System.currentTimeMillis() > until) {
          throw new IllegalStateException("redis cluster node " + port + " not ok within " + START_TIMEOUT_MS + " ms");
        }
        Thread.sleep(100);
      }
    }
  }

  /** Runs one {@code redis-cli} command against a node and returns what it printed. */
  public String cli(int port, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(CLI, "-h", "127.0.0.1", "-p", Integer.toString(port)));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    p.waitFor(10, TimeUnit.SECONDS);
    return new String(out, StandardCharsets.UTF_8);
  }

  /** The masters' ports. */
  public List<Integer> ports() {
    return List.copyOf(ports);
  }

  /** {@code redis://127.0.0.1:<port>} of every master (the seed endpoints of a cluster client). */
  public List<String> uris() {
    return ports.stream().map(p -> "redis://127.0.0.1:" + p).toList();
  }

  /** How many keys the master on {@code port} holds ({@code DBSIZE}). */
  public long dbsize(int port) {
    try {
      return Long.parseLong(cli(port, "DBSIZE").trim().replaceAll("\\D", ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (Process p : nodes) {
      Processes.stop(p, 5);
    }
    Processes.deleteTree(dir);
  }
}
