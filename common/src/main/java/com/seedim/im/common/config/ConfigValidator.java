package com.seedim.im.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Walks a config (after the environment overrides) against {@link ConfigKeys}: an unknown key (with the nearest known
 * one: "did you mean ...?"), a value of the wrong type, out of range or not one of the allowed values refuses the
 * start with one line naming the key's full path ({@code apps[0].maxDevices}), the value, what is allowed and, when the
 * value came from the environment, the variable. Checks that involve several keys (secrets in production, dev-mode
 * binding, cluster trust) stay in {@link ConfigRules} and run after this one.
 */
final class ConfigValidator {
  private final Map<String, String> envSources;

  private ConfigValidator(Map<String, String> envSources) {
    this.envSources = envSources;
  }

  /**
   * Throws a {@link ConfigException} for the first problem found, in file order.
   *
   * @param envSources the paths (as {@code mysql.port}, {@code cluster.members}) set by an environment variable, and
   *                   the variable
   */
  static void validate(JsonObject config, Map<String, String> envSources) {
    new ConfigValidator(envSources).object(config, "", "");
  }

  private void object(JsonObject o, String schema, String path) {
    ConfigKeys.Key self = ConfigKeys.get(schema);
    if (self != null && self.objectValueCheck() != null) {
      String problem = self.objectValueCheck().apply(o);
      if (problem != null) {
        throw new ConfigException(path, problem);
      }
    }
    for (Map.Entry<String, Object> e : o) {
      String keySchema = schema.isEmpty() ? e.getKey() : schema + "." + e.getKey();
      String keyPath = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      ConfigKeys.Key k = ConfigKeys.get(keySchema);
      if (k == null) {
        throw new ConfigException(keyPath, unknown(e.getKey(), schema, path));
      }
      value(k, e.getValue(), keyPath);
    }
    for (ConfigKeys.Key k : ConfigKeys.children(schema)) {
      if (k.required() && !o.containsKey(k.name())) {
        String keyPath = path.isEmpty() ? k.name() : path + "." + k.name();
        throw new ConfigException(keyPath, keyPath + " is missing: it must be " + k.allowedText() + envHint(k, keyPath));
      }
    }
  }

  private void value(ConfigKeys.Key k, Object v, String path) {
    if (v == null) {
      if (k.nullable()) {
        return;
      }
      throw bad(k, path, null);
    }
    switch (k.type()) {
      case STRING -> {
        if (!(v instanceof String)) {
          throw bad(k, path, v);
        }
      }
      case BOOLEAN -> {
        if (!(v instanceof Boolean)) {
          throw bad(k, path, v);
        }
      }
      case INT, LONG -> {
        if (!integral(v) || ((Number) v).longValue() < k.min() || ((Number) v).longValue() > k.max()) {
          throw bad(k, path, v);
        }
      }
      case OBJECT -> {
        if (!(v instanceof JsonObject o)) {
          throw bad(k, path, v);
        }
        object(o, k.path(), path);
        return;
      }
      case STRINGS, LONGS, OBJECTS -> {
        if (!(v instanceof JsonArray a)) {
          throw bad(k, path, v);
        }
        for (int i = 0; i < a.size(); i++) {
          Object item = a.getValue(i);
          String itemPath = path + "[" + i + "]";
          boolean ok = switch (k.type()) {
            case STRINGS -> item instanceof String;
            case LONGS -> integral(item) && ((Number) item).longValue() >= k.min() && ((Number) item).longValue() <= k.max();
            default -> item instanceof JsonObject;
          };
          if (!ok) {
            throw new ConfigException(itemPath, itemPath + " is " + shown(k, item) + ": " + path + " must be "
              + k.allowedText() + from(k, path));
          }
          if (k.type() == ConfigKeys.Type.OBJECTS) {
            object((JsonObject) item, k.path() + "[]", itemPath);
          }
        }
      }
      case AGENTS -> {
        boolean ok = "all".equals(v) || v instanceof JsonArray a && a.stream().allMatch(x -> x instanceof String);
        if (!ok) {
          throw bad(k, path, v);
        }
      }
      default -> throw new IllegalStateException(k.type().toString());
    }
    if (!k.allowed().isEmpty() && !k.allowed().contains(v)) {
      throw bad(k, path, v);
    }
    if (k.valueCheck() != null) {
      String problem = k.valueCheck().apply(v);
      if (problem != null) {
        throw new ConfigException(path, path + " is " + shown(k, v) + from(k, path) + ": it must be " + problem);
      }
    }
  }

  private ConfigException bad(ConfigKeys.Key k, String path, Object v) {
    String what = v == null ? "null" : shown(k, v) + typeNote(k, v);
    String src = from(k, path);
    return new ConfigException(path, path + " is " + what + src + ": it must be " + k.allowedText()
      + (src.isEmpty() ? envHint(k, path) : ""));
  }

  /** " (a string)" when the value's JSON type is not the key's (so that "5" and 5 are told apart). */
  private static String typeNote(ConfigKeys.Key k, Object v) {
    String t = jsonType(v);
    boolean sameType = switch (k.type()) {
      case STRING -> v instanceof String;
      case INT, LONG -> integral(v);
      case BOOLEAN -> v instanceof Boolean;
      case OBJECT -> v instanceof JsonObject;
      case STRINGS, LONGS, OBJECTS -> v instanceof JsonArray;
      case AGENTS -> v instanceof JsonArray || v instanceof String;
    };
    return sameType || v instanceof JsonObject || v instanceof JsonArray ? "" : " (" + t + ")";
  }

  private static String jsonType(Object v) {
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof Number) {
      return integral(v) ? "an integer" : "a decimal number";
    }
    return v instanceof JsonObject ? "an object" : v instanceof JsonArray ? "an array" : "a " + v.getClass().getSimpleName();
  }

  /** " (from IM_X)" when the value at {@code path} (or the array/object holding it) came from the environment. */
  private String from(ConfigKeys.Key k, String path) {
    for (Map.Entry<String, String> e : envSources.entrySet()) {
      if (path.equals(e.getKey()) || path.startsWith(e.getKey() + ".") || path.startsWith(e.getKey() + "[")) {
        return " (from " + e.getValue() + ")";
      }
    }
    return "";
  }

  private static String envHint(ConfigKeys.Key k, String path) {
    return k.env() != null && path.equals(k.path()) ? " (or " + k.env() + ")" : "";
  }

  private static boolean integral(Object v) {
    return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
      || v instanceof BigInteger b && b.bitLength() < 64;
  }

  /**
   * A refused value as a refusal prints it: never a secret or a password (whatever its JSON type), and a URI without
   * its user information ({@code redis://:pw@host} → {@code redis://***@host}), since refusals go to logs.
   */
  static String shown(ConfigKeys.Key k, Object v) {
    String p = k.path().toLowerCase(java.util.Locale.ROOT);
    if (v != null && (p.contains("secret") || p.contains("password"))) {
      return "(hidden)";
    }
    if (v instanceof String s && s.contains("://")) {
      return show(s.replaceFirst("://[^@/]*@", "://***@"));
    }
    return show(v);
  }

  static String show(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String s) {
      String t = s.replaceAll("\\p{Cntrl}", "?");
      return "\"" + (t.length() > 60 ? t.substring(0, 60) + "..." : t) + "\"";
    }
    if (v instanceof JsonObject) {
      return "an object";
    }
    if (v instanceof JsonArray) {
      return "an array";
    }
    return String.valueOf(v);
  }

  /** The message for an unknown key: the nearest known key, or the keys allowed here. */
  private static String unknown(String name, String schema, String path) {
    String full = path.isEmpty() ? name : path + "." + name;
    List<ConfigKeys.Key> here = ConfigKeys.children(schema);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (ConfigKeys.Key k : here) {
      int d = distance(name.toLowerCase(Locale.ROOT), k.name().toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = k.name();
      }
    }
    int threshold = Math.max(2, name.length() / 3);
    if (best != null && bestDistance <= threshold) {
      return full + " is not a config key: did you mean " + (path.isEmpty() ? best : path + "." + best) + "?";
    }
    // the right name in the wrong place, e.g. trustedProxies at the top level instead of in "gateway"
    for (ConfigKeys.Key k : ConfigKeys.all()) {
      if (k.name().equalsIgnoreCase(name) && !k.parent().equals(schema)) {
        return full + " is not a config key here: did you mean " + concrete(k.path(), path) + "?";
      }
    }
    List<String> names = new ArrayList<>();
    here.forEach(k -> names.add(k.name()));
    String where = path.isEmpty() ? "the top level" : path;
    return full + " is not a config key; the keys of " + where + " are " + String.join(", ", names)
      + " (docs/configuration.md)";
  }

  /** A schema path with {@code []} filled in from the concrete path where they share a prefix ({@code apps[0]}). */
  private static String concrete(String schemaPath, String concretePath) {
    if (schemaPath.startsWith("apps[].") && concretePath.startsWith("apps[")) {
      int end = concretePath.indexOf(']');
      return concretePath.substring(0, end + 1) + schemaPath.substring("apps[]".length());
    }
    return schemaPath;
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
