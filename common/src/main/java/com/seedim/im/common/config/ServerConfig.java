package com.seedim.im.common.config;

import com.seedim.im.common.store.Deadlines;
import io.netty.util.NetUtil;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Server-wide settings (PROTOCOL.md §8) read from the JSON config file, with environment overrides
 * for what differs per deployment (ports, hosts, MySQL, Redis, cluster). Defaults live here only.
 */
public record ServerConfig(
  boolean dev,
  String host,
  int port,
  String managementHost,
  int managementPort,
  int maxFrameBytes,
  int maxMessageChars,
  long busTimeoutMs,
  long shutdownDrainMs,
  int handshakesPerSecondPerAddress,
  int maxConnecting,
  int maxConnectWaiting,
  int maxUnackedPushes,
  List<Long> resendDelaysMs,
  Integer nodeId,
  MySqlConfig mysql,
  RedisConfig redis,
  ClusterConfig cluster,
  boolean allowUnsafeDev,
  AppRegistry apps,
  boolean devDurable,
  int gatewayInstances,
  String publicWsUrl,
  long nodeLeaseMs,
  JsonObject raw) {

  public static final String DEV_SECRET = "dev-secret";
  /** Lifetime of a node's id lease in Redis (renewed every third of it): a dead node's id is free again after it. */
  public static final long DEFAULT_NODE_LEASE_MS = 60_000;
  static final long MIN_NODE_LEASE_MS = 300;
  /**
   * Connect sequences (route registration, replay, rooms, queues) one gateway instance runs at once; further
   * accepted handshakes wait, paused, so that a reconnect storm queues at the door instead of timing out inside.
   */
  public static final int DEFAULT_MAX_CONNECTING = 512;
  /** Handshakes one gateway instance keeps waiting for a connect slot; beyond it they get 503 (retry later). */
  public static final int DEFAULT_MAX_CONNECT_WAITING = 20_000;
  public static final int MIN_SECRET_BYTES = 32;
  public static final String DEV_APP_ID = "1477358668";
  /**
   * Secrets that were ever shipped in {@code conf/*.json} or are obvious placeholders: refused outside dev mode
   * (compared ignoring case). A copied example config must not run with a secret printed in this repository.
   */
  public static final Set<String> PLACEHOLDER_SECRETS = Set.of(
    DEV_SECRET,
    "replace-with-32-or-more-random-bytes-of-secret",
    "local-cluster-secret-not-for-production-0123456789",
    "change-me", "changeme", "secret", "password");
  /** Substrings that mark a placeholder (compared ignoring case), for variants of the above. */
  public static final List<String> PLACEHOLDER_MARKERS = List.of(
    "change-me", "changeme", "change_me", "replace-with", "replace_with", "replace-me", "replace_me",
    "not-for-production", "your-secret", "placeholder");

  /** MySQL (MariaDB) connection settings. */
  public record MySqlConfig(String host, int port, String user, String password, String database, int poolSize,
                            long queryTimeoutMs) {
    static MySqlConfig fromJson(JsonObject j) {
      return new MySqlConfig(j.getString("host", "127.0.0.1"), j.getInteger("port", 3306), j.getString("user", "root"),
        j.getString("password", ""), j.getString("database", "test"), j.getInteger("poolSize", 8),
        j.getLong("queryTimeoutMs", Deadlines.MYSQL_QUERY_TIMEOUT_MS));
    }
  }

  /**
   * Redis connection settings; every key starts with {@code prefix}. Commands are pipelined over {@code connections}
   * long-lived connections; {@code poolSize} bounds the connections opened in all (those plus dedicated ones).
   */
  public record RedisConfig(String connectionString, String prefix, int poolSize, int connections, long commandTimeoutMs) {
    public static final int DEFAULT_CONNECTIONS = 4;

    static RedisConfig fromJson(JsonObject j) {
      return new RedisConfig(j.getString("connectionString", "redis://127.0.0.1:6379"), j.getString("prefix", "im:"),
        j.getInteger("poolSize", 16), j.getInteger("connections", DEFAULT_CONNECTIONS),
        j.getLong("commandTimeoutMs", Deadlines.REDIS_COMMAND_TIMEOUT_MS));
    }
  }

  /** The Hazelcast cluster name used when {@code clusterName} is not set: refused for a clustered production start. */
  public static final String DEFAULT_CLUSTER_NAME = "seedim";

  /**
   * Hazelcast cluster settings (TCP-IP join, multicast off) and the cluster's trust (audit H7): {@code name} (top-level
   * key {@code clusterName}), event-bus TLS with client certificates ({@code tls}, null when not configured) and
   * {@code insecure}, the explicit consent to run a production cluster without them.
   */
  public record ClusterConfig(boolean enabled, String host, int port, List<String> members, int eventBusPort,
                              String name, Tls tls, boolean insecure, int mergeDelaySeconds, int failureDetectionSeconds) {
    /** Seconds Hazelcast waits before merging split clusters back (its default is 300). */
    public static final int DEFAULT_MERGE_DELAY_SECONDS = 5;
    /** Seconds without heartbeats before Hazelcast declares a member dead (its default is 60). */
    public static final int DEFAULT_FAILURE_DETECTION_SECONDS = 8;

    /**
     * Mutual TLS on the event bus: this node's key and certificate chain ({@code keyStore}) and the private cluster CA
     * ({@code trustStore}), both PKCS12. Every bus connection must present a certificate the trust store accepts.
     */
    public record Tls(String keyStore, String keyStorePassword, String trustStore, String trustStorePassword) {
      static final List<String> KEYS = List.of("keyStore", "keyStorePassword", "trustStore", "trustStorePassword");

      static Tls fromJson(JsonObject t) {
        List<String> missing = new ArrayList<>();
        for (String k : KEYS) {
          if (!(t.getValue(k) instanceof String) || (k.endsWith("Store") && t.getString(k).isBlank())) {
            missing.add(k);
          }
        }
        if (!missing.isEmpty()) {
          throw new IllegalArgumentException("cluster.tls needs " + String.join(", ", KEYS) + " (strings; PKCS12 files"
            + " and their passwords, or IM_CLUSTER_TLS_KEYSTORE, _KEYSTORE_PASSWORD, _TRUSTSTORE, _TRUSTSTORE_PASSWORD);"
            + " missing or not a string: " + String.join(", ", missing));
        }
        return new Tls(t.getString("keyStore"), t.getString("keyStorePassword"), t.getString("trustStore"),
          t.getString("trustStorePassword"));
      }

      /** Passwords stay out of logs. */
      @Override
      public String toString() {
        return "Tls[keyStore=" + keyStore + ", trustStore=" + trustStore + "]";
      }
    }

    static ClusterConfig fromJson(JsonObject j, String name) {
      List<String> members = new ArrayList<>();
      JsonArray a = j.getJsonArray("members", new JsonArray());
      for (Object o : a) {
        members.add(String.valueOf(o));
      }
      JsonObject tls = j.getJsonObject("tls");
      return new ClusterConfig(j.getBoolean("enabled", false), j.getString("host", "127.0.0.1"),
        j.getInteger("port", 5701), List.copyOf(members), j.getInteger("eventBusPort", 0), name,
        tls == null ? null : Tls.fromJson(tls), j.getBoolean("insecure", false),
        j.getInteger("mergeDelaySeconds", DEFAULT_MERGE_DELAY_SECONDS),
        j.getInteger("failureDetectionSeconds", DEFAULT_FAILURE_DETECTION_SECONDS));
    }
  }

  /** Reads the config, applying {@code env} overrides (IM_PORT, IM_HOST, IM_MYSQL_*, IM_REDIS_URI, ...). */
  public static ServerConfig fromJson(JsonObject json, Map<String, String> env) {
    JsonObject j = json.copy();
    override(j, env, "IM_MODE", "mode");
    override(j, env, "IM_HOST", "host");
    overrideInt(j, env, "IM_PORT", "port");
    override(j, env, "IM_MANAGEMENT_HOST", "managementHost");
    overrideInt(j, env, "IM_MANAGEMENT_PORT", "managementPort");
    overrideInt(j, env, "IM_NODE_ID", "nodeId");
    JsonObject mysql = j.getJsonObject("mysql", new JsonObject());
    override(mysql, env, "IM_MYSQL_HOST", "host");
    overrideInt(mysql, env, "IM_MYSQL_PORT", "port");
    override(mysql, env, "IM_MYSQL_USER", "user");
    override(mysql, env, "IM_MYSQL_PASSWORD", "password");
    override(mysql, env, "IM_MYSQL_DATABASE", "database");
    JsonObject redis = j.getJsonObject("redis", new JsonObject());
    override(redis, env, "IM_REDIS_URI", "connectionString");
    override(redis, env, "IM_REDIS_PREFIX", "prefix");
    JsonObject cluster = j.getJsonObject("cluster", new JsonObject());
    override(cluster, env, "IM_CLUSTER_HOST", "host");
    overrideInt(cluster, env, "IM_CLUSTER_PORT", "port");
    if (env.get("IM_CLUSTER_MEMBERS") != null) {
      cluster.put("members", new JsonArray(List.of(env.get("IM_CLUSTER_MEMBERS").split(","))));
      cluster.put("enabled", true);
    }
    override(j, env, "IM_CLUSTER_NAME", "clusterName");
    if (env.get("IM_CLUSTER_INSECURE") != null && !env.get("IM_CLUSTER_INSECURE").isEmpty()) {
      cluster.put("insecure", Boolean.parseBoolean(env.get("IM_CLUSTER_INSECURE")));
    }
    for (String[] e : new String[][] {{"IM_CLUSTER_TLS_KEYSTORE", "keyStore"}, {"IM_CLUSTER_TLS_KEYSTORE_PASSWORD", "keyStorePassword"},
      {"IM_CLUSTER_TLS_TRUSTSTORE", "trustStore"}, {"IM_CLUSTER_TLS_TRUSTSTORE_PASSWORD", "trustStorePassword"}}) {
      if (env.get(e[0]) != null && !env.get(e[0]).isEmpty()) {
        JsonObject tls = cluster.getJsonObject("tls");
        if (tls == null) {
          cluster.put("tls", tls = new JsonObject());
        }
        tls.put(e[1], env.get(e[0]));
      }
    }

    boolean dev = devMode(j.getValue("mode"));
    List<AppConfig> apps = new ArrayList<>();
    for (Object o : j.getJsonArray("apps", new JsonArray())) {
      apps.add(AppConfig.fromJson((JsonObject) o, dev));
    }
    List<Long> resend = new ArrayList<>();
    for (Object o : j.getJsonArray("resendDelaysMs", new JsonArray().add(5000).add(15000).add(35000))) {
      resend.add(((Number) o).longValue());
    }
    ServerConfig c = new ServerConfig(
      dev,
      j.getString("host", "127.0.0.1"),
      j.getInteger("port", 8080),
      j.getString("managementHost", "127.0.0.1"),
      j.getInteger("managementPort", 9090),
      j.getInteger("maxFrameBytes", 131072),
      j.getInteger("maxMessageChars", 5000),
      j.getLong("busTimeoutMs", 5000L),
      j.getLong("shutdownDrainMs", 1000L),
      j.getInteger("handshakesPerSecondPerAddress", 2000),
      j.getInteger("maxConnecting", DEFAULT_MAX_CONNECTING),
      j.getInteger("maxConnectWaiting", DEFAULT_MAX_CONNECT_WAITING),
      j.getInteger("maxUnackedPushes", 256),
      List.copyOf(resend),
      j.getInteger("nodeId"),
      MySqlConfig.fromJson(mysql),
      RedisConfig.fromJson(redis),
      ClusterConfig.fromJson(cluster, j.getString("clusterName", DEFAULT_CLUSTER_NAME)),
      j.getBoolean("allowUnsafeDev", false),
      new AppRegistry(apps),
      j.getBoolean("devDurable", false),
      j.getInteger("gatewayInstances", 1),
      j.getString("publicWsUrl"),
      Math.max(MIN_NODE_LEASE_MS, j.getLong("nodeLeaseMs", DEFAULT_NODE_LEASE_MS)),
      j);
    c.validate();
    return c;
  }

  public static final String MODE_DEV = "dev";
  public static final String MODE_PROD = "prod";

  /**
   * {@code mode} must be present and exactly {@code "dev"} or {@code "prod"}: anything else ("production", "Prod",
   * a missing key) used to mean dev mode (memory stores, /dev/sign, any secret), failing open.
   */
  static boolean devMode(Object mode) {
    if (MODE_DEV.equals(mode)) {
      return true;
    }
    if (MODE_PROD.equals(mode)) {
      return false;
    }
    throw new IllegalArgumentException((mode == null ? "config key \"mode\" is missing"
      : "config key \"mode\" is " + (mode instanceof String ? "\"" + oneLine((String) mode) + "\"" : "not a string"))
      + ": it must be exactly \"dev\" or \"prod\" (or set IM_MODE)");
  }

  private static String oneLine(String s) {
    String t = s.replaceAll("\\p{Cntrl}", "?");
    return t.length() > 40 ? t.substring(0, 40) + "..." : t;
  }

  /** Refuses unsafe combinations (PROTOCOL.md §8). */
  public void validate() {
    if (apps.all().isEmpty()) {
      throw new IllegalArgumentException("no apps configured");
    }
    if (!dev) {
      for (AppConfig a : apps.all()) {
        if (DEV_SECRET.equals(a.secret()) || a.secret().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
          throw new IllegalArgumentException("app " + a.appId() + ": outside dev mode the secret must not be "
            + DEV_SECRET + " and must be at least " + MIN_SECRET_BYTES + " bytes");
        }
        if (isPlaceholder(a.secret())) {
          throw new IllegalArgumentException("app " + a.appId() + ": the secret is a known placeholder from an example "
            + "config; outside dev mode use a random one (e.g. openssl rand -hex 32)");
        }
      }
      if (isPlaceholder(mysql.password())) {
        throw new IllegalArgumentException("mysql.password is the placeholder '" + mysql.password()
          + "'; outside dev mode set the real one (or IM_MYSQL_PASSWORD)");
      }
      Set<String> secrets = new HashSet<>();
      for (AppConfig a : apps.all()) {
        if (!secrets.add(a.secret())) {
          throw new IllegalArgumentException("app " + a.appId() + ": secrets must be unique per app");
        }
      }
      validateClusterTrust();
    } else if (!allowUnsafeDev) {
      if (cluster.enabled()) {
        throw new IllegalArgumentException("dev mode refuses to run clustered (set allowUnsafeDev to force)");
      }
      if (!isLoopback(host)) {
        throw new IllegalArgumentException("dev mode refuses to bind " + host + " (set allowUnsafeDev to force)");
      }
    }
    if (cluster.enabled() && cluster.tls() != null) {
      for (String[] f : new String[][] {{"cluster.tls.keyStore", cluster.tls().keyStore()},
        {"cluster.tls.trustStore", cluster.tls().trustStore()}}) {
        if (!Files.isReadable(Path.of(f[1]))) {
          throw new IllegalArgumentException(f[0] + ": cannot read " + f[1]);
        }
      }
    }
  }

  /**
   * Audit H7: Hazelcast joins on the cluster name alone and the event bus trusts every {@code ctx} it carries, so a
   * clustered production node needs a non-default {@code clusterName} and event-bus TLS with client certificates
   * ({@code cluster.tls}), unless {@code cluster.insecure: true} says the network alone is trusted, on purpose.
   */
  private void validateClusterTrust() {
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
    if (DEFAULT_CLUSTER_NAME.equals(cluster.name())) {
      missing.add("a clusterName other than the default \"" + DEFAULT_CLUSTER_NAME + "\" (or IM_CLUSTER_NAME)");
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
  public static boolean isPlaceholder(String secret) {
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

  /**
   * True for {@code localhost} and for IP literals (IPv4, IPv6, bracketed IPv6) of a loopback address. Anything else
   * is false, without a DNS lookup: a hostname such as {@code 127.example.com} is not a loopback bind address
   * (the old {@code startsWith("127.")} accepted it).
   */
  public static boolean isLoopback(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    // parses literals only (null for anything else); never resolves a name
    byte[] addr = NetUtil.createByteArrayFromIpAddressString(host);
    if (addr == null) {
      return false;
    }
    try {
      return InetAddress.getByAddress(addr).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static void override(JsonObject j, Map<String, String> env, String var, String key) {
    String v = env.get(var);
    if (v != null && !v.isEmpty()) {
      j.put(key, v);
    }
  }

  private static void overrideInt(JsonObject j, Map<String, String> env, String var, String key) {
    String v = env.get(var);
    if (v != null && !v.isEmpty()) {
      j.put(key, Integer.parseInt(v));
    }
  }
}
