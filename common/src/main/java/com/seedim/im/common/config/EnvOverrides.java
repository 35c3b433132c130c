package com.seedim.im.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The environment variables that override config keys (what differs per deployment: ports, hosts, MySQL, Redis, the
 * cluster); docs/operations.md lists them.
 */
final class EnvOverrides {
  private EnvOverrides() {
  }

  /** A copy of {@code json} with the overrides of {@code env} applied. */
  static JsonObject apply(JsonObject json, Map<String, String> env) {
    JsonObject j = json.copy();
    set(j, env, "IM_MODE", "mode");
    set(j, env, "IM_HOST", "host");
    setInt(j, env, "IM_PORT", "port");
    set(j, env, "IM_MANAGEMENT_HOST", "managementHost");
    setInt(j, env, "IM_MANAGEMENT_PORT", "managementPort");
    setInt(j, env, "IM_NODE_ID", "nodeId");
    JsonObject mysql = section(j, "mysql");
    set(mysql, env, "IM_MYSQL_HOST", "host");
    setInt(mysql, env, "IM_MYSQL_PORT", "port");
    set(mysql, env, "IM_MYSQL_USER", "user");
    set(mysql, env, "IM_MYSQL_PASSWORD", "password");
    set(mysql, env, "IM_MYSQL_DATABASE", "database");
    JsonObject redis = section(j, "redis");
    set(redis, env, "IM_REDIS_URI", "connectionString");
    set(redis, env, "IM_REDIS_PREFIX", "prefix");
    set(redis, env, "IM_REDIS_MODE", "mode");
    if (env.get("IM_REDIS_ENDPOINTS") != null && !env.get("IM_REDIS_ENDPOINTS").isBlank()) {
      JsonArray endpoints = new JsonArray();
      for (String e : env.get("IM_REDIS_ENDPOINTS").split(",")) {
        if (!e.isBlank()) {
          endpoints.add(e.trim());
        }
      }
      redis.put("endpoints", endpoints);
    }
    JsonObject cluster = section(j, "cluster");
    set(cluster, env, "IM_CLUSTER_HOST", "host");
    setInt(cluster, env, "IM_CLUSTER_PORT", "port");
    if (env.get("IM_CLUSTER_MEMBERS") != null) {
      cluster.put("members", new JsonArray(List.of(env.get("IM_CLUSTER_MEMBERS").split(","))));
      cluster.put("enabled", true);
    }
    set(j, env, "IM_CLUSTER_NAME", "clusterName");
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

    return j;
  }

  /** The object under {@code key}, added to {@code j} when absent so that overrides of an absent section count. */
  private static JsonObject section(JsonObject j, String key) {
    JsonObject o = j.getJsonObject(key);
    if (o == null) {
      j.put(key, o = new JsonObject());
    }
    return o;
  }

  private static void set(JsonObject j, Map<String, String> env, String var, String key) {
    set(j, env, var, key, v -> v);
  }

  private static void setInt(JsonObject j, Map<String, String> env, String var, String key) {
    set(j, env, var, key, Integer::parseInt);
  }

  private static void set(JsonObject j, Map<String, String> env, String var, String key, Function<String, Object> parse) {
    String v = env.get(var);
    if (v != null && !v.isEmpty()) {
      j.put(key, parse.apply(v));
    }
  }
}
