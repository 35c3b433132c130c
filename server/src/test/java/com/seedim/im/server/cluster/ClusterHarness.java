package com.seedim.im.server.cluster;

import com.seedim.im.testkit.DurableState;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts real SeedIM nodes as separate JVM processes (the production launcher, {@code Main}) clustered with
 * Hazelcast over loopback (TCP-IP join, multicast off), on the machine's MariaDB and Redis with a fresh
 * database and key prefix. Nodes can be stopped gracefully (SIGTERM) or killed (SIGKILL).
 */
final class ClusterHarness implements AutoCloseable {
  static final int SLOTS = 12;
  static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  /** After the last member is up, before a test sends: every node sees every consumer registration by then. */
  static final Duration SETTLE = Duration.ofMillis(1500);

  /** One node process. */
  final class Node {
    final String name;
    final String roles;
    final int slot;
    final int port;
    final Path log;
    Process process;

    Node(String name, String roles, int slot, int port, Path log) {
      this.name = name;
      this.roles = roles;
      this.slot = slot;
      this.port = port;
      this.log = log;
    }

    boolean alive() {
      return process != null && process.isAlive();
    }

    /** The management port this node logged at start. */
    int managementPort() {
      Matcher m = Pattern.compile("management endpoints on http://[^:]+:([0-9]+)/").matcher(logText());
      if (!m.find()) {
        throw new IllegalStateException("node " + name + " logged no management port");
      }
      return Integer.parseInt(m.group(1));
    }

    String logText() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }
  }

  private final String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  final String database = "imc_" + tag;
  final String redisPrefix = "imc:" + tag + ":";
  private final int hzBase = 20000 + ThreadLocalRandom.current().nextInt(0, 400) * 20;
  private final Path dir;
  private final JsonObject app;
  private final Map<String, Node> nodes = new ConcurrentHashMap<>();
  private int nextSlot;

  private final JsonObject tls;
  /** Server-level config keys merged over the defaults of {@link #config} (e.g. busTimeoutMs, chat sweeper). */
  private final JsonObject serverOverrides;

  ClusterHarness(JsonObject appOverrides) throws IOException {
    this(appOverrides, new JsonObject());
  }

  ClusterHarness(JsonObject appOverrides, JsonObject serverOverrides) throws IOException {
    this.serverOverrides = serverOverrides.copy();
    this.dir = Files.createDirectories(Path.of("target", "cluster", tag));
    this.app = new JsonObject().put("appId", TestServer.APP_ID).put("secret", TestServer.SECRET).mergeIn(appOverrides);
    Path certs = certs();
    String password = Files.readString(certs.resolve("store-password"), StandardCharsets.UTF_8).trim();
    this.tls = new JsonObject().put("keyStore", certs.resolve("node.p12").toAbsolutePath().toString()).put("keyStorePassword", password)
      .put("trustStore", certs.resolve("trust.p12").toAbsolutePath().toString()).put("trustStorePassword", password);
  }

  private static Path certs;

  /**
   * The cluster's certificates (scripts/cluster-certs.sh: a private CA, one node key store every node shares, the trust
   * store), made once per test JVM in a temporary directory: every node runs event-bus TLS with client certificates.
   */
  static synchronized Path certs() throws IOException {
    if (certs == null) {
      Path d = Files.createTempDirectory("seedim-cluster-certs");
      try {
        makeCerts(d);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (var files = Files.list(d)) {
          files.forEach(f -> f.toFile().delete());
        } catch (IOException e) {
          // best effort
        }
        d.toFile().delete();
      }));
      certs = d;
    }
    return certs;
  }

  private JsonObject config(int slot, int port) {
    JsonArray members = new JsonArray();
    for (int i = 0; i < SLOTS; i++) {
      members.add("127.0.0.1:" + (hzBase + i));
    }
    return new JsonObject()
      .put("mode", "prod")
      .put("host", "127.0.0.1")
      .put("port", port)
      .put("managementPort", 0)
      .put("shutdownDrainMs", 300)
      .put("busTimeoutMs", 3000)
      .put("clusterName", "seedim-" + tag)
      .put("mysql", new JsonObject().put("host", TestServer.MYSQL_HOST).put("database", database).put("poolSize", 4))
      .put("redis", new JsonObject().put("connectionString", TestServer.REDIS_URI).put("prefix", redisPrefix))
      .put("cluster", new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", hzBase + slot)
        .put("members", members).put("failureDetectionSeconds", 5).put("tls", tls))
      .put("apps", new JsonArray().add(app))
      .mergeIn(serverOverrides, true);
  }

  String clusterName() {
    return "seedim-" + tag;
  }

  /** Every Hazelcast member address of this cluster's slots, comma separated. */
  String membersCsv() {
    List<String> m = new ArrayList<>();
    for (int i = 0; i < SLOTS; i++) {
      m.add("127.0.0.1:" + (hzBase + i));
    }
    return String.join(",", m);
  }

  /** Takes a free slot for a process that is not a SeedIM node; returns its Hazelcast port. */
  synchronized int reserveHazelcastPort() {
    int slot = nextSlot++;
    if (slot >= SLOTS) {
      throw new IllegalStateException("no free cluster slot");
    }
    return hzBase + slot;
  }

  /** Starts another main class of the test classpath as its own JVM (stdout and stderr to {@code name.log}). */
  synchronized Node launchMain(String name, String mainClass, List<String> args) throws IOException {
    Path log = dir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
      "-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(args);
    Node n = new Node(name, "none", -1, 0, log);
    n.process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    nodes.put(name, n);
    return n;
  }

  /** Starts a node process; returns once it logged that it is up. */
  Node start(String name, String roles) throws Exception {
    Node n = launch(name, roles);
    awaitUp(n);
    return n;
  }

  /**
   * A whole cluster: the first member starts alone (it forms the cluster), the others are launched together and join
   * it; returns once every one is up and had {@link #SETTLE} to see every consumer registration.
   *
   * @param members pairs of a node name and its roles, e.g. {@code {"gw1", "gateway"}}
   */
  List<Node> up(String[]... members) throws Exception {
    long t0 = System.currentTimeMillis();
    List<Node> all = new ArrayList<>();
    all.add(start(members[0][0], members[0][1]));
    for (int i = 1; i < members.length; i++) {
      all.add(launch(members[i][0], members[i][1]));
    }
    for (Node n : all) {
      awaitUp(n);
    }
    System.out.printf("cluster of %d JVMs up in %d ms%n", all.size(), System.currentTimeMillis() - t0);
    Thread.sleep(SETTLE.toMillis());
    return all;
  }

  /** Launches a node without waiting (see {@link #awaitUp}). */
  synchronized Node launch(String name, String roles) throws IOException {
    int slot = nextSlot++;
    if (slot >= SLOTS) {
      throw new IllegalStateException("no free cluster slot");
    }
    int port = roles.contains("gateway") ? freePort() : 0;
    Path cfg = dir.resolve(name + ".json");
    Files.writeString(cfg, config(slot, port).encodePrettily());
    Path log = dir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(
      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
      "-Dhazelcast.logging.type=slf4j",
      "-cp", System.getProperty("java.class.path"),
      "com.seedim.im.server.Main", "--config", cfg.toString(), "--roles", roles));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("IM_NODE_NAME", name);
    Node n = new Node(name, roles, slot, port, log);
    n.process = pb.start();
    nodes.put(name, n);
    return n;
  }

  void awaitUp(Node n) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String text = n.logText();
      if (text.contains("node up:")) {
        return;
      }
      if (!n.process.isAlive()) {
        throw new IllegalStateException("node " + n.name + " exited:\n" + text);
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("node " + n.name + " did not come up in " + START_TIMEOUT + ":\n" + n.logText());
  }

  /** SIGKILL: the node vanishes without a word, like a crashed machine. */
  void kill9(Node n) throws InterruptedException {
    n.process.destroyForcibly();
    n.process.waitFor();
  }

  /** SIGSTOP: the node's JVM freezes (a GC pause, a stalled VM, a debugger) with all its sockets still open. */
  void pause(Node n) throws IOException, InterruptedException {
    signal(n, "-STOP");
  }

  /** SIGCONT: a paused node runs again. */
  void resume(Node n) throws IOException, InterruptedException {
    signal(n, "-CONT");
  }

  /** Sends a signal to that node's own process only (never to anything the test did not start). */
  private static void signal(Node n, String sig) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("kill", sig, Long.toString(n.process.pid())).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("kill " + sig + " " + n.process.pid() + " failed: " + out);
    }
  }

  /** SIGTERM: graceful shutdown through the launcher's hook. */
  void stop(Node n) throws InterruptedException {
    n.process.destroy();
    n.process.waitFor();
  }

  Node node(String name) {
    return nodes.get(name);
  }

  /**
   * Runs {@code scripts/cluster-certs.sh dir}: a private CA, {@code dir/node.p12}, {@code dir/trust.p12} and
   * {@code dir/store-password}.
   */
  static void makeCerts(Path dir) throws IOException, InterruptedException {
    Path script = repoRoot().resolve("scripts").resolve("cluster-certs.sh");
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), dir.toString()).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("cluster-certs.sh failed:\n" + out);
    }
  }

  private static Path repoRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.exists(d.resolve("scripts").resolve("cluster-certs.sh"))) {
        return d;
      }
    }
    throw new IllegalStateException("scripts/cluster-certs.sh not found above " + Path.of("").toAbsolutePath());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    for (Node n : nodes.values()) {
      if (n.alive()) {
        n.process.destroyForcibly();
      }
    }
    for (Node n : nodes.values()) {
      try {
        n.process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    DurableState.drop(TestServer.MYSQL_HOST, 3306, database, TestServer.REDIS_URI, redisPrefix);
  }
}
