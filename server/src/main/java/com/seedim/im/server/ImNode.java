package com.seedim.im.server;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.infra.ManagementServer;
import com.seedim.im.common.infra.Metrics;
import com.seedim.im.events.EventsVerticle;
import com.seedim.im.gateway.GatewayVerticle;
import com.seedim.im.queue.QueueVerticle;
import com.seedim.im.room.RoomVerticle;
import com.seedim.im.signaling.SignalingVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PfxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * One running node: a Vert.x instance (clustered through Hazelcast when configured), the process's
 * {@link Infra}, and the verticles of its roles. Services deploy before the gateway so that a gateway
 * never accepts sockets it cannot serve; on stop the gateway goes first (99 SHUTDOWN, drain, close 1001).
 */
public final class ImNode {
  /** How often a member that finds itself split from the others tries to merge back (Hazelcast's default: 300 s first). */
  private static final Logger LOG = LoggerFactory.getLogger(ImNode.class);

  private final Vertx vertx;
  private final Infra infra;
  private final List<String> services;
  private final List<String> gateways;
  private final GatewayVerticle firstGateway;
  private ManagementServer management;

  private ImNode(Vertx vertx, Infra infra, List<String> services, List<String> gateways, GatewayVerticle firstGateway) {
    this.vertx = vertx;
    this.infra = infra;
    this.services = services;
    this.gateways = gateways;
    this.firstGateway = firstGateway;
  }

  public static Future<ImNode> start(ServerConfig cfg, Set<Role> roles) {
    Future<Vertx> vx = cfg.cluster().enabled() ? clustered(cfg) : Future.succeededFuture(Metrics.builder(options(cfg)).build());
    return vx.compose(vertx -> Infra.create(vertx, cfg)
      .compose(infra -> deploy(vertx, infra, cfg, roles))
      .onFailure(err -> vertx.close()));
  }

  private static VertxOptions options(ServerConfig cfg) {
    return new VertxOptions().setPreferNativeTransport(false);
  }

  private static Future<Vertx> clustered(ServerConfig cfg) {
    ServerConfig.ClusterConfig cc = cfg.cluster();
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(cc.name());
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    // Notice a crashed member within seconds, not Hazelcast's default minute: until then the bus keeps
    // routing requests to its consumers and they time out as UNAVAILABLE.
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    // A member dropped while it was frozen (GC pause, SIGSTOP, a VM stall) comes back as a cluster of one; Hazelcast
    // merges the split only after merge.first.run.delay (300 s by default). Check for it every few seconds instead, so
    // the member serves again within seconds of waking up (MemberPauseTest).
    int mergeS = cfg.cluster().mergeDelaySeconds();
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(mergeS));
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(mergeS));
    hz.setProperty("hazelcast.max.no.heartbeat.seconds",
      Integer.toString(cfg.cluster().failureDetectionSeconds()));
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(cc.port()).setPortAutoIncrement(true);
    net.getInterfaces().setEnabled(true).addInterface(cc.host());
    join(hz, cc, System.getenv(CLUSTER_DNS_ENV));
    VertxOptions opts = options(cfg).setEventBusOptions(eventBusOptions(cfg));
    logTrust(cfg);
    HazelcastClusterManager cm = new HazelcastClusterManager(hz);
    return Metrics.builder(opts).withClusterManager(cm).buildClustered()
      .onSuccess(v -> LOG.info("cluster '{}' joined: {} members", cc.name(), cm.getNodes().size()));
  }

  /**
   * Environment variable naming a DNS name whose A records are the cluster's members (on Kubernetes: a headless
   * service selecting every SeedIM pod, e.g. {@code seedim-cluster.im.svc.cluster.local}). When set, Hazelcast's
   * built-in Kubernetes discovery in DNS lookup mode replaces the TCP-IP member list: every address the name resolves
   * to, at {@code cluster.port}, is probed (re-resolved while the member looks for others, so new pods are found). It
   * needs no Kubernetes API access (no service account token, no RBAC). Read here, not in the config classes, until a
   * {@code cluster.dns} key exists (docs/deployment.md).
   */
  static final String CLUSTER_DNS_ENV = "IM_CLUSTER_DNS";
  static final int DNS_JOIN_WAIT_SECONDS = 5;

  /**
   * The join: multicast and auto-detection always off; TCP-IP with {@code cluster.members} (or this node alone), or,
   * with {@code dns} non-blank, Kubernetes DNS discovery of that name at {@code cluster.port}.
   */
  static void join(Config hz, ServerConfig.ClusterConfig cc, String dns) {
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (dns != null && !dns.isBlank()) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
        .setProperty("service-dns", dns.trim())
        .setProperty("service-port", Integer.toString(cc.port()))
        .setProperty("service-dns-timeout", "5");
      // Hazelcast's discovery joiner asks the discovery for members only until wait.seconds.before.join has passed: at 0
      // (set above for TCP-IP) it never asks and every new node starts a cluster of its own, left to the split-brain
      // merge. 5 s (Hazelcast's default) is the most a node waits while the name resolves to nothing.
      hz.setProperty("hazelcast.wait.seconds.before.join", Integer.toString(DNS_JOIN_WAIT_SECONDS));
      LOG.info("cluster join: DNS discovery of {} (every A record at port {}; {})", dns.trim(), cc.port(), CLUSTER_DNS_ENV);
      return;
    }
    join.getTcpIpConfig().setEnabled(true).setMembers(cc.members().isEmpty() ? List.of(cc.host() + ":" + cc.port()) : cc.members());
  }

  /**
   * The clustered event bus: plain TCP, or (with {@code cluster.tls}) TLS on both ends of every bus connection with a
   * client certificate required. Each node presents its key store and accepts only peers whose certificate chains to
   * the trust store (the private cluster CA), so a member without it can neither send to this node nor be sent to.
   * Vert.x does not verify host names on bus connections: membership is the CA's signature, not an address.
   */
  static EventBusOptions eventBusOptions(ServerConfig cfg) {
    ServerConfig.ClusterConfig cc = cfg.cluster();
    EventBusOptions bus = new EventBusOptions().setHost(cc.host()).setClusterPublicHost(cc.host()).setPort(cc.eventBusPort());
    ServerConfig.ClusterConfig.Tls tls = cc.tls();
    if (tls != null) {
      bus.setSsl(true)
        .setKeyCertOptions(new PfxOptions().setPath(tls.keyStore()).setPassword(tls.keyStorePassword()))
        .setTrustOptions(new PfxOptions().setPath(tls.trustStore()).setPassword(tls.trustStorePassword()))
        .setClientAuth(ClientAuth.REQUIRED)
        .setTrustAll(false);
    }
    return bus;
  }

  private static void logTrust(ServerConfig cfg) {
    ServerConfig.ClusterConfig cc = cfg.cluster();
    if (cc.tls() != null) {
      LOG.info("cluster '{}': event bus TLS with required client certificates (key store {}, trust store {}); Hazelcast "
        + "membership itself is not authenticated: keep port {} reachable by cluster members only (docs/operations.md, "
        + "Cluster trust)", cc.name(), cc.tls().keyStore(), cc.tls().trustStore(), cc.port());
      return;
    }
    String why = cc.insecure() ? "cluster.insecure is true" : "dev mode (allowUnsafeDev)";
    List<String> banner = List.of(
      "==================================================================================",
      " INSECURE CLUSTER (" + why + "): the event bus of cluster '" + cc.name() + "' is PLAINTEXT and",
      " UNAUTHENTICATED. Any host that reaches the Hazelcast port (" + cc.port() + ") and the event-bus port",
      " can join and send requests as any user of any app. Configure cluster.tls (scripts/cluster-certs.sh).",
      "==================================================================================");
    banner.forEach(LOG::warn);
  }

  /** A service verticle and how many instances of it a node runs (each instance on its own event loop). */
  private record Service(Function<Infra, Deployable> factory, int instances) {
  }

  private static Future<ImNode> deploy(Vertx vertx, Infra infra, ServerConfig cfg, Set<Role> roles) {
    List<Service> services = new ArrayList<>();
    if (roles.contains(Role.CHAT)) {
      services.add(new Service(ChatVerticle::new, ChatVerticle.instances(cfg)));
    }
    if (roles.contains(Role.QUEUE)) {
      services.add(new Service(QueueVerticle::new, 1));
    }
    if (roles.contains(Role.ROOM)) {
      services.add(new Service(RoomVerticle::new, 1));
    }
    if (roles.contains(Role.SIGNALING)) {
      services.add(new Service(SignalingVerticle::new, 1));
    }
    if (roles.contains(Role.EVENTS)) {
      services.add(new Service(EventsVerticle::new, 1));
    }
    List<String> serviceIds = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Service service : services) {
      chain = chain.compose(v -> vertx.deployVerticle(() -> service.factory().apply(infra),
        new DeploymentOptions().setInstances(service.instances())).map(id -> {
          serviceIds.add(id);
          return null;
        }));
    }
    int gatewayInstances = cfg.gatewayInstances();
    List<String> gatewayIds = new ArrayList<>();
    GatewayVerticle[] first = new GatewayVerticle[1];
    if (roles.contains(Role.GATEWAY)) {
      for (int i = 0; i < gatewayInstances; i++) {
        chain = chain.compose(v -> {
          GatewayVerticle g = new GatewayVerticle(infra);
          if (first[0] == null) {
            first[0] = g;
          }
          return vertx.deployVerticle(g, new DeploymentOptions()).map(id -> {
            gatewayIds.add(id);
            return null;
          });
        });
      }
    }
    return chain.compose(v -> {
      ImNode node = new ImNode(vertx, infra, serviceIds, gatewayIds, first[0]);
      ManagementServer m = new ManagementServer(vertx, infra);
      if (first[0] != null) {
        m.check(() -> first[0].accepting() ? Future.succeededFuture() : Future.failedFuture("gateway shutting down"));
      }
      node.management = m;
      return m.start(cfg.managementHost(), cfg.managementPort()).map(x -> node);
    }).onSuccess(node -> LOG.info("node up: roles {} ({} chat instances), {} mode, stores {}, clustered {}, management port {}",
      roles, roles.contains(Role.CHAT) ? ChatVerticle.instances(cfg) : 0, cfg.dev() ? "dev" : "production",
      infra.durable() ? "MySQL+Redis" : "in-memory", vertx.isClustered(), node.management.port()));
  }

  public Vertx vertx() {
    return vertx;
  }

  public Infra infra() {
    return infra;
  }

  /** The first gateway instance, or null when this node runs no gateway. */
  public GatewayVerticle gateway() {
    return firstGateway;
  }

  /** Graceful stop: gateways first (99 SHUTDOWN, drain, close), then services, stores and Vert.x. */
  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (String id : gateways) {
      chain = chain.compose(v -> vertx.undeploy(id).otherwiseEmpty());
    }
    for (String id : services) {
      chain = chain.compose(v -> vertx.undeploy(id).otherwiseEmpty());
    }
    return chain.compose(v -> management == null ? Future.succeededFuture() : management.close())
      .compose(v -> infra.close()).eventually(() -> vertx.close());
  }

  /** The management port (health, ready, metrics). */
  public int managementPort() {
    return management.port();
  }
}
