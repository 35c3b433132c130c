package com.seedim.im.common.config;

import java.util.List;

/**
 * docs/configuration.md, generated from {@link ConfigKeys}. {@code ConfigDocTest} fails when the file is not current;
 * {@code mvn -o -pl common test -Dtest=ConfigDocTest -Dconfig.doc.write=true} rewrites it (so does
 * {@code java -jar seedim.jar print-config-doc > docs/configuration.md}).
 */
public final class ConfigDoc {
  private ConfigDoc() {
  }

  public static String markdown() {
    StringBuilder b = new StringBuilder();
    b.append("# Configuration reference\n\n");
    b.append("<!-- Generated from common/src/main/java/com/seedim/im/common/config/ConfigKeys.java: do not edit. -->\n");
    b.append("<!-- Regenerate: mvn -o -pl common test -Dtest=ConfigDocTest -Dconfig.doc.write=true -->\n\n");
    b.append("Every key of the JSON config file (`java -jar seedim.jar --config FILE`), generated from the one list the"
      + " server checks a config against. At start, a key not in this list, a value of the wrong type, out of range or"
      + " not one of the allowed values stops the server with one line naming the key (e.g. `apps[0].maxDevices`),"
      + " the file and what is allowed, and exit status 78; the nearest known key is suggested for a misspelled one.\n\n");
    b.append("- `java -jar seedim.jar check-config --config FILE` checks a file (with the environment overrides below)"
      + " without starting anything: prints `OK` and exits 0, or prints the one-line refusal and exits 78.\n");
    b.append("- `java -jar seedim.jar print-defaults [--mode dev|prod]` prints a complete config with every key at its"
      + " default (`null` where the default is computed at start) and one example app whose placeholder secret"
      + " production refuses.\n");
    b.append("- `null` is accepted only for the keys whose default is computed or \"none\" and means the same as leaving"
      + " the key out. An empty environment variable is ignored.\n");
    b.append("- Checks that involve several keys run after these: secrets outside dev mode (at least "
      + ServerConfig.MIN_SECRET_BYTES + " bytes, not a placeholder, unique per app), dev mode only on loopback and"
      + " not clustered (unless `allowUnsafeDev`), a clustered production node's `clusterName` and `cluster.tls`"
      + " (unless `cluster.insecure`), the gateway's byte limits against `maxFrameBytes`, `gateway.trustedProxies`"
      + " entries as IP literals or CIDRs.\n\n");

    b.append("## Server-wide keys\n\n");
    table(b, ConfigKeys.all().stream().filter(k -> !k.path().startsWith("apps[].")).toList(), false);
    b.append("\n## Per-app keys (`apps[]`)\n\n");
    b.append("Each element of `apps` is one app (tenant); protocol.md §12 explains what the limits do to a client.\n\n");
    table(b, ConfigKeys.all().stream().filter(k -> k.path().startsWith("apps[].")).toList(), true);
    b.append("\n## Environment overrides\n\n");
    b.append("| variable | key | type |\n|---|---|---|\n");
    for (ConfigKeys.Key k : ConfigKeys.withEnv()) {
      String type = k.type() == ConfigKeys.Type.STRINGS ? "comma-separated list" : k.type().text();
      b.append("| `").append(k.env()).append("` | `").append(k.path()).append("` | ").append(type).append(" |\n");
    }
    b.append("\n`IM_CLUSTER_MEMBERS` also sets `cluster.enabled: true`. `IM_NODE_NAME` (not a config key) names the node"
      + " in every log line.\n");
    return b.toString();
  }

  private static void table(StringBuilder b, List<ConfigKeys.Key> keys, boolean app) {
    b.append("| key | type | default | allowed | env | meaning |\n|---|---|---|---|---|---|\n");
    for (ConfigKeys.Key k : keys) {
      String path = app ? k.path().substring("apps[].".length()) : k.path();
      b.append("| `").append(path).append("` | ").append(k.type().text())
        .append(" | ").append(cell(k.defaultText().isEmpty() ? "–" : code(k)))
        .append(" | ").append(cell(allowed(k)))
        .append(" | ").append(k.env() == null ? "" : "`" + k.env() + "`")
        .append(" | ").append(cell(k.description())).append(" |\n");
    }
  }

  private static String code(ConfigKeys.Key k) {
    String t = k.defaultText();
    return t.startsWith("(") || t.contains("`") || t.contains(" ") && !t.startsWith("\"") ? t : "`" + t + "`";
  }

  private static String allowed(ConfigKeys.Key k) {
    if (k.type() == ConfigKeys.Type.OBJECT || k.type() == ConfigKeys.Type.OBJECTS || k.type() == ConfigKeys.Type.BOOLEAN) {
      return "";
    }
    String a = k.allowedText();
    String prefix = "a " + k.type().text();
    String prefix2 = "an " + k.type().text();
    if (a.startsWith(prefix2)) {
      a = a.substring(prefix2.length());
    } else if (a.startsWith(prefix)) {
      a = a.substring(prefix.length());
    }
    a = a.startsWith(", ") ? a.substring(2) : a.strip();
    return a.startsWith("in ") ? a.substring(3) : a;
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
