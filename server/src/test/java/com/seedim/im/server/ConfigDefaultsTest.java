package com.seedim.im.server;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.ConfigKeys;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.gateway.GatewayLimits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The defaults of {@link ConfigKeys} (what print-defaults prints and docs/configuration.md lists) are the defaults the
 * parsing code applies: a config with every key at its registry default reads to the same settings as one with none.
 */
class ConfigDefaultsTest {
  static final String SECRET = "k7Qz1v9XcR4mWp2sLd8hNf3bTy6uGe0A";

  static JsonObject minimal(boolean dev) {
    return new JsonObject().put("mode", dev ? "dev" : "prod")
      .put("apps", new JsonArray().add(new JsonObject().put("appId", "1").put("secret", SECRET)));
  }

  @Test
  @DisplayName("every registry default equals the parsing default: ServerConfig, each AppConfig, GatewayLimits (dev and prod)")
  void registryDefaultsAreTheParsingDefaults() {
    for (boolean dev : new boolean[] {true, false}) {
      ServerConfig empty = ServerConfig.fromJson(minimal(dev), Map.of());
      ServerConfig full = ServerConfig.fromJson(ConfigKeys.defaults(dev, "1", SECRET), Map.of());
      assertThat(components(full)).as("dev %s", dev).isEqualTo(components(empty));
      assertThat(components(full.apps().get("1"))).as("app, dev %s", dev).isEqualTo(components(empty.apps().get("1")));
      assertThat(GatewayLimits.of(full)).isEqualTo(GatewayLimits.of(empty));
    }
  }

  /** A record's components, comparable: the raw JSON left out, patterns as their text, apps as their components. */
  static List<Object> components(Record r) {
    List<Object> out = new ArrayList<>();
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      if (c.getName().equals("raw")) {
        continue;
      }
      try {
        Object v = c.getAccessor().invoke(r);
        if (v instanceof Pattern p) {
          v = p.pattern();
        } else if (v instanceof com.seedim.im.common.config.AppRegistry apps) {
          List<Object> list = new ArrayList<>();
          for (AppConfig a : apps.all()) {
            list.add(components(a));
          }
          v = list;
        }
        out.add(c.getName() + "=" + v);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }
    return out;
  }
}
