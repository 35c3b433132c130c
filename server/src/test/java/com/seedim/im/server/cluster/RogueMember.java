package com.seedim.im.server.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;

/**
 * A hostile cluster member for {@link ClusterTrustTest} (audit H7): a plain Vert.x instance, run as its own JVM,
 * that knows the cluster name and the Hazelcast member list but holds no trusted certificate. It joins Hazelcast,
 * then sends a forged {@code im.chat.api.send} (alice → bob) over the event bus and prints what happened as lines
 * starting with {@code ROGUE} on stdout.
 *
 * <p>Arguments: {@code clusterName members(csv) hzPort appId mode [keyStore password]}; {@code mode} is
 * {@code plain} (no TLS at all) or {@code foreign} (TLS with a certificate from another CA, trusting any server).
 */
public final class RogueMember {
  private RogueMember() {
  }

  public static void main(String[] args) throws Exception {
    String clusterName = args[0];
    List<String> members = List.of(args[1].split(","));
    int hzPort = Integer.parseInt(args[2]);
    String appId = args[3];
    String mode = args[4];
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(clusterName);
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.logging.type", "none");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(hzPort).setPortAutoIncrement(true);
    net.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    net.getJoin().getMulticastConfig().setEnabled(false);
    net.getJoin().getAutoDetectionConfig().setEnabled(false);
    net.getJoin().getTcpIpConfig().setEnabled(true).setMembers(members);
    EventBusOptions bus = new EventBusOptions().setHost("127.0.0.1").setClusterPublicHost("127.0.0.1");
    if ("foreign".equals(mode)) {
      bus.setSsl(true).setKeyCertOptions(new PfxOptions().setPath(args[5]).setPassword(args[6])).setTrustAll(true);
    }
    HazelcastClusterManager cm = new HazelcastClusterManager(hz);
    long t0 = System.currentTimeMillis();
    Vertx vertx;
    try {
      vertx = Vertx.builder().with(new VertxOptions().setEventBusOptions(bus)).withClusterManager(cm).buildClustered().await();
    } catch (Throwable e) {
      System.out.println("ROGUE " + mode + " join: refused " + e);
      System.exit(0);
      return;
    }
    System.out.println("ROGUE " + mode + " join: member of a cluster of " + cm.getNodes().size() + " nodes after "
      + (System.currentTimeMillis() - t0) + " ms");
    System.out.flush();
    JsonObject forged = new JsonObject()
      .put("ctx", new JsonObject().put("appId", appId).put("userId", "alice").put("deviceId", "#api").put("role", "user"))
      .put("frame", new JsonObject().put("receiveUserId", "bob").put("message", "forged").put("unique", "forged-" + mode));
    long t1 = System.currentTimeMillis();
    try {
      Object reply = vertx.eventBus().request("im.chat.api.send", forged, new DeliveryOptions().setSendTimeout(4000)).await().body();
      System.out.println("ROGUE " + mode + " send: ANSWERED " + reply + " after " + (System.currentTimeMillis() - t1) + " ms");
    } catch (Throwable e) {
      System.out.println("ROGUE " + mode + " send: failed " + e + " after " + (System.currentTimeMillis() - t1) + " ms");
    }
    System.out.flush();
    try {
      vertx.close().await();
    } catch (Throwable e) {
      // leaving anyway
    }
    System.out.println("ROGUE " + mode + " done");
    System.out.flush();
    System.exit(0);
  }
}
