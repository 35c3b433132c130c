package com.seedim.im.server.observe;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("the loose PromQL reader of ObservabilityTest")
class PromQlNamesTest {
  @Test
  @DisplayName("metric names only: not functions, aggregations, grouping labels, matchers, ranges, offsets, Grafana variables")
  void names() {
    assertThat(PromQlNames.of("histogram_quantile(0.99, sum by (le, handler) (rate(im_handler_seconds_bucket{job=\"seedim\","
      + "handler=~\"a|b\"}[5m]))) > 1")).containsExactly("im_handler_seconds_bucket");
    assertThat(PromQlNames.of("sum(a_total{job=~\"$job\"}[$__rate_interval]) < 0.5 * sum(b offset 10m) and on () c == 0"))
      .containsExactly("a_total", "b", "c");
    assertThat(PromQlNames.of("rate(x:y_total[1m]) / ignoring(a) group_left(b) z")).containsExactly("x:y_total", "z");
    assertThat(PromQlNames.of("up == 0")).containsExactly("up");
  }

  @Test
  @DisplayName("the real rules and dashboard: multi-line expressions read whole, every query names a metric")
  void realFiles() throws Exception {
    Map<String, Set<String>> alerts = ObservabilityTest.alertNames(
      Files.readString(ObservabilityTest.repoRoot().resolve("deploy/prometheus/seedim-alerts.yml")));
    assertThat(alerts).hasSizeGreaterThanOrEqualTo(16);
    assertThat(alerts.entrySet()).filteredOn(e -> e.getKey().startsWith("alert SeedimStoreLatencyHigh:")).singleElement()
      .satisfies(e -> assertThat(e.getValue()).containsExactlyInAnyOrder("vertx_sql_processing_time_seconds_bucket",
        "vertx_redis_processing_time_seconds_bucket", "im_node_ready"));
    Map<String, Set<String>> panels = ObservabilityTest.dashboardNames(
      new JsonObject(Files.readString(ObservabilityTest.repoRoot().resolve("deploy/grafana/seedim-dashboard.json"))));
    assertThat(panels).hasSizeGreaterThan(30).allSatisfy((k, v) -> assertThat(v).as(k).isNotEmpty());
  }
}
