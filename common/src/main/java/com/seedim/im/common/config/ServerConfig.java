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
   * {@code mode} is {@value #MODE_STANDALONE} (one Redis at {@code connectionString}) or {@value #MODE_CLUSTER} (a Redis
   * Cluster found from its seed nodes {@code endpoints}; docs/operations.md "Redis Cluster"). {@code endpoints} is
   * {@code [connectionString]} when not configured.
   */
  public record RedisConfig(String connectionString, String prefix, int poolSize, int connections, long commandTimeoutMs,
                            String mode, List<String> endpoints) {
    public static final int DEFAULT_CONNECTIONS = 4;
    public static final String MODE_STANDALONE = "standalone";
    public static final String MODE_CLUSTER = "cluster";
    public static final List<String> MODES = List.of(MODE_STANDALONE, MODE_CLUSTER);

    /** True when Redis is a Redis Cluster: every multi-key command and script must stay in one hash slot. */
    public boolean cluster() {
      return MODE_CLUSTER.equals(mode);
    }

    static RedisConfig fromJson(JsonObject j) {
      String uri = j.getString("connectionString", "redis://127.0.0.1:6379");
      Object mode = j.getValue("mode", MODE_STANDALONE);
      if (!(mode instanceof String)) {
        throw new IllegalArgumentException("redis.mode is not a string: it must be one of " + MODES + " (or IM_REDIS_MODE)");
      }
      List<String> endpoints = new ArrayList<>();
      Object e = j.getValue("endpoints");
      if (e == null) {
        endpoints.add(uri);
      } else if (e instanceof JsonArray a) {
        for (Object o : a) {
          if (!(o instanceof String s) || s.isBlank()) {
            throw new IllegalArgumentException("redis.endpoints must be an array of redis:// URIs (or IM_REDIS_ENDPOINTS,"
              + " comma-separated); found " + (o == null ? "null" : o instanceof String ? "an empty string" : o.toString()));
          }
          endpoints.add(s.trim());
        }
      } else {
        throw new IllegalArgumentException("redis.endpoints must be an array of redis:// URIs (or IM_REDIS_ENDPOINTS,"
          + " comma-separated)");
      }
      return new RedisConfig(uri, j.getString("prefix", "im:"),
        j.getInteger("poolSize", 16), j.getInteger("connections", DEFAULT_CONNECTIONS),
        j.getLong("commandTimeoutMs", Deadlines.REDIS_COMMAND_TIMEOUT_MS), (String) mode, List.copyOf(endpoints));
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
        String problem = problem(t);
        if (problem != null) {
          throw new IllegalArgumentException(problem);
        }
        return new Tls(t.getString("keyStore"), t.getString("keyStorePassword"), t.getString("trustStore"),
          t.getString("trustStorePassword"));
      }

      /** What is wrong with a {@code cluster.tls} block (a key missing, not a string, a blank store path), or null. */
      static String problem(JsonObject t) {
        List<String> missing = new ArrayList<>();
        for (String k : KEYS) {
          if (!(t.getValue(k) instanceof String) || (k.endsWith("Store") && t.getString(k).isBlank())) {
            missing.add(k);
          }
        }
        return missing.isEmpty() ? null : "cluster.tls needs " + String.join(", ", KEYS) + " (strings; PKCS12 files"
          + " and their passwords, or IM_CLUSTER_TLS_KEYSTORE, _KEYSTORE_PASSWORD, _TRUSTSTORE, _TRUSTSTORE_PASSWORD);"
          + " missing or not a string: " + String.join(", ", missing);
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
    EnvOverrides.Applied applied = EnvOverrides.applyTracked(json, env);
    // every key known, of its type and range (ConfigKeys), before anything is read; then null = absent
    ConfigValidator.validate(applied.json(), applied.sources());
    JsonObject j = withoutNulls(applied.json());
    JsonObject mysql = j.getJsonObject("mysql", new JsonObject());
    JsonObject redis = j.getJsonObject("redis", new JsonObject());
    JsonObject cluster = j.getJsonObject("cluster", new JsonObject());

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
      Math.max(1, j.getInteger("gatewayInstances", Runtime.getRuntime().availableProcessors())),
      j.getString("publicWsUrl"),
      Math.max(MIN_NODE_LEASE_MS, j.getLong("nodeLeaseMs", DEFAULT_NODE_LEASE_MS)),
      j);
    c.validate();
    return c;
  }

  /** A copy without null values (accepted only where the default is computed at start: null means "not set"). */
  private static JsonObject withoutNulls(JsonObject o) {
    JsonObject out = new JsonObject();
    for (Map.Entry<String, Object> e : o) {
      Object v = e.getValue();
      if (v instanceof JsonObject sub) {
        out.put(e.getKey(), withoutNulls(sub));
      } else if (v instanceof JsonArray a) {
        JsonArray copy = new JsonArray();
        for (Object item : a) {
          copy.add(item instanceof JsonObject sub ? withoutNulls(sub) : item);
        }
        out.put(e.getKey(), copy);
      } else if (v != null) {
        out.put(e.getKey(), v);
      }
    }
    return out;
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

  /** Refuses unsafe combinations (PROTOCOL.md §8); see {@link ConfigRules}. */
  public void validate() {
    ConfigRules.validate(this);
  }

  /** True for a known placeholder secret or password ({@link ConfigRules#PLACEHOLDER_SECRETS}). */
  public static boolean isPlaceholder(String secret) {
    return ConfigRules.isPlaceholder(secret);
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
}
