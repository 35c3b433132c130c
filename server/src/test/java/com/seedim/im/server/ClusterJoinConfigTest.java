package com.seedim.im.server;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.seedim.im.common.config.ServerConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Hazelcast join {@link ImNode} builds: TCP-IP with the member list, or (IM_CLUSTER_DNS) Kubernetes DNS discovery.
 * The discovery itself runs against a real DNS server in deploy/kubernetes/test-dns-discovery.sh.
 */
class ClusterJoinConfigTest {
  private static ServerConfig.ClusterConfig cluster(String json) {
    JsonObject cfg = new JsonObject().put("mode", "dev").put("cluster", new JsonObject(json))
      .put("apps", new JsonArray().add(new JsonObject().put("appId", "1").put("secret", "dev-secret")));
    return ServerConfig.fromJson(cfg, Map.of()).cluster();
  }

  @Test
  @DisplayName("without IM_CLUSTER_DNS the join is TCP-IP with cluster.members; multicast and auto-detection off")
  void tcpIp() {
    Config hz = new Config();
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    ImNode.join(hz, cluster("{\"host\":\"10.0.0.11\",\"port\":5701,\"members\":[\"10.0.0.11:5701\",\"10.0.0.12:5701\"]}"), null);
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.11:5701", "10.0.0.12:5701");
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(hz.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
  }

  @Test
  @DisplayName("a blank IM_CLUSTER_DNS keeps TCP-IP (this node alone when no members are listed)")
  void blankDns() {
    Config hz = new Config();
    ImNode.join(hz, cluster("{\"host\":\"10.0.0.11\",\"port\":5703}"), "  ");
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).isEqualTo(List.of("10.0.0.11:5703"));
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
  }

  @Test
  @DisplayName("IM_CLUSTER_DNS switches to Kubernetes DNS discovery of that name at cluster.port, TCP-IP off")
  void dns() {
    Config hz = new Config();
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    ImNode.join(hz, cluster("{\"host\":\"10.0.0.11\",\"port\":5801,\"members\":[\"10.0.0.12:5701\"]}"),
      " seedim-cluster.im.svc.cluster.local ");
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo("seedim-cluster.im.svc.cluster.local");
    assertThat(join.getKubernetesConfig().getProperty("service-port")).isEqualTo("5801");
    // at 0 Hazelcast's discovery joiner never asks the discovery before forming a cluster of one
    assertThat(hz.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("5");
  }
}
