package com.seedim.im.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The config is checked against {@link ConfigKeys} before it is read: one line naming the key, the value and what is allowed. */
class ConfigValidatorTest {
  static final String GOOD_SECRET = ServerConfigTest.GOOD_SECRET;

  static JsonObject prod() {
    return ServerConfigTest.prod("1", GOOD_SECRET);
  }

  static JsonObject app(JsonObject c) {
    return c.getJsonArray("apps").getJsonObject(0);
  }

  /** The refusal of {@code config} (with {@code env}): a ConfigException, one line, naming {@code key}. */
  static String refusal(JsonObject config, Map<String, String> env, String key) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> ServerConfig.fromJson(config, env));
    assertThat(e).as("refused: %s %s", config.encode(), env).isNotNull();
    assertThat(e.getMessage()).doesNotContain("\n").startsWith(key);
    assertThat(e.key()).isEqualTo(key);
    return e.getMessage();
  }

  static String refusal(JsonObject config, String key) {
    return refusal(config, Map.of(), key);
  }

  @Test
  @DisplayName("a refusal never prints a secret or a password, and prints URIs without their user information")
  void refusalsHideSecrets() {
    JsonObject numericSecret = prod();
    app(numericSecret).put("secret", 12345678901234567L);
    assertThat(refusal(numericSecret, "apps[0].secret")).doesNotContain("12345678901234567").contains("(hidden)");
    assertThat(refusal(prod().put("mysql", new JsonObject().put("password", 42)), "mysql.password")).doesNotContain("42");
    String uri = refusal(prod().put("redis", new JsonObject().put("connectionString", "http://:s3cr3t-pw@cache:6379")),
      "redis.connectionString");
    assertThat(uri).doesNotContain("s3cr3t-pw").contains("http://***@cache:6379");
  }

  @Test
  @DisplayName("a misspelled key is refused with the nearest known key: did you mean ...?")
  void unknownKeyWithSuggestion() {
    assertThat(refusal(prod().put("prot", 8080), "prot")).isEqualTo("prot is not a config key: did you mean port?");
    assertThat(refusal(prod().put("managmentPort", 1), "managmentPort")).contains("did you mean managementPort?");
    assertThat(refusal(prod().put("MaxFrameBytes", 1), "MaxFrameBytes")).contains("did you mean maxFrameBytes?");
    assertThat(refusal(prod().put("mysql", new JsonObject().put("pasword", "x")), "mysql.pasword"))
      .isEqualTo("mysql.pasword is not a config key: did you mean mysql.password?");
    assertThat(refusal(prod().put("gateway", new JsonObject().put("trustedProxy", new JsonArray())), "gateway.trustedProxy"))
      .contains("did you mean gateway.trustedProxies?");
  }

  @Test
  @DisplayName("an unknown key inside an app (and inside a queue of an app) is refused with its full path")
  void nestedUnknownKeyInApp() {
    JsonObject c = prod();
    c.getJsonArray("apps").add(new JsonObject().put("appId", "2").put("secret", GOOD_SECRET + "2").put("maxDevice", 3));
    assertThat(refusal(c, "apps[1].maxDevice")).isEqualTo("apps[1].maxDevice is not a config key: did you mean apps[1].maxDevices?");
    JsonObject q = prod();
    app(q).put("queues", new JsonArray().add(new JsonObject().put("id", "vip").put("agent", new JsonArray())));
    assertThat(refusal(q, "apps[0].queues[0].agent")).contains("did you mean apps[0].queues[0].agents?");
  }

  @Test
  @DisplayName("the right key in the wrong object is pointed to its place; a key far from any is answered with the keys allowed there")
  void wrongPlaceAndNoSuggestion() {
    assertThat(refusal(prod().put("trustedProxies", new JsonArray()), "trustedProxies"))
      .contains("did you mean gateway.trustedProxies?");
    assertThat(refusal(prod().put("maxDevices", 2), "maxDevices")).contains("did you mean apps[].maxDevices?");
    JsonObject c = prod();
    app(c).put("port", 1);
    assertThat(refusal(c, "apps[0].port")).contains("did you mean port?");
    assertThat(refusal(prod().put("chat", new JsonObject().put("zzzzzzzzzz", 1)), "chat.zzzzzzzzzz"))
      .isEqualTo("chat.zzzzzzzzzz is not a config key; the keys of chat are instances, sweepPeriodMs, sweepMinAgeMs"
        + " (docs/configuration.md)");
  }

  @Test
  @DisplayName("a value of the wrong type is refused naming the key, the value, its type and what is allowed")
  void wrongType() {
    assertThat(refusal(prod().put("port", "8080"), "port"))
      .isEqualTo("port is \"8080\" (a string): it must be an integer in 0..65535 (or IM_PORT)");
    JsonObject c = prod();
    app(c).put("requireChatSign", "yes");
    assertThat(refusal(c, "apps[0].requireChatSign")).isEqualTo("apps[0].requireChatSign is \"yes\" (a string): it must be a boolean");
    assertThat(refusal(prod().put("mysql", "db"), "mysql")).contains("it must be an object");
    assertThat(refusal(prod().put("busTimeoutMs", 1.5), "busTimeoutMs")).contains("(a decimal number)").contains("an integer >= 1");
    assertThat(refusal(prod().put("gateway", new JsonObject().put("trustedProxies", "10.0.0.0/8")), "gateway.trustedProxies"))
      .contains("an array of strings");
    assertThat(refusal(prod().put("resendDelaysMs", new JsonArray().add(5000).add("15000")), "resendDelaysMs[1]"))
      .isEqualTo("resendDelaysMs[1] is \"15000\": resendDelaysMs must be an array of integers each >= 1");
    JsonObject s = prod();
    app(s).put("sensitiveWords", new JsonArray().add("scam").add(7));
    assertThat(refusal(s, "apps[0].sensitiveWords[1]")).contains("array of strings");
  }

  @Test
  @DisplayName("a value out of range is refused with the range")
  void outOfRange() {
    JsonObject c = prod();
    app(c).put("maxDevices", 0);
    assertThat(refusal(c, "apps[0].maxDevices")).isEqualTo("apps[0].maxDevices is 0: it must be an integer >= 1");
    assertThat(refusal(prod().put("port", 70000), "port")).isEqualTo("port is 70000: it must be an integer in 0..65535 (or IM_PORT)");
    assertThat(refusal(prod().put("nodeId", 64), "nodeId")).contains("0..63");
    assertThat(refusal(prod().put("gateway", new JsonObject().put("wsMessageFactor", 9)), "gateway.wsMessageFactor"))
      .contains("1..8");
    assertThat(refusal(prod().put("maxConnecting", 3_000_000_000L), "maxConnecting")).contains(">= 1");
    assertThat(refusal(prod().put("nodeLeaseMs", 100), "nodeLeaseMs")).contains(">= 300");
  }

  @Test
  @DisplayName("a value outside the allowed set (enum) is refused listing the allowed values")
  void badEnum() {
    JsonObject c = prod();
    app(c).put("sensitivePolicy", "block");
    assertThat(refusal(c, "apps[0].sensitivePolicy"))
      .isEqualTo("apps[0].sensitivePolicy is \"block\": it must be \"reject\" or \"mask\"");
    assertThat(refusal(prod().put("redis", new JsonObject().put("mode", "sentinel")), "redis.mode"))
      .isEqualTo("redis.mode is \"sentinel\": it must be \"standalone\" or \"cluster\" (or IM_REDIS_MODE)");
    JsonObject q = prod();
    app(q).put("queues", new JsonArray().add(new JsonObject().put("id", "vip").put("agents", "everyone")));
    assertThat(refusal(q, "apps[0].queues[0].agents")).contains("\"all\" or array of strings");
    JsonObject z = prod();
    app(z).put("timeZone", "Mars/Olympus");
    assertThat(refusal(z, "apps[0].timeZone")).contains("\"Mars/Olympus\"").contains("time-zone id");
    JsonObject r = prod();
    app(r).put("userIdPattern", "^[0-9");
    assertThat(refusal(r, "apps[0].userIdPattern")).contains("regular expression");
    assertThat(refusal(prod().put("publicWsUrl", "https://im.example.com/ws"), "publicWsUrl")).contains("ws:// or wss://");
    JsonObject until = prod();
    app(until).put("previousSecret", "Zq8w2Ex4Rc6Tv1By3Nu5Mi7Ol9Pk0JhQ2wE").put("previousSecretUntil", "next tuesday");
    assertThat(refusal(until, "apps[0].previousSecretUntil")).contains("ISO-8601 instant");
    JsonObject retention = prod();
    app(retention).put("serviceRecordRetentionDays", 36_501);
    assertThat(refusal(retention, "apps[0].serviceRecordRetentionDays")).contains("0..36500");
  }

  @Test
  @DisplayName("mode: production (or Prod, or none) stops the start with one line naming mode and its two values")
  void modeProduction() {
    assertThat(refusal(prod().put("mode", "production"), "mode"))
      .isEqualTo("mode is \"production\": it must be \"dev\" or \"prod\" (or IM_MODE)");
    assertThat(refusal(prod().put("mode", "Prod"), "mode")).contains("\"dev\" or \"prod\"");
    JsonObject none = prod();
    none.remove("mode");
    assertThat(refusal(none, "mode")).isEqualTo("mode is missing: it must be \"dev\" or \"prod\" (or IM_MODE)");
    JsonObject noApps = prod();
    noApps.remove("apps");
    assertThat(refusal(noApps, "apps")).contains("apps is missing");
  }

  @Test
  @DisplayName("a bad environment override is refused naming the variable (unparsable, out of range, not allowed)")
  void badEnvVar() {
    assertThat(refusal(prod(), Map.of("IM_PORT", "80a"), "IM_PORT"))
      .isEqualTo("IM_PORT is \"80a\": it must be an integer in 0..65535 (it sets port)");
    assertThat(refusal(prod(), Map.of("IM_MYSQL_PORT", "70000"), "mysql.port"))
      .isEqualTo("mysql.port is 70000 (from IM_MYSQL_PORT): it must be an integer in 1..65535");
    assertThat(refusal(prod(), Map.of("IM_MODE", "production"), "mode")).contains("(from IM_MODE)").contains("\"dev\" or \"prod\"");
    assertThat(refusal(prod(), Map.of("IM_CLUSTER_INSECURE", "yes"), "IM_CLUSTER_INSECURE"))
      .contains("a boolean").contains("cluster.insecure");
    assertThat(refusal(prod(), Map.of("IM_REDIS_ENDPOINTS", "redis://a:1,http://b:2"), "redis.endpoints"))
      .contains("(from IM_REDIS_ENDPOINTS)").contains("redis://");
    assertThat(refusal(prod(), Map.of("IM_NODE_ID", "99"), "nodeId")).contains("(from IM_NODE_ID)").contains("0..63");
    // good ones still apply, and an empty variable is ignored
    ServerConfig ok = ServerConfig.fromJson(prod(), Map.of("IM_PORT", "9001", "IM_CLUSTER_INSECURE", "TRUE", "IM_HOST", ""));
    assertThat(ok.port()).isEqualTo(9001);
    assertThat(ok.cluster().insecure()).isTrue();
    assertThat(ok.host()).isEqualTo("127.0.0.1");
  }

  @Test
  @DisplayName("null means \"not set\" only where the default is computed at start; elsewhere it is refused")
  void nulls() {
    ServerConfig c = ServerConfig.fromJson(prod().putNull("nodeId").putNull("publicWsUrl").putNull("gatewayInstances")
      .put("chat", new JsonObject().putNull("instances")).put("gateway", new JsonObject().putNull("httpIdleSeconds")), Map.of());
    assertThat(c.nodeId()).isNull();
    assertThat(c.gatewayInstances()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(c.raw().getJsonObject("chat").containsKey("instances")).isFalse();
    assertThat(refusal(prod().putNull("port"), "port")).isEqualTo("port is null: it must be an integer in 0..65535 (or IM_PORT)");
  }

  @Test
  @DisplayName("every shipped config (conf/*.json) and the print-defaults config use only known keys with valid values")
  void shippedConfigsUseKnownKeys() throws Exception {
    Path conf = ServerConfigTest.repoRoot().resolve("conf");
    List<Path> files;
    try (Stream<Path> l = Files.list(conf)) {
      files = l.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSizeGreaterThanOrEqualTo(3);
    for (Path f : files) {
      ConfigValidator.validate(new JsonObject(Files.readString(f, StandardCharsets.UTF_8)), Map.of());
    }
    ConfigValidator.validate(ConfigKeys.defaults(true, "1", "x"), Map.of());
    ConfigValidator.validate(ConfigKeys.defaults(false, "1", "x"), Map.of());
    assertThat(ServerConfig.fromJson(ConfigKeys.defaults(false, "1", GOOD_SECRET), Map.of()).dev()).isFalse();
  }

  @Test
  @DisplayName("every key of the registry is reachable: a config with all of them set is accepted")
  void registryConsistent() {
    for (ConfigKeys.Key k : ConfigKeys.all()) {
      assertThat(k.parent().isEmpty() || ConfigKeys.get(k.parent()) != null
        || ConfigKeys.get(k.parent().substring(0, k.parent().length() - 2)) != null).as(k.path()).isTrue();
      if (k.defaultValue() != null) {
        assertThat(k.required()).as(k.path()).isFalse();
      }
    }
    assertThat(ConfigValidator.distance("maxDevice", "maxDevices")).isEqualTo(1);
    assertThat(ConfigValidator.distance("", "abc")).isEqualTo(3);
  }
}
