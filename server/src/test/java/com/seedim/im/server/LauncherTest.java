package com.seedim.im.server;

import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.testkit.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The launcher as the README's start command runs it: the built-in dev config, every verticle in one JVM. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherTest {
  static JsonObject builtinDevConfig() throws Exception {
    try (InputStream in = Main.class.getClassLoader().getResourceAsStream(Main.BUILTIN_CONFIG)) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  static String get(String url) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).build(),
      HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  @DisplayName("dev mode: demo page, /dev/sign, a signed socket gets 21 for 20, 30 and 140 for a chat, garbage gets 10")
  void devModeFrontDoor(Vertx client) throws Exception {
    JsonObject json = builtinDevConfig().put("port", 0).put("managementPort", 0);
    ServerConfig cfg = ServerConfig.fromJson(json, Map.of());
    assertThat(cfg.dev()).isTrue();
    ImNode node = ImNode.start(cfg, Role.parse(Set.of("all"))).await();
    try {
      int port = node.gateway().actualPort();
      String base = "http://127.0.0.1:" + port;
      assertThat(get(base + "/")).contains("<html");
      var ws = client.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(10));
      String aliceUrl = new JsonObject(get(base + "/dev/sign?userId=alice&deviceId=web")).getString("url");
      String bobUrl = new JsonObject(get(base + "/dev/sign?userId=bob")).getString("url");
      TestClient alice = TestClient.connect(ws, port, aliceUrl.substring(aliceUrl.indexOf("/ws")), "alice", "web", null).await();
      TestClient bob = TestClient.connect(ws, port, bobUrl.substring(bobUrl.indexOf("/ws")), "bob", "default", null).await();
      alice.send(new JsonObject().put("msgType", 20).put("unique", "hb"));
      assertThat(alice.awaitType(21).getString("unique")).isEqualTo("hb");
      JsonObject sign = new JsonObject(get(base + "/dev/chat-sign?userId=alice&receiveUserId=bob"));
      JsonObject ack = alice.request(new JsonObject().put("msgType", 130).put("receiveUserId", "bob").put("message", "hello")
        .put("receiveSign", sign.getString("receiveSign")).put("timestamp", sign.getLong("timestamp")));
      assertThat(ack.getInteger("msgType")).isEqualTo(30);
      assertThat(bob.awaitType(140).getString("message")).isEqualTo("hello");
      alice.sendText("garbage");
      assertThat(alice.awaitType(10).getString("code")).isEqualTo("INVALID_JSON");
      String ready = get("http://127.0.0.1:" + node.managementPort() + "/ready");
      assertThat(ready).contains("READY");
    } finally {
      node.stop().await();
    }
  }

  @Test
  @DisplayName("unsafe configurations are refused: dev clustered or on a public address, weak or shared secrets in production")
  void refusesUnsafeConfigs() throws Exception {
    JsonObject dev = builtinDevConfig();
    assertThatThrownBy(() -> ServerConfig.fromJson(dev.copy().put("host", "0.0.0.0"), Map.of()))
      .hasMessageContaining("dev mode refuses to bind");
    assertThatThrownBy(() -> ServerConfig.fromJson(dev.copy(), Map.of("IM_CLUSTER_MEMBERS", "127.0.0.1:5701")))
      .hasMessageContaining("clustered");
    JsonObject prod = dev.copy().put("mode", "prod");
    assertThatThrownBy(() -> ServerConfig.fromJson(prod, Map.of())).hasMessageContaining("dev-secret");
    JsonObject shortSecret = prod.copy().put("apps", new JsonArray().add(new JsonObject().put("appId", "1").put("secret", "short")));
    assertThatThrownBy(() -> ServerConfig.fromJson(shortSecret, Map.of())).hasMessageContaining("32 bytes");
    String s = "x".repeat(40);
    JsonObject shared = prod.copy().put("apps", new JsonArray().add(new JsonObject().put("appId", "1").put("secret", s))
      .add(new JsonObject().put("appId", "2").put("secret", s)));
    assertThatThrownBy(() -> ServerConfig.fromJson(shared, Map.of())).hasMessageContaining("unique");
    assertThat(ServerConfig.fromJson(dev.copy().put("host", "0.0.0.0").put("allowUnsafeDev", true), Map.of()).host()).isEqualTo("0.0.0.0");
  }

  @Test
  @DisplayName("production mode refuses to start without its stores")
  void prodNeedsStores() throws Exception {
    JsonObject prod = builtinDevConfig().put("mode", "prod").put("port", 0).put("managementPort", 0)
      .put("apps", new JsonArray().add(new JsonObject().put("appId", "1").put("secret", "y".repeat(40))))
      .put("redis", new JsonObject().put("connectionString", "redis://127.0.0.1:1"));
    ServerConfig cfg = ServerConfig.fromJson(prod, Map.of());
    assertThatThrownBy(() -> ImNode.start(cfg, Role.parse(Set.of("all"))).await()).isNotNull();
  }

  /** A launcher process: {@code java -cp <test classpath> Main args}, stdout and stderr kept apart. */
  record Launch(Process process, Path out, Path err) {
    static Launch start(Path dir, String... args) throws Exception {
      return start(dir, Map.of(), args);
    }

    static Launch start(Path dir, Map<String, String> env, String... args) throws Exception {
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "com.seedim.im.server.Main"));
      cmd.addAll(List.of(args));
      Path out = Files.createTempFile(dir, "out", ".log");
      Path err = Files.createTempFile(dir, "err", ".log");
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      return new Launch(p, out, err);
    }

    String stdout() throws Exception {
      return Files.readString(out);
    }

    String stderr() throws Exception {
      return Files.readString(err);
    }

    void kill() throws Exception {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static Path write(Path dir, JsonObject json) throws Exception {
    Path f = Files.createTempFile(dir, "cfg", ".json");
    Files.writeString(f, json.encodePrettily());
    return f;
  }

  @Test
  @DisplayName("M1: a mode other than exactly dev or prod, or none in an explicit --config, refuses to start: "
    + "one line on stderr naming the key and its values, no stack trace, non-zero exit")
  void refusesBadMode(@TempDir Path dir) throws Exception {
    JsonObject base = builtinDevConfig().put("port", 0).put("managementPort", 0);
    JsonObject noMode = base.copy();
    noMode.remove("mode");
    for (JsonObject cfg : List.of(base.copy().put("mode", "production"), base.copy().put("mode", "Prod"), noMode)) {
      Launch l = Launch.start(dir, "--config", write(dir, cfg).toString());
      try {
        assertThat(l.process().waitFor(30, TimeUnit.SECONDS)).as("refused at once, not started (mode %s): %s",
          cfg.getValue("mode"), l.stdout()).isTrue();
        assertThat(l.process().exitValue()).isNotZero();
        String err = l.stderr().strip();
        assertThat(err.lines().count()).as("stderr: %s", err).isEqualTo(1);
        assertThat(err).contains("mode").contains("\"dev\"").contains("\"prod\"");
        assertThat(l.stdout() + err).doesNotContain("Exception").doesNotContain("\tat ");
      } finally {
        l.kill();
      }
    }
  }

  @Test
  @DisplayName("M1: the built-in dev config and conf/dev.json say mode dev explicitly")
  void devConfigsCarryMode() throws Exception {
    assertThat(builtinDevConfig().getString("mode")).isEqualTo("dev");
    Path root = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(root.resolve("conf"))) {
      root = root.getParent();
    }
    assertThat(new JsonObject(Files.readString(root.resolve("conf/dev.json"))).getString("mode")).isEqualTo("dev");
  }

  @Test
  @DisplayName("M1: the dev banner prints an app's secret only when it is the public dev-secret, else (secret hidden)")
  void devBannerHidesRealSecrets(@TempDir Path dir) throws Exception {
    String secret = "a-real-looking-secret-" + UUID.randomUUID();
    JsonObject cfg = builtinDevConfig().put("port", 0).put("managementPort", 0);
    cfg.getJsonArray("apps").add(new JsonObject().put("appId", "2000000002").put("secret", secret));
    Launch l = Launch.start(dir, "--config", write(dir, cfg).toString(), "--roles", "gateway");
    try {
      long deadline = System.currentTimeMillis() + 40_000;
      while (!l.stdout().contains("WebSocket:") && l.process().isAlive() && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      String out = l.stdout();
      assertThat(out).as("started").contains("WebSocket:");
      assertThat(out).contains("DEV MODE").doesNotContain(secret);
      assertThat(out).contains("app 2000000002").contains("(secret hidden)");
      assertThat(out).contains("'" + ServerConfig.DEV_SECRET + "'");
    } finally {
      l.kill();
    }
  }

  /** What {@link Main#commandLine(Map)} printed and returned for {@code args}, run in this JVM. */
  record Run(int code, String out, String err) {
    static Run of(Map<String, String> env, String... args) {
      java.io.StringWriter out = new java.io.StringWriter();
      java.io.StringWriter err = new java.io.StringWriter();
      picocli.CommandLine cl = Main.commandLine(env);
      cl.setOut(new java.io.PrintWriter(out, true));
      cl.setErr(new java.io.PrintWriter(err, true));
      int code = cl.execute(args);
      return new Run(code, out.toString(), err.toString());
    }

    /** A refusal: exit 78, one line on stderr containing every {@code parts}, no stack trace. */
    Run refused(String... parts) {
      assertThat(code).as("exit code; stderr: %s", err).isEqualTo(Main.EXIT_CONFIG);
      String e = err.strip();
      assertThat(e.lines().count()).as("one line on stderr: %s", e).isEqualTo(1);
      assertThat(e).contains(parts);
      assertThat(out + err).doesNotContain("Exception").doesNotContain("\tat ");
      return this;
    }
  }

  static Path repoRoot() {
    Path root = Path.of("").toAbsolutePath();
    while (!Files.isDirectory(root.resolve("conf"))) {
      root = root.getParent();
    }
    return root;
  }

  @Test
  @DisplayName("a misspelled key, a misspelled key in an app, a bad value: the start is refused with one line naming "
    + "the file, the key and what is allowed (did you mean ...?), exit 78, no stack trace")
  void startRefusesUnknownKeysAndBadValues(@TempDir Path dir) throws Exception {
    JsonObject base = builtinDevConfig().put("port", 0).put("managementPort", 0);
    Path typo = write(dir, base.copy().put("prot", 8080));
    Run.of(Map.of(), "--config", typo.toString()).refused("seedim: refusing to start: config " + typo + ": ",
      "prot is not a config key: did you mean port?");
    JsonObject inApp = base.copy();
    inApp.getJsonArray("apps").getJsonObject(0).put("maxDevice", 3);
    Path appTypo = write(dir, inApp);
    Run.of(Map.of(), "--config", appTypo.toString()).refused(appTypo.toString(), "apps[0].maxDevice", "did you mean apps[0].maxDevices?");
    JsonObject range = base.copy();
    range.getJsonArray("apps").getJsonObject(0).put("maxDevices", 0);
    Run.of(Map.of(), "--config", write(dir, range).toString()).refused("apps[0].maxDevices is 0: it must be an integer >= 1");
    Path proxies = write(dir, base.copy().put("gateway", new JsonObject().put("trustedProxies", new JsonArray().add("10.0.0.0/33"))));
    Run.of(Map.of(), "--config", proxies.toString()).refused(proxies.toString(), "10.0.0.0/33");
    Path notJson = Files.writeString(dir.resolve("broken.json"), "{\"mode\": \"dev\",\n");
    Run.of(Map.of(), "--config", notJson.toString()).refused("broken.json", "not a JSON object");
    Run.of(Map.of(), "--config", dir.resolve("missing.json").toString()).refused("no such file", "missing.json");
  }

  @Test
  @DisplayName("mode: production stops the start with one line (in this JVM and as a process)")
  void modeProductionRefused(@TempDir Path dir) throws Exception {
    Path f = write(dir, builtinDevConfig().put("mode", "production"));
    Run.of(Map.of(), "--config", f.toString()).refused(f.toString(), "mode is \"production\": it must be \"dev\" or \"prod\"");
    Launch l = Launch.start(dir, "check-config", "--config", f.toString());
    try {
      assertThat(l.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(l.process().exitValue()).isEqualTo(Main.EXIT_CONFIG);
      assertThat(l.stderr().strip()).contains("mode is \"production\"").satisfies(e -> assertThat(e.lines().count()).isEqualTo(1));
    } finally {
      l.kill();
    }
  }

  @Test
  @DisplayName("a bad environment override is refused naming the variable; without --config the source is the built-in dev config")
  void badEnvOverride() {
    Run.of(Map.of("IM_PORT", "80a"), "check-config").refused("config built-in dev config: ",
      "IM_PORT is \"80a\": it must be an integer in 0..65535 (it sets port)");
    Run.of(Map.of("IM_MODE", "production")).refused("refusing to start: config built-in dev config: ", "(from IM_MODE)");
  }

  @Test
  @DisplayName("check-config: OK (exit 0) for conf/dev.json and the built-in config; conf/prod.example.json refused for its placeholders")
  void checkConfig(@TempDir Path dir) throws Exception {
    Path root = repoRoot();
    Run ok = Run.of(Map.of(), "check-config", "--config", root.resolve("conf/dev.json").toString());
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).startsWith("OK: config ").contains("conf/dev.json").contains("mode dev").contains("1 app");
    assertThat(ok.err()).isEmpty();
    Run builtin = Run.of(Map.of(), "check-config");
    assertThat(builtin.code()).isZero();
    assertThat(builtin.out()).contains("built-in dev config");
    // --config before the subcommand is used too
    assertThat(Run.of(Map.of(), "--config", root.resolve("conf/dev.json").toString(), "check-config").out()).contains("conf/dev.json");
    Run.of(Map.of(), "check-config", "--config", root.resolve("conf/prod.example.json").toString())
      .refused("config refused", "prod.example.json", "placeholder");
    Run.of(Map.of(), "check-config", "--config", root.resolve("conf/local-cluster.json").toString())
      .refused("local-cluster.json", "placeholder");
    JsonObject bad = builtinDevConfig();
    bad.getJsonArray("apps").getJsonObject(0).put("sensitivePolicy", "block");
    Run.of(Map.of(), "check-config", "--config", write(dir, bad).toString())
      .refused("apps[0].sensitivePolicy is \"block\": it must be \"reject\" or \"mask\"");
  }

  @Test
  @DisplayName("print-defaults: every key; passes check-config in prod once the placeholder secret is replaced (refused before); "
    + "the config-doc command prints docs/configuration.md")
  void printDefaults(@TempDir Path dir) throws Exception {
    Run dev = Run.of(Map.of(), "print-defaults");
    assertThat(dev.code()).isZero();
    JsonObject d = new JsonObject(dev.out());
    assertThat(d.getString("mode")).isEqualTo("dev");
    assertThat(d.getJsonObject("gateway").containsKey("trustedProxies")).isTrue();
    assertThat(d.getJsonObject("cluster").containsKey("tls")).isTrue();
    JsonObject app = d.getJsonArray("apps").getJsonObject(0);
    assertThat(app.getString("secret")).isEqualTo(PrintDefaults.PLACEHOLDER_SECRET);
    assertThat(app.getBoolean("dynamicQueues")).isTrue();
    for (var k : com.seedim.im.common.config.ConfigKeys.all()) {
      if (k.parent().isEmpty() || k.parent().equals("apps[]")) {
        assertThat(k.parent().isEmpty() ? d.containsKey(k.name()) : app.containsKey(k.name())).as(k.path()).isTrue();
      }
    }
    JsonObject prod = new JsonObject(Run.of(Map.of(), "print-defaults", "--mode", "prod").out());
    assertThat(prod.getString("mode")).isEqualTo("prod");
    assertThat(prod.getJsonArray("apps").getJsonObject(0).getBoolean("dynamicQueues")).isFalse();
    Path placeholder = write(dir, prod);
    Run.of(Map.of(), "check-config", "--config", placeholder.toString()).refused("apps", "placeholder");
    prod.getJsonArray("apps").getJsonObject(0).put("secret", "k7Qz1v9XcR4mWp2sLd8hNf3bTy6uGe0A-" + UUID.randomUUID());
    Run ok = Run.of(Map.of(), "check-config", "--config", write(dir, prod).toString());
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("OK").contains("mode prod");
    JsonObject devToProd = d.copy().put("mode", "prod");
    devToProd.getJsonArray("apps").getJsonObject(0).put("secret", "k7Qz1v9XcR4mWp2sLd8hNf3bTy6uGe0A-" + UUID.randomUUID());
    assertThat(Run.of(Map.of(), "check-config", "--config", write(dir, devToProd).toString()).code()).isZero();
    assertThat(Run.of(Map.of(), "print-defaults", "--mode", "production").code()).isNotZero();
    Run doc = Run.of(Map.of(), "print-config-doc");
    assertThat(doc.out()).isEqualTo(Files.readString(repoRoot().resolve("docs/configuration.md")));
  }

  @Test
  @DisplayName("print-defaults output starts a dev node as is (ports from IM_PORT / IM_MANAGEMENT_PORT)")
  void printDefaultsStartsInDev(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("defaults.json"), Run.of(Map.of(), "print-defaults").out());
    Launch l = Launch.start(dir, Map.of("IM_PORT", "0", "IM_MANAGEMENT_PORT", "0"), "--config", f.toString(), "--roles", "all");
    try {
      long deadline = System.currentTimeMillis() + 45_000;
      while (!l.stdout().contains("WebSocket:") && l.process().isAlive() && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(l.stdout()).as("started; stderr: %s", l.stderr()).contains("WebSocket:").contains("DEV MODE")
        .doesNotContain(PrintDefaults.PLACEHOLDER_SECRET);
    } finally {
      l.kill();
    }
  }

  @Test
  @DisplayName("migrate and purge are subcommands of seedim; a refused config is one line naming the command, exit 78")
  void migrateAndPurgeWired(@TempDir Path dir) throws Exception {
    JsonObject prod = new JsonObject().put("mode", "prod").put("apps", new JsonArray().add(new JsonObject().put("appId", "p1")
      .put("secret", "k7Qz1v9XcR4mWp2sLd8hNf3bTy6uGe0A").put("messageRetentionDays", -1)));
    Run.of(Map.of(), "purge", "--config", write(dir, prod).toString())
      .refused("seedim purge: refused: ", "apps[0].messageRetentionDays is -1: it must be an integer in 0..36500");
    Run.of(Map.of(), "migrate", "--config", write(dir, builtinDevConfig()).toString())
      .refused("seedim migrate: refused: ", "migrate works on a production config");
  }
}
