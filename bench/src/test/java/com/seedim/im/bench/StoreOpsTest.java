package com.seedim.im.bench;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Store work per unit between two counter snapshots, and the real counters of the local MariaDB and Redis. */
class StoreOpsTest {
  @Test
  void perUnitDividesTheDeltasAndLeavesOutTheBenchsOwnInfo() {
    StoreOps.Snapshot a = new StoreOps.Snapshot(Map.of("hget", 100L, "info", 5L, "evalsha", 10L),
      Map.of("Questions", 1000L, "Com_select", 400L, "Com_insert", 100L, "Com_stmt_execute", 10L));
    StoreOps.Snapshot b = new StoreOps.Snapshot(Map.of("hget", 400L, "info", 9L, "evalsha", 210L, "time", 100L),
      Map.of("Questions", 1150L, "Com_select", 500L, "Com_insert", 150L, "Com_stmt_execute", 10L));

    JsonObject j = StoreOps.perUnit(a, b, 100);

    assertThat(j.getLong("redisCommands")).isEqualTo(600); // 300 hget + 200 evalsha + 100 time, not the 4 info
    assertThat(j.getDouble("redisCommandsPer")).isEqualTo(6.0);
    assertThat(j.getJsonArray("redisTop").getJsonObject(0).getString("name")).isEqualTo("hget");
    assertThat(j.getDouble("mariaStatementsPer")).isEqualTo(1.5);
    assertThat(StoreOps.describe(j, true)).isEqualTo("6 (hget 3, evalsha 2, time 1)");
    assertThat(StoreOps.describe(j, false)).isEqualTo("1.50 (select 1, insert 0.50)");
  }

  @Test
  void noUnitsNoFigures() {
    StoreOps.Snapshot a = new StoreOps.Snapshot(Map.of("hget", 1L), Map.of("Questions", 1L));
    JsonObject j = StoreOps.perUnit(a, a, 0);
    assertThat(j.containsKey("redisCommandsPer")).isFalse();
    assertThat(StoreOps.describe(j, true)).isEqualTo("not measured");
  }

  @Test
  void countsTheCommandsSentToTheRealRedisAndMariaDb() throws Exception {
    StoreOps.Snapshot a = StoreOps.take();
    try (Resp r = new Resp("127.0.0.1", 6379)) {
      for (int i = 0; i < 50; i++) {
        r.call("EXISTS", "benchtest:storeops:" + i);
      }
    }
    for (int i = 0; i < 3; i++) {
      Services.sql("SELECT 1");
    }
    JsonObject j = StoreOps.perUnit(a, StoreOps.take(), 1);

    // the shared servers may count other clients' commands too: at least ours
    assertThat(j.getJsonArray("redisTop").stream().map(o -> (JsonObject) o)
      .filter(o -> o.getString("name").equals("exists")).findFirst().orElseThrow().getLong("calls")).isGreaterThanOrEqualTo(50);
    assertThat(j.getLong("mariaStatements")).isGreaterThanOrEqualTo(3);
  }
}
