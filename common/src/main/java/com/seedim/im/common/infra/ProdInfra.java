package com.seedim.im.common.infra;

import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.id.IdGenerator;
import com.seedim.im.common.store.Deadlines;
import com.seedim.im.common.store.redis.MultiplexedRedis;
import com.seedim.im.common.store.redis.RedisKeyValueStore;
import com.seedim.im.common.store.redis.RedisSessionDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Production: MySQL (MariaDB) for messages and conversations, Redis for presence, routes, queues, rooms,
 * dedupe and rate limits. {@link #connect} fails unless both answer. The id generator's node number is
 * leased in Redis ({@code <prefix>node:<n>}) unless {@code nodeId} is configured. Redis is one server or a Redis
 * Cluster ({@code redis.mode}); every command and script of this process stays within one hash slot.
 */
public final class ProdInfra extends AbstractInfra {
  private static final Logger LOG = LoggerFactory.getLogger(ProdInfra.class);
  private static final Pattern DB_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");

  private final Redis redisClient;
  private final RedisAPI redis;
  private final Pool mysql;
  private long leaseTimer = -1;

  private ProdInfra(Vertx vertx, ServerConfig config, Redis redisClient, Pool mysql) {
    this(vertx, config, redisClient, RedisAPI.api(redisClient), mysql);
  }

  private ProdInfra(Vertx vertx, ServerConfig config, Redis redisClient, RedisAPI redis, Pool mysql) {
    this(vertx, config, redisClient, redis,
      new RedisSessionDirectory(vertx, redis, config.redis().prefix(), config.redis().cluster()), mysql);
  }

  private ProdInfra(Vertx vertx, ServerConfig config, Redis redisClient, RedisAPI redis, RedisSessionDirectory directory,
                    Pool mysql) {
    super(vertx, config, new RedisKeyValueStore(redis, config.redis().prefix()), directory);
    this.redisClient = redisClient;
    this.redis = redis;
    this.mysql = mysql;
    directory.start();
    onClose(() -> {
      directory.close();
      return Future.succeededFuture();
    });
  }

  /**
   * The Vert.x client options: one Redis at {@code connectionString}, or ({@code redis.mode: cluster}) a Redis Cluster
   * client seeded with every {@code redis.endpoints} URI; it reads the slot map from the first seed that answers,
   * routes each command to the master of its key's slot and follows MOVED/ASK redirections.
   */
  static RedisOptions redisOptions(ServerConfig.RedisConfig r, NetClientOptions net) {
    RedisOptions o = new RedisOptions()
      .setNetClientOptions(new NetClientOptions(net))
      .setMaxPoolSize(Math.max(r.poolSize(), r.connections() + 2))
      // A mass disconnect or reconnect storm queues several commands per socket: 4096 waiters failed
      // (ConnectionPoolTooBusyException) and lost disconnect/presence work when 2,000+ sockets dropped at once.
      .setMaxPoolWaiting(1 << 20)
      .setMaxWaitingHandlers(65536);
    if (r.cluster()) {
      o.setType(RedisClientType.CLUSTER).setEndpoints(new ArrayList<>(r.endpoints()));
      LOG.info("redis: cluster mode, {} seed endpoints", r.endpoints().size());
    } else {
      o.setConnectionString(r.connectionString());
      LOG.info("redis: standalone mode");
    }
    return o;
  }

  public static Future<Infra> connect(Vertx vertx, ServerConfig config) {
    ServerConfig.MySqlConfig my = config.mysql();
    if (!DB_NAME.matcher(my.database()).matches()) {
      return Future.failedFuture(new IllegalArgumentException("invalid MySQL database name: " + my.database()));
    }
    // M5: a socket that cannot connect fails fast, and a silent peer is eventually noticed by the kernel (keepalive)
    NetClientOptions net = new NetClientOptions().setTcpKeepAlive(true).setConnectTimeout(Deadlines.CONNECT_TIMEOUT_MS);
    long redisTimeout = redisCommandTimeoutMs(config);
    Redis pooled = Redis.createClient(vertx, redisOptions(config.redis(), net));
    // connections = 0: the plain pooled client (one command per leased connection), for comparison
    Redis redisClient = config.redis().connections() > 0 ? new MultiplexedRedis(pooled, config.redis().connections(), vertx, redisTimeout) : pooled;
    MySQLConnectOptions base = new MySQLConnectOptions().setHost(my.host()).setPort(my.port()).setUser(my.user())
      .setPassword(my.password()).setCharset("utf8mb4").setPipeliningLimit(256)
      // Without the cache every preparedQuery is PREPARE + EXECUTE + CLOSE: two round trips and two parses in MariaDB.
      .setCachePreparedStatements(true).setPreparedStatementCacheMaxSize(512).setPreparedStatementCacheSqlLimit(4096);
    // Create the database if it does not exist yet (a fresh machine), then open the real pool.
    Pool bootstrap = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(1)).with(new NetClientOptions(net))
      .connectingTo(base).using(vertx).build();
    return bootstrap.query("CREATE DATABASE IF NOT EXISTS `" + my.database() + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
      .execute()
      .eventually(bootstrap::close)
      .compose(v -> {
        Pool pool = MySQLBuilder.pool()
          // M5: waiting for a pooled connection is bounded too (a stalled MariaDB holds every connection)
          .with(new PoolOptions().setMaxSize(my.poolSize()).setMaxWaitQueueSize(65536)
            .setConnectionTimeout(mysqlQueryTimeoutMs(config) > 0 ? (int) mysqlQueryTimeoutMs(config) : 30_000).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))
          .with(new NetClientOptions(net))
          .connectingTo(new MySQLConnectOptions(base).setDatabase(my.database()))
          .using(vertx)
          .build();
        ProdInfra infra = new ProdInfra(vertx, config, redisClient, pool);
        return infra.ping().compose(x -> infra.leaseNodeId()).onSuccess(x -> infra.startGatewayPrune()).map(x -> (Infra) infra)
          .onFailure(err -> infra.close());
      })
      .onFailure(err -> {
        LOG.error("production stores unreachable (MySQL {}:{}/{}, Redis {}): {}", my.host(), my.port(), my.database(),
          config.redis().cluster() ? "cluster " + config.redis().endpoints() : config.redis().connectionString(), err.toString());
        redisClient.close();
      });
  }

  /** {@code redis.commandTimeoutMs} (default {@link Deadlines#REDIS_COMMAND_TIMEOUT_MS}); 0 disables the deadline. */
  public static long redisCommandTimeoutMs(ServerConfig config) {
    return config.redis().commandTimeoutMs();
  }

  /** {@code mysql.queryTimeoutMs} (default {@link Deadlines#MYSQL_QUERY_TIMEOUT_MS}); 0 disables the deadline. */
  public static long mysqlQueryTimeoutMs(ServerConfig config) {
    return config.mysql().queryTimeoutMs();
  }

  /** {@code nodeLeaseMs}: lifetime of the id node lease; renewed every third of it. */
  static long nodeLeaseMs(ServerConfig config) {
    return config.nodeLeaseMs();
  }

  // KEYS: node key. ARGV: token, lease ms. Extends the lease only while it is still ours (M8).
  private static final String RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    + "redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end return 0";
  private static final String RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

  /** A gateway whose alive mark is older than this is dropped from {@code gw:alive} (L11); it counts as dead long before. */
  static final long GATEWAY_PRUNE_AFTER_MS = 10 * 60_000;
  /** How often this node prunes {@code gw:alive}. */
  static final long GATEWAY_PRUNE_EVERY_MS = 60_000;
  // KEYS: gw:alive. ARGV: age ms. Uses Redis time, as the alive checks do.
  private static final String PRUNE_GATEWAYS = "local t = redis.call('TIME') "
    + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
    + "return redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))";
  private long pruneTimer = -1;

  /**
   * L11: crashed gateways never call {@code gatewayGone}, so their {@code gw:alive} entries stayed forever; every node
   * removes entries older than {@link #GATEWAY_PRUNE_AFTER_MS} (far beyond the 20 s after which they count as dead).
   */
  private void startGatewayPrune() {
    pruneGateways();
    pruneTimer = vertx.setPeriodic(GATEWAY_PRUNE_EVERY_MS, t -> pruneGateways());
  }

  private void pruneGateways() {
    redis.eval(List.of(PRUNE_GATEWAYS, "1", config.redis().prefix() + "gw:alive", Long.toString(GATEWAY_PRUNE_AFTER_MS)))
      .onSuccess(r -> {
        if (r != null && r.toLong() > 0) {
          LOG.info("pruned {} gateway(s) dead for over {} min from gw:alive", r.toLong(), GATEWAY_PRUNE_AFTER_MS / 60_000);
        }
      })
      .onFailure(err -> LOG.debug("could not prune gw:alive: {}", err.toString()));
  }

  private final String leaseToken = UUID.randomUUID().toString();
  private volatile int leasedNode = -1;
  private boolean renewing;

  private String nodeKey(int n) {
    return config.redis().prefix() + "node:" + n;
  }

  /**
   * The id generator's node number is a lease in Redis ({@code <prefix>node:<n>}, value = this process's token),
   * also when {@code nodeId} is configured: a configured number already held by a live node refuses the start
   * (a duplicate {@code IM_NODE_ID}). The lease is renewed with a compare-token script; when it is found taken by
   * another node, or could not be renewed for a whole lease time, the generator refuses ids until a number is
   * leased again (audit M8).
   */
  private Future<Void> leaseNodeId() {
    long leaseMs = nodeLeaseMs(config);
    long asked = System.currentTimeMillis();
    Future<Integer> first = config.nodeId() != null
      ? claim(config.nodeId()).compose(ok -> ok ? Future.succeededFuture(config.nodeId())
        : Future.failedFuture(new IllegalStateException("configured nodeId " + config.nodeId()
          + " is held by another live node (duplicate IM_NODE_ID?); refusing to start")))
      : tryLease(0, leaseToken);
    return first.map(n -> {
      ids = new IdGenerator(n);
      ids.lease(n, asked + leaseMs);
      leasedNode = n;
      leaseTimer = vertx.setPeriodic(Math.max(100, leaseMs / 3), t -> renew(leaseMs));
      onClose(() -> {
        int mine = leasedNode;
        return mine < 0 ? Future.succeededFuture() : redis.eval(List.of(RELEASE, "1", nodeKey(mine), leaseToken));
      });
      LOG.info("message-id node number {} leased{}", n, config.nodeId() != null ? " (configured)" : "");
      return null;
    });
  }

  private Future<Boolean> claim(int n) {
    return redis.set(List.of(nodeKey(n), leaseToken, "PX", Long.toString(nodeLeaseMs(config)), "NX")).map(r -> r != null);
  }

  private void renew(long leaseMs) {
    if (renewing) {
      return;
    }
    renewing = true;
    int n = leasedNode;
    long asked = System.currentTimeMillis();
    Future<?> step;
    if (n < 0) {
      step = leaseAgain(leaseMs, asked);
    } else {
      step = redis.eval(List.of(RENEW, "1", nodeKey(n), leaseToken, Long.toString(leaseMs))).compose(r -> {
        if (r != null && r.toInteger() == 1) {
          ids.renewed(asked + leaseMs);
          return Future.succeededFuture();
        }
        LOG.error("message-id node lease {} was taken over by another node: ids refused until a number is re-leased", n);
        ids.revoke();
        leasedNode = -1;
        return leaseAgain(leaseMs, asked);
      }, err -> {
        // not renewed: ids go on until the lease time is over (IdGenerator checks it), then are refused
        LOG.warn("could not renew message-id node lease {}: {}", n, err.toString());
        return Future.succeededFuture();
      });
    }
    step.onComplete(ar -> renewing = false);
  }

  /** Leases a number again after losing ours: the configured one, or the first free one. */
  private Future<?> leaseAgain(long leaseMs, long asked) {
    Future<Integer> f = config.nodeId() != null
      ? claim(config.nodeId()).map(ok -> ok ? config.nodeId() : -1)
      : tryLease(0, leaseToken);
    return f.onSuccess(n -> {
      if (n >= 0) {
        ids.lease(n, asked + leaseMs);
        leasedNode = n;
        LOG.warn("message-id node number {} leased again", n);
      }
    }).onFailure(err -> LOG.warn("could not re-lease a message-id node number: {}", err.toString()));
  }

  private Future<Integer> tryLease(int n, String token) {
    if (n > IdGenerator.MAX_NODE) {
      return Future.failedFuture(new IllegalStateException("no free id node number (all " + (IdGenerator.MAX_NODE + 1) + " leased)"));
    }
    String key = config.redis().prefix() + "node:" + n;
    return redis.set(List.of(key, token, "PX", Long.toString(nodeLeaseMs(config)), "NX"))
      .compose(r -> r != null ? Future.succeededFuture(n) : tryLease(n + 1, token));
  }

  @Override
  public boolean durable() {
    return true;
  }

  @Override
  public Pool mysql() {
    return mysql;
  }

  @Override
  public RedisAPI redis() {
    return redis;
  }

  @Override
  public Future<Void> ping() {
    return Future.all(redis.ping(List.of()), mysql.query("SELECT 1").execute()).mapEmpty();
  }

  @Override
  public Future<Void> close() {
    if (leaseTimer >= 0) {
      vertx.cancelTimer(leaseTimer);
    }
    if (pruneTimer >= 0) {
      vertx.cancelTimer(pruneTimer);
    }
    return runCloseHooks().eventually(() -> mysql.close()).eventually(() -> {
      redisClient.close();
      return Future.succeededFuture();
    });
  }
}
