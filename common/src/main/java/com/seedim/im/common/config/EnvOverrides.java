package com.seedim.im.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The environment variables that override config keys (what differs per deployment: ports, hosts, MySQL, Redis, the
 * cluster): every {@link ConfigKeys} key with an {@code env} name. An empty variable is ignored. A value that does not
 * parse as the key's type is refused naming the variable; a value out of range is refused by {@link ConfigValidator},
 * naming it too (through {@link Applied#sources}).
 */
final class EnvOverrides {
  private EnvOverrides() {
  }

  /** The config with the overrides applied, and which path each variable set ({@code mysql.port → IM_MYSQL_PORT}). */
  record Applied(JsonObject json, Map<String, String> sources) {
  }

  /** A copy of {@code json} with the overrides of {@code env} applied. */
  static JsonObject apply(JsonObject json, Map<String, String> env) {
    return applyTracked(json, env).json();
  }

  static Applied applyTracked(JsonObject json, Map<String, String> env) {
    JsonObject j = json.copy();
    Map<String, String> sources = new LinkedHashMap<>();
    for (ConfigKeys.Key k : ConfigKeys.withEnv()) {
      String v = env.get(k.env());
      if (v == null || v.isEmpty()) {
        continue;
      }
      JsonObject target = section(j, k.parent());
      if (target == null) {
        continue; // the section is not an object: the validator names it
      }
      target.put(k.name(), parse(k, v));
      sources.put(k.path(), k.env());
      if (k.path().equals("cluster.members")) {
        target.put("enabled", true);
        sources.put("cluster.enabled", k.env());
      }
    }
    return new Applied(j, sources);
  }

  private static Object parse(ConfigKeys.Key k, String v) {
    switch (k.type()) {
      case INT, LONG -> {
        try {
          return k.type() == ConfigKeys.Type.INT ? (Object) Integer.parseInt(v.trim()) : (Object) Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
          throw refused(k, v);
        }
      }
      case BOOLEAN -> {
        String b = v.trim().toLowerCase(Locale.ROOT);
        if (!b.equals("true") && !b.equals("false")) {
          throw refused(k, v);
        }
        return Boolean.parseBoolean(b);
      }
      case STRINGS -> {
        JsonArray a = new JsonArray();
        for (String e : v.split(",")) {
          if (!e.isBlank()) {
            a.add(e.trim());
          }
        }
        return a;
      }
      default -> {
        return v;
      }
    }
  }

  private static ConfigException refused(ConfigKeys.Key k, String v) {
    return new ConfigException(k.env(), k.env() + " is " + ConfigValidator.show(v) + ": it must be " + k.allowedText()
      + " (it sets " + k.path() + ")");
  }

  /**
   * The object at a dotted schema path ("" = the root), added when absent so that overrides of an absent section count;
   * null when something that is not an object is in the way.
   */
  private static JsonObject section(JsonObject root, String path) {
    JsonObject o = root;
    if (path.isEmpty()) {
      return o;
    }
    for (String part : path.split("\\.")) {
      Object next = o.getValue(part);
      if (next == null) {
        JsonObject created = new JsonObject();
        o.put(part, created);
        o = created;
      } else if (next instanceof JsonObject n) {
        o = n;
      } else {
        return null;
      }
    }
    return o;
  }
}
