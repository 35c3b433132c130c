package com.seedim.im.server.observe;

import com.seedim.im.server.Main;
import com.seedim.im.testkit.Cs;
import com.seedim.im.testkit.DurableState;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.hooks.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One production-mode node as an operator runs it ({@code java ... Main --config}, MariaDB and Redis, JSON logs on
 * stdout), driven by real clients: chat, a queue take into a room, a call answered and hung up, a replaced session.
 * Then its {@code /metrics} scrape must hold every metric the dashboard and the alert rules read, with histogram buckets
 * for the latency timers, and every line it logged must be a JSON object with the documented fields.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@DisplayName("observability: JSON logs, /metrics against deploy/grafana and deploy/prometheus")
class ObservabilityTest {
  private static final Pattern ISO = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)");
  private static final String NODE = "obs-node-1";
  /** Made by Prometheus itself, never by a target. */
  private static final Set<String> SYNTHETIC = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped");

  private final String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private final String database = "imt_obs_" + tag;
  private final String redisPrefix = "imt:" + tag + ":";
  private Path dir;
  private Process process;
  private Path stdout;
  private Path stderr;
  private int port;
  private int managementPort;
  private Vertx vertx;
  private String scrape;
  private WebhookReceiver receiver;

  static Path repoRoot() {
    Path root = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(root.resolve("deploy"))) {
      root = root.getParent();
    }
    return root;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).build(),
      HttpResponse.BodyHandlers.ofString());
  }

  @BeforeAll
  void startNodeAndDriveTraffic() throws Exception {
    dir = Files.createTempDirectory("seedim-observe");
    vertx = Vertx.vertx();
    receiver = new WebhookReceiver(vertx, TestServer.SECRET); // the webhook metrics: lag, paused, posts, delivered
    port = freePort();
    managementPort = freePort();
    JsonObject cfg = new JsonObject().put("mode", "prod").put("host", "127.0.0.1").put("port", port)
      .put("managementPort", managementPort).put("shutdownDrainMs", 200)
      .put("apps", new JsonArray().add(new JsonObject().put("appId", TestServer.APP_ID).put("secret", TestServer.SECRET)
        .put("dynamicQueues", true).put("webhooks", new JsonObject().put("endpoints", new JsonArray()
          .add(new JsonObject().put("url", receiver.eventsUrl()))))))
      .put("mysql", new JsonObject().put("host", TestServer.MYSQL_HOST).put("port", 3306).put("database", database).put("poolSize", 4))
      .put("redis", new JsonObject().put("connectionString", TestServer.REDIS_URI).put("prefix", redisPrefix));
    Path config = dir.resolve("node.json");
    Files.writeString(config, cfg.encodePrettily());
    Path logback = Path.of(Main.class.getResource("/logback.xml").toURI());
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=" + logback,
      "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--config", config.toString()));
    stdout = dir.resolve("stdout.log");
    stderr = dir.resolve("stderr.log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    pb.environment().put("IM_LOG_FORMAT", "json");
    pb.environment().put("IM_LOG_LEVEL_GATEWAY", "DEBUG");
    pb.environment().put("IM_NODE_NAME", NODE);
    process = pb.start();
    awaitReady();

    WebSocketClient ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(50));
    List<TestClient> clients = new ArrayList<>();
    try {
      TestClient alice = TestClient.connectReady(ws, port, "alice", "web", null);
      TestClient bob = TestClient.connectReady(ws, port, "bob", "phone", null);
      clients.addAll(List.of(alice, bob));
      JsonObject sign = TestServer.chatSign("alice", "bob");
      Cs.ok(alice, Cs.frame(130).put("receiveUserId", "bob").put("message", "hello")
        .put("receiveSign", sign.getString("receiveSign")).put("timestamp", sign.getLong("timestamp")));
      assertThat(bob.awaitType(140).getString("message")).isEqualTo("hello"); // auto-acked (141): a delivery latency

      TestClient agent = TestClient.connectReady(ws, port, "ag1", null, "agent");
      TestClient customer = TestClient.connectReady(ws, port, "cu1", null, null);
      clients.addAll(List.of(agent, customer));
      String roomId = Cs.openRoom(agent, customer);
      JsonObject ack = Cs.ok(agent, Cs.frame(300).put("message", new JsonObject().put("type", "offer").put("sdp", "v=0 offer")));
      String callId = ack.getString("callId");
      assertThat(customer.awaitType(301).getString("callId")).isEqualTo(callId);
      Cs.ok(customer, Cs.frame(310).put("callId", callId).put("message", new JsonObject().put("type", "answer").put("sdp", "v=0 a")));
      agent.awaitType(311);
      Cs.ok(customer, Cs.frame(330).put("callId", callId));
      assertThat(agent.awaitType(560).getString("roomId")).isEqualTo(roomId);

      TestClient alice2 = TestClient.connectReady(ws, port, "alice", "web", null); // replaces the first alice/web
      clients.add(alice2);
      assertThat(alice.awaitType(99).getString("code")).isEqualTo("REPLACED");
    } finally {
      clients.forEach(TestClient::close);
    }
    Thread.sleep(500); // the disconnects are logged once their routes are removed
    receiver.await(events -> events.stream().anyMatch(e -> "room.closed".equals(e.getString("type"))), Duration.ofSeconds(20));
    Thread.sleep(400); // the next round reads an empty outbox: the lag gauge is set
    HttpResponse<String> r = get("http://127.0.0.1:" + managementPort + "/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    scrape = r.body();
    Files.writeString(Path.of("target", "observability-scrape.txt"), scrape);
  }

  private void awaitReady() throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      assertThat(process.isAlive()).as("node exited: %s %s", Files.readString(stdout), Files.readString(stderr)).isTrue();
      try {
        if (get("http://127.0.0.1:" + managementPort + "/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("node not ready: " + Files.readString(stdout));
  }

  @AfterAll
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    if (receiver != null) {
      receiver.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
    DurableState.drop(TestServer.MYSQL_HOST, 3306, database, TestServer.REDIS_URI, redisPrefix);
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** Sample names of the exposition ({@code name{labels} value} or {@code name value}), comments skipped. */
  static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
        end++;
      }
      names.add(line.substring(0, end));
    }
    return names;
  }

  /** Every PromQL expression of the dashboard (panel targets, template variable queries), by where it is. */
  static Map<String, Set<String>> dashboardNames(JsonObject dashboard) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (Object p : dashboard.getJsonArray("panels", new JsonArray())) {
      JsonObject panel = (JsonObject) p;
      for (Object t : panel.getJsonArray("targets", new JsonArray())) {
        String expr = ((JsonObject) t).getString("expr");
        out.put("panel '" + panel.getString("title") + "': " + expr, PromQlNames.of(expr));
      }
    }
    JsonArray vars = dashboard.getJsonObject("templating", new JsonObject()).getJsonArray("list", new JsonArray());
    Pattern labelValues = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");
    for (Object v : vars) {
      JsonObject var = (JsonObject) v;
      Object q = var.getValue("query");
      String query = q instanceof JsonObject o ? o.getString("query") : q instanceof String s ? s : null;
      if (query == null || !"query".equals(var.getString("type"))) {
        continue;
      }
      Matcher m = labelValues.matcher(query);
      Set<String> names = new LinkedHashSet<>();
      if (m.find()) {
        names.add(m.group(1));
      } else {
        names.addAll(PromQlNames.of(query));
      }
      out.put("variable '" + var.getString("name") + "': " + query, names);
    }
    return out;
  }

  /** Every alert rule expression ({@code expr:} of deploy/prometheus/seedim-alerts.yml), by alert name. */
  static Map<String, Set<String>> alertNames(String rulesYaml) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    String alert = null;
    List<String> lines = rulesYaml.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String t = line.strip();
      if (t.startsWith("- alert:") || t.startsWith("- record:")) {
        alert = t.substring(t.indexOf(':') + 1).strip();
      } else if (t.startsWith("expr:")) {
        String expr = t.substring(5).strip();
        if (expr.equals("|") || expr.equals(">") || expr.equals("|-") || expr.equals(">-")) {
          int indent = line.indexOf("expr:");
          StringBuilder b = new StringBuilder();
          while (i + 1 < lines.size() && (lines.get(i + 1).isBlank() || lines.get(i + 1).indexOf(lines.get(i + 1).strip()) > indent)) {
            b.append(lines.get(++i).strip()).append(' ');
          }
          expr = b.toString();
        }
        out.put("alert " + alert + ": " + expr, PromQlNames.of(expr));
      }
    }
    return out;
  }

  @Test
  @Order(1)
  @DisplayName("every metric name in every dashboard query and alert rule is in the node's /metrics scrape")
  void everyQueriedMetricIsExported() throws Exception {
    Set<String> exported = sampleNames(scrape);
    Path root = repoRoot();
    Map<String, Set<String>> used = new LinkedHashMap<>();
    used.putAll(dashboardNames(new JsonObject(Files.readString(root.resolve("deploy/grafana/seedim-dashboard.json")))));
    used.putAll(alertNames(Files.readString(root.resolve("deploy/prometheus/seedim-alerts.yml"))));
    assertThat(used).as("queries found").hasSizeGreaterThan(15);
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : used.entrySet()) {
      assertThat(e.getValue()).as("a metric in %s", e.getKey()).isNotEmpty();
      for (String name : e.getValue()) {
        if (!SYNTHETIC.contains(name) && !exported.contains(name)) {
          missing.add(name + " (" + e.getKey() + ")");
        }
      }
    }
    assertThat(missing).as("metric names not in the scrape").isEmpty();
  }

  @Test
  @Order(2)
  @DisplayName("latency timers publish bounded histogram buckets (1 ms .. 10 s, +Inf; queue wait 1 s .. 1 h)")
  void latencyHistograms() {
    for (String timer : List.of("im_handler_seconds", "im_gateway_push_ack_seconds", "vertx_sql_processing_time_seconds",
      "vertx_redis_processing_time_seconds")) {
      List<String> buckets = scrape.lines().filter(l -> l.startsWith(timer + "_bucket{")).toList();
      assertThat(buckets).as(timer).isNotEmpty();
      assertThat(buckets).as(timer).anyMatch(l -> l.contains("le=\"0.001\"")).anyMatch(l -> l.contains("le=\"10.0\""))
        .anyMatch(l -> l.contains("le=\"+Inf\""));
    }
    List<String> take = scrape.lines()
      .filter(l -> l.startsWith("im_handler_seconds_bucket{") && l.contains("handler=\"im.queue.take\"") && l.contains("outcome=\"ok\""))
      .toList();
    assertThat(take).as("take latency buckets").hasSize(14);
    List<String> wait = scrape.lines().filter(l -> l.startsWith("im_queue_wait_seconds_bucket{")).toList();
    assertThat(wait).as("queue wait buckets, 1 s .. 1 h").hasSize(12).anyMatch(l -> l.contains("le=\"1.0\""))
      .anyMatch(l -> l.contains("le=\"3600.0\""));
    assertThat(scrape).contains("im_node_ready 1.0");
  }

  @Test
  @Order(3)
  @DisplayName("IM_LOG_FORMAT=json: every stdout line is a JSON object with ISO timestamp, level, logger, thread, node, message; "
    + "connection lines carry app, user, device, connection")
  void jsonLogs() throws Exception {
    process.destroy(); // SIGTERM: the graceful shutdown logs too
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> lines = Files.readAllLines(stdout);
    assertThat(lines).hasSizeGreaterThan(5);
    List<JsonObject> events = new ArrayList<>();
    for (String line : lines) {
      JsonObject e;
      try {
        e = new JsonObject(line);
      } catch (RuntimeException ex) {
        throw new AssertionError("not a JSON line: " + line, ex);
      }
      assertThat(e.getString("timestamp")).as(line).matches(ISO);
      assertThat(e.getString("level")).as(line).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
      assertThat(e.getString("logger")).as(line).isNotBlank();
      assertThat(e.getString("thread")).as(line).isNotBlank();
      assertThat(e.getString("node")).as(line).isEqualTo(NODE);
      assertThat(e.getString("message")).as(line).isNotNull();
      events.add(e);
    }
    JsonObject connected = find(events, "connected " + TestServer.APP_ID + "/alice/web");
    assertThat(connected.getString("app")).isEqualTo(TestServer.APP_ID);
    assertThat(connected.getString("user")).isEqualTo("alice");
    assertThat(connected.getString("device")).isEqualTo("web");
    assertThat(connected.getString("connection")).isNotBlank();
    JsonObject replaced = find(events, "closing " + TestServer.APP_ID + "/alice/web");
    assertThat(replaced.getString("message")).contains("REPLACED");
    assertThat(replaced.getString("connection")).isEqualTo(connected.getString("connection"));
    JsonObject closed = find(events, "disconnected " + TestServer.APP_ID + "/bob/phone");
    assertThat(closed.getString("user")).isEqualTo("bob");
    assertThat(closed.getString("device")).isEqualTo("phone");
    assertThat(closed.getString("connection")).isNotBlank();
    assertThat(events).as("lines about no connection carry no connection fields")
      .anyMatch(e -> e.getString("message").contains("management endpoints") && !e.containsKey("user"));
  }

  private static JsonObject find(List<JsonObject> events, String messagePart) {
    return events.stream().filter(e -> e.getString("message").startsWith(messagePart)).findFirst()
      .orElseThrow(() -> new AssertionError("no line starts with '" + messagePart + "'"));
  }
}
