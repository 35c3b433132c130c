package com.seedim.im.common.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's msgType table is the registry's: one row per type, with its address. */
class ReadmeTableTest {
  @Test
  @DisplayName("README lists every msgType with its handler address")
  void readmeMatchesRegistry() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
    for (MsgType t : MsgType.values()) {
      String prefix = "| " + t.code() + " | `" + t.name() + "` |";
      String row = lines.stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
      assertThat(row).as("README row for %s", t).isNotNull();
      assertThat(row).contains(t.address() == null ? "| – |" : "`" + t.address() + "`");
      assertThat(row.endsWith(t.reliablePush() ? "| yes |" : "|  |")).as("reliable column of %s", t).isTrue();
    }
    long rows = lines.stream().filter(l -> l.matches("\\| [0-9]+ \\| `[A-Z_]+` \\|.*")).count();
    assertThat(rows).isEqualTo(MsgType.values().length);
  }
}
