package com.seedim.im.common.config;

import com.seedim.im.common.events.WebhookPoster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** What a config must satisfy before a node starts: secrets, dev-mode binding, cluster trust (PROTOCOL.md §8, audit H7). */
final class ConfigRules {
  /**
   * Secrets that were ever shipped in {@code conf/*.json} or are obvious placeholders: refused outside dev mode
   * (compared ignoring case). A copied example config must not run with a secret printed in this repository.
   */
  static final Set<String> PLACEHOLDER_SECRETS = Set.of(
    ServerConfig.DEV_SECRET,
    "replace-with-32-or-more-random-bytes-of-secret",
    "local-cluster-secret-not-for-production-0123456789",
    "change-me", "changeme", "secret", "password");
  /** Substrings that mark a placeholder (compared ignoring case), for variants of the above. */
  static final List<String> PLACEHOLDER_MARKERS = List.of(
    "change-me", "changeme", "change_me", "replace-with", "replace_with", "replace-me", "replace_me",
    "not-for-production", "your-secret", "placeholder");

  private ConfigRules() {
  }

  /** Refuses unsafe combinations (PROTOCOL.md §8). */
  static void validate(ServerConfig c) {
    if (c.apps().all().isEmpty()) {
      throw new IllegalArgumentException("apps is empty: configure at least one app (appId, secret)");
    }
    validateRedis(c.redis());
    String turn = TurnConfig.of(c).problem(c.dev());
    if (turn != null) {
      throw new IllegalArgumentException(turn);
    }
    String desk = DeskConfig.of(c).problem(c.dev());
    if (desk != null) {
      throw new IllegalArgumentException(desk);
    }
    for (AppConfig a : c.apps().all()) {
      var hook = a.webhooks().beforeMessage();
      // the 130 waits for the hook, then for the store: both must fit in the bus timeout, or a client that gave up
      // may send again a message that was stored
      long budget = hook == null ? 0 : hook.timeoutMs() + WebhookPoster.DEADLINE_SLACK_MS + c.mysql().queryTimeoutMs();
      if (hook != null && budget >= c.busTimeoutMs()) {
        throw new IllegalArgumentException(secretKey(c, a).replace(".secret", ".webhooks.beforeMessage.timeoutMs") + ": "
          + hook.timeoutMs() + " ms plus the store's mysql.queryTimeoutMs (" + c.mysql().queryTimeoutMs()
          + " ms) must stay under busTimeoutMs (" + c.busTimeoutMs() + " ms)");
      }
    }
    if (!c.dev()) {
      for (AppConfig a : c.apps().all()) {
        if (ServerConfig.DEV_SECRET.equals(a.secret())
          || a.secret().getBytes(StandardCharsets.UTF_8).length < ServerConfig.MIN_SECRET_BYTES) {
          throw new IllegalArgumentException(secretKey(c, a) + ": outside dev mode the secret must not be "
            + ServerConfig.DEV_SECRET + " and must be at least " + ServerConfig.MIN_SECRET_BYTES + " bytes");
        }
        if (isPlaceholder(a.secret())) {
          throw new IllegalArgumentException(secretKey(c, a) + ": the secret is a known placeholder from an example "
            + "config; outside dev mode use a random one (e.g. openssl rand -hex 32)");
        }
        if (a.previousSecret() != null && (isPlaceholder(a.previousSecret())
          || a.previousSecret().getBytes(StandardCharsets.UTF_8).length < ServerConfig.MIN_SECRET_BYTES)) {
          throw new IllegalArgumentException(secretKey(c, a).replace(".secret", ".previousSecret")
            + ": previousSecret is a placeholder or shorter than "
            + ServerConfig.MIN_SECRET_BYTES + " bytes");
        }
      }
      if (isPlaceholder(c.mysql().password())) {
        throw new IllegalArgumentException("mysql.password is the placeholder '" + c.mysql().password()
          + "'; outside dev mode set the real one (or IM_MYSQL_PASSWORD)");
      }
      Set<String> secrets = new HashSet<>();
      for (AppConfig a : c.apps().all()) {
        if (!secrets.add(a.secret())) {
          throw new IllegalArgumentException(secretKey(c, a) + ": secrets must be unique per app");
        }
        if (a.previousSecret() != null && !secrets.add(a.previousSecret())) {
          throw new IllegalArgumentException(secretKey(c, a).replace(".secret", ".previousSecret")
            + ": secrets must be unique per app (a previous secret too)");
        }
      }
      validateClusterTrust(c.cluster());
    } else if (!c.allowUnsafeDev()) {
      if (c.cluster().enabled()) {
        throw new IllegalArgumentException("dev mode refuses to run clustered (set allowUnsafeDev to force)");
      }
      if (!ServerConfig.isLoopback(c.host())) {
        throw new IllegalArgumentException("dev mode refuses to bind " + c.host() + " (set allowUnsafeDev to force)");
      }
    }
    if (c.cluster().enabled() && c.cluster().tls() != null) {
      for (String[] f : new String[][] {{"cluster.tls.keyStore", c.cluster().tls().keyStore()},
        {"cluster.tls.trustStore", c.cluster().tls().trustStore()}}) {
        if (!Files.isReadable(Path.of(f[1]))) {
          throw new IllegalArgumentException(f[0] + ": cannot read " + f[1]);
        }
      }
    }
  }

  /** {@code apps[i].secret (app <appId>)}: the key of an app's secret, as the config file has it. */
  private static String secretKey(ServerConfig c, AppConfig a) {
    io.vertx.core.json.JsonArray apps = c.raw() == null ? null : c.raw().getJsonArray("apps");
    if (apps != null) {
      for (int i = 0; i < apps.size(); i++) {
        if (apps.getValue(i) instanceof io.vertx.core.json.JsonObject o && a.appId().equals(o.getValue("appId"))) {
          return "apps[" + i + "].secret (app " + a.appId() + ")";
        }
      }
    }
    return "app " + a.appId() + " secret";
  }

  /**
   * {@code redis.mode} is one of {@link ServerConfig.RedisConfig#MODES}; the prefix has no brace (it would become every
   * key's hash tag); every endpoint is a redis:// or rediss:// URI.
   */
  private static void validateRedis(ServerConfig.RedisConfig r) {
    if (!ServerConfig.RedisConfig.MODES.contains(r.mode())) {
      throw new IllegalArgumentException("redis.mode is \"" + oneLine(r.mode()) + "\": it must be \""
        + String.join("\" or \"", ServerConfig.RedisConfig.MODES) + "\" (or IM_REDIS_MODE)");
    }
    if (r.prefix().indexOf('{') >= 0 || r.prefix().indexOf('}') >= 0) {
      throw new IllegalArgumentException("redis.prefix \"" + oneLine(r.prefix()) + "\" contains a brace: keys carry hash"
        + " tags in braces (docs/operations.md \"Redis Cluster\") and a brace in the prefix would put every key in one slot");
    }
    if (r.endpoints().isEmpty()) {
      throw new IllegalArgumentException("redis.endpoints is empty: list the seed nodes (redis://host:port), or leave it out"
        + " to use redis.connectionString");
    }
    for (String e : r.endpoints()) {
      if (!e.startsWith("redis://") && !e.startsWith("rediss://")) {
        throw new IllegalArgumentException("redis.endpoints: \"" + oneLine(e) + "\" is not a redis:// or rediss:// URI");
      }
    }
  }

  private static String oneLine(String s) {
    String t = s.replaceAll("\\p{Cntrl}", "?");
    return t.length() > 60 ? t.substring(0, 60) + "..." : t;
  }

  /**
   * Audit H7: Hazelcast joins on the cluster name alone and the event bus trusts every {@code ctx} it carries, so a
   * clustered production node needs a non-default {@code clusterName} and event-bus TLS with client certificates
   * ({@code cluster.tls}), unless {@code cluster.insecure: true} says the network alone is trusted, on purpose.
   */
  private static void validateClusterTrust(ServerConfig.ClusterConfig cluster) {
    if (!cluster.enabled()) {
      return;
    }
    if (cluster.name() == null || cluster.name().isBlank()) {
      throw new IllegalArgumentException("clusterName is empty: set a name of this deployment's own (or IM_CLUSTER_NAME)");
    }
    if (cluster.insecure()) {
      return;
    }
    List<String> missing = new ArrayList<>();
    if (ServerConfig.DEFAULT_CLUSTER_NAME.equals(cluster.name())) {
      missing.add("a clusterName other than the default \"" + ServerConfig.DEFAULT_CLUSTER_NAME + "\" (or IM_CLUSTER_NAME)");
    }
    if (cluster.tls() == null) {
      missing.add("event-bus TLS: cluster.tls {keyStore, keyStorePassword, trustStore, trustStorePassword} (PKCS12;"
        + " or IM_CLUSTER_TLS_KEYSTORE, _KEYSTORE_PASSWORD, _TRUSTSTORE, _TRUSTSTORE_PASSWORD; scripts/cluster-certs.sh"
        + " makes them)");
    }
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("a clustered production node needs " + String.join(" and ", missing)
        + "; without them any host that reaches the Hazelcast and event-bus ports can send as any user."
        + " Set cluster.insecure: true (or IM_CLUSTER_INSECURE=true) only if the network alone is trusted, on purpose");
    }
  }

  /** True for a known placeholder secret or password ({@link #PLACEHOLDER_SECRETS}, {@link #PLACEHOLDER_MARKERS}). */
  static boolean isPlaceholder(String secret) {
    if (secret == null || secret.isEmpty()) {
      return false;
    }
    String s = secret.toLowerCase(Locale.ROOT);
    if (PLACEHOLDER_SECRETS.contains(s)) {
      return true;
    }
    for (String m : PLACEHOLDER_MARKERS) {
      if (s.contains(m)) {
        return true;
      }
    }
    return false;
  }
}
