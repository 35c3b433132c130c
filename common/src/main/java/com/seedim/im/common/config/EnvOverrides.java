package com.seedim.im.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

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

    return j;
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
