package com.seedim.im.common.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md is exactly what {@link ConfigDoc} generates from {@link ConfigKeys}; regenerate it with
 * {@code mvn -o -pl common test -Dtest=ConfigDocTest -Dconfig.doc.write=true}.
 */
class ConfigDocTest {
  private static final String WRITE = "config.doc.write";

  @Test
  @DisplayName("docs/configuration.md is current: generated from ConfigKeys (regenerate with -Dconfig.doc.write=true)")
  void docIsCurrent() throws Exception {
    Path file = ServerConfigTest.repoRoot().resolve("docs/configuration.md");
    String generated = ConfigDoc.markdown();
    if (Boolean.getBoolean(WRITE)) {
      Files.writeString(file, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(file)).as("%s exists (generate it with -D%s=true)", file, WRITE).isTrue();
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
      .as("%s is not what ConfigKeys generates: regenerate it with mvn -o -pl common test -Dtest=ConfigDocTest -D%s=true",
        file, WRITE)
      .isEqualTo(generated);
  }

  @Test
  @DisplayName("every key, every environment variable and every section is in the generated table")
  void everyKeyDocumented() {
    String doc = ConfigDoc.markdown();
    for (ConfigKeys.Key k : ConfigKeys.all()) {
      String shown = k.path().startsWith("apps[].") ? k.path().substring("apps[].".length()) : k.path();
      assertThat(doc).as(k.path()).contains("| `" + shown + "` |");
      assertThat(k.description()).as("%s has a meaning", k.path()).isNotBlank();
      if (k.env() != null) {
        assertThat(doc).contains("| `" + k.env() + "` | `" + k.path() + "` |");
      }
    }
    assertThat(ConfigKeys.withEnv()).extracting(ConfigKeys.Key::env).contains("IM_MODE", "IM_PORT", "IM_MYSQL_PASSWORD",
      "IM_REDIS_ENDPOINTS", "IM_CLUSTER_MEMBERS", "IM_CLUSTER_TLS_TRUSTSTORE_PASSWORD", "IM_NODE_ID");
  }
}
