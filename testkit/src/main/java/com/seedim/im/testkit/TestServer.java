package com.seedim.im.testkit;

import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.infra.ManagementServer;
import com.seedim.im.common.security.Signatures;
import com.seedim.im.gateway.GatewayVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A real server for tests: a gateway on a free port plus the verticles a test chooses, on dev (memory) stores
 * or on the machine's real MariaDB and Redis, isolated by a fresh database and Redis key prefix per server.
 * Call from the test thread; everything blocks until ready.
 */
public final class TestServer implements AutoCloseable {
  public static final String APP_ID = ServerConfig.DEV_APP_ID;
  public static final String SECRET = "test-secret-0123456789-0123456789-abcdef";
  public static final String MYSQL_HOST = System.getenv().getOrDefault("IM_TEST_MYSQL_HOST", "127.0.0.1");
  public static final String REDIS_URI = System.getenv().getOrDefault("IM_TEST_REDIS_URI", "redis://127.0.0.1:6379");

  private final Vertx vertx;
  private final Infra infra;
  private final ServerConfig config;
  private final GatewayVerticle gateway;
  private final ManagementServer management;
  private final WebSocketClient wsClient;
  private final List<TestClient> clients = new CopyOnWriteArrayList<>();
  private final String database;
  private final String redisPrefix;
  private final String redisUri;
  private final String mysqlHost;
  private final int mysqlPort;
  /** The Redis nodes holding this server's keys (every master of a cluster), cleaned on close. */
  private List<String> redisNodes = List.of();
  /** False when the Vert.x instance was handed in (e.g. injected by VertxExtension, which closes it). */
  private boolean ownsVertx = true;
  /** False with {@link Builder#standInServices()}: the frames are made up by the test's own services. */
  private boolean checkContract = true;

  private TestServer(Vertx vertx, Infra infra, ServerConfig config, GatewayVerticle gateway, ManagementServer management,
                     String database, String redisPrefix, String redisUri, String mysqlHost, int mysqlPort) {
    this.redisUri = redisUri;
    this.mysqlHost = mysqlHost;
    this.mysqlPort = mysqlPort;
    this.management = management;
    this.vertx = vertx;
    this.infra = infra;
    this.config = config;
    this.gateway = gateway;
    this.database = database;
    this.redisPrefix = redisPrefix;
    this.wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(20000).setMaxFrameSize(1 << 20)
      .setMaxMessageSize(1 << 20));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a test server. */
  public static final class Builder {
    private Vertx vertx;
    private boolean durable;
    private final JsonObject app = new JsonObject();
    private final JsonObject server = new JsonObject();
    private final List<Function<Infra, Deployable>> verticles = new ArrayList<>();
    private final List<Integer> instances = new ArrayList<>();
    private final List<JsonObject> extraApps = new ArrayList<>();
    private String redisUri = REDIS_URI;
    private List<String> redisClusterEndpoints;
    private String mysqlHost = MYSQL_HOST;
    private int mysqlPort = 3306;
    private boolean standIns;

    /**
     * The test deploys stand-in services (e.g. a probe that answers with made-up frames to exercise the gateway):
     * this server's clients then do not check received frames against docs/asyncapi.yaml.
     */
    public Builder standInServices() {
      this.standIns = true;
      return this;
    }

    /** Another Redis than the machine's (e.g. a private one a fault test pauses); default {@link #REDIS_URI}. */
    public Builder redisUri(String uri) {
      this.redisUri = uri;
      return this;
    }

    /**
     * A Redis Cluster instead of the machine's Redis ({@code redis.mode: cluster} with these seed nodes, e.g.
     * {@link com.seedim.im.testkit.faults.RedisCluster#uris()}); use with {@link #durable}.
     */
    public Builder redisCluster(List<String> endpoints) {
      this.redisClusterEndpoints = List.copyOf(endpoints);
      this.redisUri = endpoints.get(0);
      return this;
    }

    /** Another MariaDB than the machine's; default {@link #MYSQL_HOST}:3306. */
    public Builder mysql(String host, int port) {
      this.mysqlHost = host;
      this.mysqlPort = port;
      return this;
    }

    /** Real MariaDB and Redis (fresh database and key prefix) instead of memory. */
    public Builder durable(boolean on) {
      this.durable = on;
      return this;
    }

    /** Overrides of the test app's settings (PROTOCOL.md §8), e.g. {@code {"requireChatSign": false}}. */
    public Builder app(JsonObject overrides) {
      app.mergeIn(overrides);
      return this;
    }

    /** Another app (tenant) with its own settings; must carry appId and secret. */
    public Builder extraApp(JsonObject appConfig) {
      extraApps.add(appConfig);
      return this;
    }

    /** Overrides of server settings, e.g. {@code {"maxFrameBytes": 1000}}. */
    public Builder server(JsonObject overrides) {
      server.mergeIn(overrides);
      return this;
    }

    /**
     * Runs the server on this Vert.x instance (e.g. the one {@code VertxExtension} injects) instead of a new one;
     * {@link TestServer#close()} then leaves it open for its owner to close.
     */
    public Builder vertx(Vertx vertx) {
      this.vertx = vertx;
      return this;
    }

    /** A verticle to deploy next to the gateway (deployed before it). */
    public Builder verticle(Function<Infra, Deployable> factory) {
      return verticle(factory, 1);
    }

    /** {@code instances} instances of a verticle (each on its own event loop), deployed before the gateway. */
    public Builder verticle(Function<Infra, Deployable> factory, int instances) {
      verticles.add(factory);
      this.instances.add(instances);
      return this;
    }

    private JsonObject redisJson(String prefix) {
      JsonObject r = new JsonObject().put("connectionString", redisUri).put("prefix", prefix);
      if (redisClusterEndpoints != null) {
        r.put("mode", "cluster").put("endpoints", new JsonArray(new ArrayList<>(redisClusterEndpoints)));
      }
      return r;
    }

    public TestServer start() {
      String tag = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      String database = durable ? "imt_" + tag : null;
      String prefix = "imt:" + tag + ":";
      JsonObject appJson = new JsonObject().put("appId", APP_ID).put("secret", SECRET).put("dynamicQueues", true)
        .mergeIn(app);
      JsonArray apps = new JsonArray().add(appJson);
      extraApps.forEach(apps::add);
      JsonObject json = new JsonObject()
        .put("mode", durable ? "prod" : "dev")
        .put("host", "127.0.0.1")
        .put("port", 0)
        .put("managementPort", 0)
        .put("shutdownDrainMs", 200)
        .put("apps", apps)
        .put("mysql", new JsonObject().put("host", mysqlHost).put("port", mysqlPort).put("database", durable ? database : "test")
          .put("poolSize", 4))
        .put("redis", redisJson(prefix))
        .mergeIn(server, true);
      ServerConfig cfg = ServerConfig.fromJson(json, Map.of());
      boolean own = this.vertx == null;
      Vertx vertx = own ? Vertx.vertx() : this.vertx;
      try {
        Infra infra = Infra.create(vertx, cfg).await();
        for (int i = 0; i < verticles.size(); i++) {
          Function<Infra, Deployable> f = verticles.get(i);
          vertx.deployVerticle(() -> f.apply(infra), new DeploymentOptions().setInstances(instances.get(i))).await();
        }
        GatewayVerticle gw = new GatewayVerticle(infra);
        vertx.deployVerticle(gw).await();
        ManagementServer mgmt = new ManagementServer(vertx, infra)
          .check(() -> gw.accepting() ? Future.succeededFuture() : Future.failedFuture("gateway shutting down"))
          .start(cfg.managementHost(), cfg.managementPort()).await();
        TestServer server = new TestServer(vertx, infra, cfg, gw, mgmt, database, prefix, redisUri, mysqlHost, mysqlPort);
        server.redisNodes = redisClusterEndpoints == null ? List.of(redisUri) : redisClusterEndpoints;
        server.ownsVertx = own;
        server.checkContract = !standIns;
        return server;
      } catch (RuntimeException e) {
        if (own) {
          vertx.close().await();
        }
        throw e;
      }
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  public Infra infra() {
    return infra;
  }

  /** The MariaDB database of a durable server (null in dev mode): another node's config can name it. */
  public String database() {
    return database;
  }

  public ServerConfig config() {
    return config;
  }

  public GatewayVerticle gateway() {
    return gateway;
  }

  public int port() {
    return gateway.actualPort();
  }

  public int managementPort() {
    return management.port();
  }

  public String redisPrefix() {
    return redisPrefix;
  }

  /** The Redis this server uses. */
  public String redisUri() {
    return redisUri;
  }

  /** The connect sign (§2 HMAC) for the test app. */
  public static String sign(String userId, String loginId, String role, long txNo) {
    return Signatures.login(SECRET, APP_ID, userId, loginId, role, Long.toString(txNo));
  }

  /** A valid chat permission sign (§5) from sender to receiver issued now; returns {receiveSign, timestamp}. */
  public static JsonObject chatSign(String sender, String receiver) {
    long ts = System.currentTimeMillis();
    return new JsonObject().put("receiveSign", Signatures.chat(SECRET, APP_ID, sender, receiver, ts)).put("timestamp", ts);
  }

  /** The connect query for a user (role null → parameter absent). */
  public static String query(String userId, String deviceId, String role) {
    long tx = System.currentTimeMillis();
    StringBuilder q = new StringBuilder("/ws?appId=").append(APP_ID).append("&userId=").append(enc(userId))
      .append("&msgType=10&txNo=").append(tx);
    if (deviceId != null) {
      q.append("&loginId=").append(enc(deviceId));
    }
    if (role != null) {
      q.append("&role=").append(enc(role));
    }
    q.append("&sign=").append(sign(userId, deviceId, role, tx));
    return q.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  public TestClient connect(String userId) {
    return connect(userId, null, null);
  }

  public TestClient connect(String userId, String deviceId) {
    return connect(userId, deviceId, null);
  }

  /**
   * Connects a signed client (role null = user) and waits until its session is registered: a heartbeat round
   * trip, since the gateway handles frames only after the connect sequence (routes, 1170, replays) is done.
   * The 21 is consumed; everything the connect sequence pushed stays in the inbox.
   */
  public TestClient connect(String userId, String deviceId, String role) {
    TestClient c = TestClient.connectReady(wsClient, port(), userId, deviceId, role).contractChecks(checkContract);
    clients.add(c);
    return c;
  }

  /** Connects with any path and query (for handshake tests); fails with UpgradeRejectedException when refused. */
  public Future<TestClient> connectRaw(String pathAndQuery, String userId, String deviceId, String origin) {
    return TestClient.connect(wsClient, port(), pathAndQuery, userId, deviceId, origin)
      .map(c -> c.contractChecks(checkContract)).onSuccess(clients::add);
  }

  /** Closes everything, then fails if any of its clients received a frame that does not match docs/asyncapi.yaml. */
  @Override
  public void close() {
    for (TestClient c : clients) {
      c.close();
    }
    try {
      closeServer();
    } finally {
      for (TestClient c : clients) {
        c.assertContract();
      }
    }
  }

  private void closeServer() {
    try {
      try {
        if (gateway.deploymentID() != null && vertx.deploymentIDs().contains(gateway.deploymentID())) {
          vertx.undeploy(gateway.deploymentID()).await();
        }
        for (String id : List.copyOf(vertx.deploymentIDs())) {
          vertx.undeploy(id).await();
        }
        management.close().await();
        infra.close().await();
      } catch (RuntimeException e) {
        // keep closing
      }
      if (ownsVertx) {
        vertx.close().await();
      } else {
        wsClient.close().await();
      }
    } finally {
      if (database != null) {
        DurableState.drop(mysqlHost, mysqlPort, database, redisNodes, redisPrefix);
      }
    }
  }
}
