package com.seedim.im.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Audit H7: cluster name, event-bus TLS and the explicit insecure opt-out (cluster.tls, clusterName, cluster.insecure). */
class ClusterTrustConfigTest {
  static final String SECRET = "k7Qz1v9XcR4mWp2sLd8hNf3bTy6uGe0A";
  static Path keyStore;
  static Path trustStore;

  @BeforeAll
  static void stores() throws Exception {
    Path dir = Files.createTempDirectory("cluster-tls-config");
    keyStore = Files.writeString(dir.resolve("node.p12"), "not parsed by the config check");
    trustStore = Files.writeString(dir.resolve("trust.p12"), "not parsed by the config check");
    dir.toFile().deleteOnExit();
    keyStore.toFile().deleteOnExit();
    trustStore.toFile().deleteOnExit();
  }

  static JsonObject prodCluster() {
    return new JsonObject().put("mode", "prod")
      .put("apps", new JsonArray().add(new JsonObject().put("appId", "a1").put("secret", SECRET)))
      .put("cluster", new JsonObject().put("enabled", true).put("members", new JsonArray().add("10.0.0.1:5701")));
  }

  static JsonObject tls() {
    return new JsonObject().put("keyStore", keyStore.toString()).put("keyStorePassword", "kp")
      .put("trustStore", trustStore.toString()).put("trustStorePassword", "tp");
  }

  @Test
  @DisplayName("defaults: name seedim, no TLS, not insecure; a single node in production needs none of it")
  void defaults() {
    JsonObject single = prodCluster().put("cluster", new JsonObject());
    ServerConfig.ClusterConfig c = ServerConfig.fromJson(single, Map.of()).cluster();
    assertThat(c.enabled()).isFalse();
    assertThat(c.name()).isEqualTo(ServerConfig.DEFAULT_CLUSTER_NAME).isEqualTo("seedim");
    assertThat(c.tls()).isNull();
    assertThat(c.insecure()).isFalse();
  }

  @Test
  @DisplayName("a clustered production start without TLS and on the default name is refused with one message naming the keys")
  void refusesUntrustedCluster() {
    assertThatThrownBy(() -> ServerConfig.fromJson(prodCluster(), Map.of())).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("clusterName").hasMessageContaining("\"seedim\"").hasMessageContaining("cluster.tls")
      .hasMessageContaining("keyStore, keyStorePassword, trustStore, trustStorePassword").hasMessageContaining("cluster.insecure: true");
    // TLS alone is not enough: the default name is still refused
    assertThatThrownBy(() -> ServerConfig.fromJson(prodCluster().put("cluster", prodCluster().getJsonObject("cluster").copy()
      .put("tls", tls())), Map.of())).hasMessageContaining("clusterName").hasMessageNotContaining("cluster.tls {");
    // a name alone is not enough either
    assertThatThrownBy(() -> ServerConfig.fromJson(prodCluster().put("clusterName", "acme-prod"), Map.of()))
      .hasMessageContaining("cluster.tls").hasMessageNotContaining("other than the default");
    // the env path (IM_CLUSTER_MEMBERS turns clustering on) is checked the same way
    JsonObject plain = prodCluster().put("cluster", new JsonObject());
    assertThatThrownBy(() -> ServerConfig.fromJson(plain, Map.of("IM_CLUSTER_MEMBERS", "10.0.0.1:5701")))
      .hasMessageContaining("cluster.tls");
  }

  @Test
  @DisplayName("a named cluster with TLS starts; the TLS block and the name come from the file or from IM_CLUSTER_* variables")
  void acceptsTrustedCluster() {
    JsonObject j = prodCluster().put("clusterName", "acme-prod");
    j.getJsonObject("cluster").put("tls", tls());
    ServerConfig.ClusterConfig c = ServerConfig.fromJson(j, Map.of()).cluster();
    assertThat(c.name()).isEqualTo("acme-prod");
    assertThat(c.tls()).isEqualTo(new ServerConfig.ClusterConfig.Tls(keyStore.toString(), "kp", trustStore.toString(), "tp"));
    assertThat(c.tls().toString()).doesNotContain("kp").doesNotContain("tp");
    assertThat(c.insecure()).isFalse();

    ServerConfig.ClusterConfig e = ServerConfig.fromJson(prodCluster().put("cluster", new JsonObject()), Map.of(
      "IM_CLUSTER_MEMBERS", "10.0.0.1:5701,10.0.0.2:5701", "IM_CLUSTER_NAME", "acme-env",
      "IM_CLUSTER_TLS_KEYSTORE", keyStore.toString(), "IM_CLUSTER_TLS_KEYSTORE_PASSWORD", "k2",
      "IM_CLUSTER_TLS_TRUSTSTORE", trustStore.toString(), "IM_CLUSTER_TLS_TRUSTSTORE_PASSWORD", "t2")).cluster();
    assertThat(e.enabled()).isTrue();
    assertThat(e.name()).isEqualTo("acme-env");
    assertThat(e.tls()).isEqualTo(new ServerConfig.ClusterConfig.Tls(keyStore.toString(), "k2", trustStore.toString(), "t2"));
    // an env variable overrides one key of the file's block
    ServerConfig.ClusterConfig o = ServerConfig.fromJson(j, Map.of("IM_CLUSTER_TLS_KEYSTORE_PASSWORD", "k3")).cluster();
    assertThat(o.tls().keyStorePassword()).isEqualTo("k3");
    assertThat(o.tls().trustStorePassword()).isEqualTo("tp");
  }

  @Test
  @DisplayName("cluster.insecure: true (or IM_CLUSTER_INSECURE=true) runs without TLS and on the default name, on purpose")
  void insecureOnPurpose() {
    JsonObject j = prodCluster();
    j.getJsonObject("cluster").put("insecure", true);
    ServerConfig.ClusterConfig c = ServerConfig.fromJson(j, Map.of()).cluster();
    assertThat(c.insecure()).isTrue();
    assertThat(c.tls()).isNull();
    assertThat(ServerConfig.fromJson(prodCluster(), Map.of("IM_CLUSTER_INSECURE", "true")).cluster().insecure()).isTrue();
    assertThatThrownBy(() -> ServerConfig.fromJson(prodCluster(), Map.of("IM_CLUSTER_INSECURE", "false")))
      .hasMessageContaining("cluster.tls");
    // an empty name is refused even when insecure
    assertThatThrownBy(() -> ServerConfig.fromJson(j.copy().put("clusterName", " "), Map.of()))
      .hasMessageContaining("clusterName is empty");
  }

  @Test
  @DisplayName("a partial TLS block or an unreadable store is refused, naming what is wrong")
  void badTlsBlock() {
    JsonObject j = prodCluster().put("clusterName", "acme-prod");
    j.getJsonObject("cluster").put("tls", tls().copy().put("trustStore", "").put("keyStorePassword", 7));
    assertThatThrownBy(() -> ServerConfig.fromJson(j, Map.of())).isInstanceOf(IllegalArgumentException.class)
      .hasMessageContaining("missing or not a string: keyStorePassword, trustStore");
    JsonObject k = prodCluster().put("clusterName", "acme-prod");
    k.getJsonObject("cluster").put("tls", tls().copy().put("keyStore", "/nonexistent/node.p12"));
    assertThatThrownBy(() -> ServerConfig.fromJson(k, Map.of())).hasMessageContaining("cluster.tls.keyStore: cannot read /nonexistent/node.p12");
    // a TLS block in dev mode (allowUnsafeDev, clustered) is read too
    JsonObject dev = new JsonObject().put("mode", "dev").put("allowUnsafeDev", true)
      .put("apps", new JsonArray().add(new JsonObject().put("appId", ServerConfig.DEV_APP_ID).put("secret", ServerConfig.DEV_SECRET)))
      .put("cluster", new JsonObject().put("enabled", true).put("tls", tls()));
    assertThat(ServerConfig.fromJson(dev, Map.of()).cluster().tls()).isNotNull();
  }
}
