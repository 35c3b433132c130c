package com.seedim.im.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Config checks of PROTOCOL.md §8 and the security audit (M1, M2, M3, L13). */
class ServerConfigTest {
  static final String GOOD_SECRET = "k7Qz1v9XcR4mWp2sLd8hNf3bTy6uGe0A";

  static JsonObject dev() {
    return new JsonObject().put("mode", "dev").put("apps", new JsonArray()
      .add(new JsonObject().put("appId", ServerConfig.DEV_APP_ID).put("secret", ServerConfig.DEV_SECRET)));
  }

  static JsonObject prod(String appId, String secret) {
    return new JsonObject().put("mode", "prod").put("apps", new JsonArray()
      .add(new JsonObject().put("appId", appId).put("secret", secret)));
  }

  @Test
  @DisplayName("secret rotation: previousSecret is accepted only with an ISO-8601 end, outside dev mode only when strong and unique")
  void secretRotation() {
    String old = "Zq8w2Ex4Rc6Tv1By3Nu5Mi7Ol9Pk0JhQ2wE";
    JsonObject rotating = prod("1", GOOD_SECRET);
    rotating.getJsonArray("apps").getJsonObject(0).put("previousSecret", old).put("previousSecretUntil", "2030-01-31T00:00:00Z");
    AppConfig app = ServerConfig.fromJson(rotating, Map.of()).apps().get("1");
    long end = java.time.Instant.parse("2030-01-31T00:00:00Z").toEpochMilli();
    assertThat(app.verifyingSecrets(end - 1)).containsExactly(GOOD_SECRET, old);
    assertThat(app.verifyingSecrets(end)).containsExactly(GOOD_SECRET);
    for (String weak : new String[] {"short", "replace-with-32-or-more-random-bytes-of-secret", GOOD_SECRET}) {
      JsonObject bad = prod("1", GOOD_SECRET);
      bad.getJsonArray("apps").getJsonObject(0).put("previousSecret", weak).put("previousSecretUntil", "2030-01-31T00:00:00Z");
      assertThatThrownBy(() -> ServerConfig.fromJson(bad, Map.of())).as(weak).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("previousSecret");
    }
    JsonObject noEnd = prod("1", GOOD_SECRET);
    noEnd.getJsonArray("apps").getJsonObject(0).put("previousSecret", old);
    assertThatThrownBy(() -> ServerConfig.fromJson(noEnd, Map.of())).hasMessageContaining("previousSecretUntil");
    JsonObject endOnly = prod("1", GOOD_SECRET);
    endOnly.getJsonArray("apps").getJsonObject(0).put("previousSecretUntil", "2030-01-31T00:00:00Z");
    assertThatThrownBy(() -> ServerConfig.fromJson(endOnly, Map.of())).hasMessageContaining("without previousSecret");
  }

  @Test
  @DisplayName("environment overrides apply even when the config has no section for them, and read once into the record")
  void envOverridesWithoutSections() {
    ServerConfig c = ServerConfig.fromJson(dev(), Map.of("IM_MYSQL_HOST", "db.internal", "IM_MYSQL_PORT", "3307",
      "IM_REDIS_URI", "redis://cache:6380", "IM_CLUSTER_PORT", "5800", "IM_PORT", "9000"));
    assertThat(c.mysql().host()).isEqualTo("db.internal");
    assertThat(c.mysql().port()).isEqualTo(3307);
    assertThat(c.redis().connectionString()).isEqualTo("redis://cache:6380");
    assertThat(c.cluster().port()).isEqualTo(5800);
    assertThat(c.port()).isEqualTo(9000);
    assertThat(c.mysql().queryTimeoutMs()).isEqualTo(3500);
    assertThat(c.redis().commandTimeoutMs()).isEqualTo(3000);
    assertThat(c.cluster().mergeDelaySeconds()).isEqualTo(5);
    assertThat(c.gatewayInstances()).as("one per core").isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(c.publicWsUrl()).isNull();
  }

  @Test
  @DisplayName("M3: an appId outside the id grammar or containing ':' is refused at config load")
  void appIdGrammar() {
    for (String bad : new String[] {"1:2", "a b", "x|y", "", "a".repeat(65), "é"}) {
      assertThatThrownBy(() -> ServerConfig.fromJson(prod(bad, GOOD_SECRET), Map.of())).as(bad)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("appId");
    }
    assertThat(ServerConfig.fromJson(prod("my-app_1.x@y", GOOD_SECRET), Map.of()).apps().get("my-app_1.x@y")).isNotNull();
  }

  @Test
  @DisplayName("L13: the dev bind check needs a loopback IP literal or localhost; hostnames that look like 127.x are refused")
  void loopbackBind() {
    for (String bad : new String[] {"127.example.com", "127.0.0.1.nip.io", "127.0.0.1x", "127.0.0.256", "localhost.evil.com",
      "0.0.0.0", "10.0.0.1", "::", "[::1", "", "LOCALHOST.", "1.2.3.4"}) {
      assertThat(ServerConfig.isLoopback(bad)).as(bad).isFalse();
      assertThatThrownBy(() -> ServerConfig.fromJson(dev().put("host", bad), Map.of())).as(bad)
        .hasMessageContaining("dev mode refuses to bind");
    }
    for (String ok : new String[] {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"}) {
      assertThat(ServerConfig.isLoopback(ok)).as(ok).isTrue();
      assertThat(ServerConfig.fromJson(dev().put("host", ok), Map.of()).host()).isEqualTo(ok);
    }
  }

  @Test
  @DisplayName("M1: mode must be exactly dev or prod, and present; anything else refuses to start with one clear message")
  void modeIsExplicit() {
    for (String bad : new String[] {"production", "Prod", "PROD", "Dev", "development", "", " prod", "prod "}) {
      assertThatThrownBy(() -> ServerConfig.fromJson(dev().put("mode", bad), Map.of())).as(bad)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mode").hasMessageContaining("\"dev\"").hasMessageContaining("\"prod\"")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
    assertThatThrownBy(() -> ServerConfig.fromJson(dev().put("mode", 1), Map.of())).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("mode");
    JsonObject noMode = dev();
    noMode.remove("mode");
    assertThatThrownBy(() -> ServerConfig.fromJson(noMode, Map.of())).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("mode");
    // IM_MODE overrides like any other key (and is checked the same way)
    assertThat(ServerConfig.fromJson(noMode, Map.of("IM_MODE", "dev")).dev()).isTrue();
    assertThatThrownBy(() -> ServerConfig.fromJson(dev(), Map.of("IM_MODE", "production"))).hasMessageContaining("mode");
    assertThat(ServerConfig.fromJson(dev(), Map.of()).dev()).isTrue();
    assertThat(ServerConfig.fromJson(prod("1", GOOD_SECRET), Map.of()).dev()).isFalse();
  }

  @Test
  @DisplayName("M2: known placeholder secrets and the MySQL password change-me are refused outside dev mode")
  void placeholdersRefused() {
    for (String s : new String[] {"replace-with-32-or-more-random-bytes-of-secret", "local-cluster-secret-not-for-production-0123456789",
      "change-me-change-me-change-me-change-me", "CHANGE-ME-0123456789-0123456789-0123456789", "changeme-0123456789-0123456789-xx",
      "replace-me-with-a-long-random-secret-value", "your-secret-here-0123456789-0123456789"}) {
      assertThatThrownBy(() -> ServerConfig.fromJson(prod("1", s), Map.of())).as(s)
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("placeholder");
      // dev mode keeps accepting anything (it is loopback-only and prints that it is not for production)
      assertThat(ServerConfig.fromJson(dev().put("apps", prod("1", s).getJsonArray("apps")), Map.of()).dev()).isTrue();
    }
    JsonObject mysql = prod("1", GOOD_SECRET).put("mysql", new JsonObject().put("password", "change-me"));
    assertThatThrownBy(() -> ServerConfig.fromJson(mysql, Map.of())).hasMessageContaining("mysql").hasMessageContaining("change-me");
    assertThat(ServerConfig.fromJson(mysql, Map.of("IM_MYSQL_PASSWORD", "s3cr3t-from-env")).mysql().password()).isEqualTo("s3cr3t-from-env");
    assertThat(ServerConfig.fromJson(prod("1", GOOD_SECRET), Map.of()).apps().get("1").secret()).isEqualTo(GOOD_SECRET);
  }

  @Test
  @DisplayName("M2: every secret shipped in conf/*.json is refused in prod mode (a new example file cannot ship a usable secret)")
  void shippedConfigSecretsRefused() throws IOException {
    Path conf = repoRoot().resolve("conf");
    List<Path> files;
    try (Stream<Path> l = Files.list(conf)) {
      files = l.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).extracting(f -> f.getFileName().toString()).contains("dev.json", "prod.example.json", "local-cluster.json");
    List<String> checked = new ArrayList<>();
    for (Path f : files) {
      JsonObject json = new JsonObject(Files.readString(f, StandardCharsets.UTF_8));
      assertThat(json.getString("mode")).as("%s carries mode explicitly", f).isIn("dev", "prod");
      for (Object o : json.getJsonArray("apps", new JsonArray())) {
        JsonObject app = ((JsonObject) o).copy();
        String secret = app.getString("secret");
        // the app as shipped, alone, in prod mode with a harmless rest of the config
        JsonObject prod = new JsonObject().put("mode", "prod").put("apps", new JsonArray().add(app));
        assertThatThrownBy(() -> ServerConfig.fromJson(prod, Map.of())).as("%s: app %s secret %s", f, app.getString("appId"), secret)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("secret");
        checked.add(f.getFileName() + ":" + secret);
      }
      if ("prod".equals(json.getString("mode"))) {
        assertThatThrownBy(() -> ServerConfig.fromJson(json, Map.of())).as("%s as shipped", f).isInstanceOf(IllegalArgumentException.class);
      }
    }
    assertThat(checked).hasSizeGreaterThanOrEqualTo(3);
  }

  /** The repository root (the directory with conf/ and the parent pom), from the module directory tests run in. */
  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !(Files.isDirectory(p.resolve("conf")) && Files.exists(p.resolve("pom.xml")))) {
      p = p.getParent();
    }
    assertThat(p).as("repository root with conf/").isNotNull();
    return p;
  }
}
