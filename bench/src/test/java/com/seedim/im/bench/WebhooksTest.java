package com.seedim.im.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhooks scenario's own section of docs/benchmarks.md (placed, replaced, nothing else touched) and its verdict. */
class WebhooksTest {
  private static final String DOC = "# Benchmarks\n\n## Scenarios\n\ntext\n\n" + Soak.BEGIN + "\n## Soak\n\nsoak text\n\n" + Soak.END
    + "\n## Profile of the SeedIM throughput run (JFR)\n\nprofile\n";

  @Test
  void theSectionGoesAfterTheSoakAndIsReplacedInPlaceLeavingTheRestAsItIs() {
    String first = Webhooks.splice(DOC, Webhooks.BEGIN + "\n## Webhooks\n\nrun 1\n\n" + Webhooks.END + "\n");
    assertThat(first).contains(Soak.END + "\n" + Webhooks.BEGIN);
    assertThat(first).contains(Webhooks.END + "\n## Profile of the SeedIM throughput run (JFR)");
    assertThat(first.replace(Webhooks.BEGIN + "\n## Webhooks\n\nrun 1\n\n" + Webhooks.END + "\n", "")).isEqualTo(DOC);

    String second = Webhooks.splice(first, Webhooks.BEGIN + "\n## Webhooks\n\nrun 2\n\n" + Webhooks.END + "\n");
    assertThat(second).contains("run 2").doesNotContain("run 1");
    assertThat(second.replace("run 2", "run 1")).isEqualTo(first);
  }

  @Test
  void theSuitesRewriteStopsTheHandWrittenPartAtTheSection() {
    String doc = "# Benchmarks\n\n## An issue's own runs\n\nkept\n\n" + Webhooks.BEGIN + "\n## Webhooks\n\nnot hand-written\n\n"
      + Webhooks.END + "\n";
    java.nio.file.Path dir = null;
    try {
      dir = java.nio.file.Files.createTempDirectory("hooks-doc");
      java.nio.file.Files.writeString(dir.resolve("benchmarks.md"), doc);
      assertThat(Report.handWritten(dir)).contains("kept").doesNotContain("not hand-written");
      assertThat(Webhooks.existing(dir)).startsWith(Webhooks.BEGIN).contains("not hand-written").endsWith(Webhooks.END + "\n");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static JsonObject phase(String cfg, double msgs, double cpu) {
    return new JsonObject().put("config", cfg).put("msgsPerSec", msgs).put("systemCpuUsPerMsg", cpu)
      .put("storeOpsPerMsg", new JsonObject().put("mariaStatementsPer", 0.4)).put("mariaByKind", new JsonObject().put("insert", 0.1));
  }

  @Test
  void theVerdictComparesTheMeansOfTheAlternatingPhases() {
    JsonArray phases = new JsonArray().add(phase("off", 1000, 400)).add(phase("on", 950, 420))
      .add(phase("off", 1200, 400)).add(phase("on", 1000, 480));
    JsonObject s = Webhooks.summary(phases);
    assertThat(s.getDouble("ratio")).isEqualTo(Webhooks.round(1950.0 / 2200, 3));
    assertThat(s.getBoolean("withinTarget")).isFalse(); // 0.886
    assertThat(s.getJsonArray("roundRatios").getList()).containsExactly(0.95, 0.833);
    assertThat(s.getDouble("cpuRatio")).isEqualTo(Webhooks.round(400.0 / 450, 3));
    assertThat(s.getBoolean("withinTargetByCpu")).isFalse(); // 0.889
    JsonObject close = Webhooks.summary(new JsonArray().add(phase("off", 1000, 400)).add(phase("on", 910, 430)));
    assertThat(close.getBoolean("withinTarget")).isTrue();
    assertThat(close.getBoolean("withinTargetByCpu")).isTrue(); // 0.930
  }
}
