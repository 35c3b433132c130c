package com.seedim.im.testkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

import java.util.List;

/** What a test left in the machine's shared MariaDB and Redis: its own database and its own key prefix. */
public final class DurableState {
  /** SCAN (not KEYS, which blocks a shared Redis) and DEL every key matching ARGV[1]; returns how many went. */
  private static final String DELETE_MATCHING = "local c = 0 local cur = '0' repeat "
    + "local r = redis.call('SCAN', cur, 'MATCH', ARGV[1], 'COUNT', 1000) "
    + "cur = r[1] for _, k in ipairs(r[2]) do redis.call('DEL', k) c = c + 1 end until cur == '0' return c";

  private DurableState() {
  }

  /** Deletes every key under {@code prefix}. */
  public static Future<Void> deleteKeys(RedisAPI api, String prefix) {
    return api.eval(List.of(DELETE_MATCHING, "0", prefix + "*")).mapEmpty();
  }

  /** Drops {@code database} and the Redis keys under {@code redisPrefix}, best effort, on a Vert.x of its own. */
  public static void drop(String mysqlHost, int mysqlPort, String database, String redisUri, String redisPrefix) {
    drop(mysqlHost, mysqlPort, database, List.of(redisUri), redisPrefix);
  }

  /**
   * As {@link #drop(String, int, String, String, String)}, deleting the keys on each of {@code redisNodes} (every
   * master of a Redis Cluster: each SCAN sees only the keys of its own node).
   */
  public static void drop(String mysqlHost, int mysqlPort, String database, List<String> redisNodes, String redisPrefix) {
    Vertx v = Vertx.vertx();
    try {
      Pool pool = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(1))
        .connectingTo(new MySQLConnectOptions().setHost(mysqlHost).setPort(mysqlPort).setUser("root").setPassword(""))
        .using(v).build();
      pool.query("DROP DATABASE IF EXISTS `" + database + "`").execute().eventually(pool::close).await();
      for (String node : redisNodes) {
        Redis redis = Redis.createClient(v, node);
        deleteKeys(RedisAPI.api(redis), redisPrefix).eventually(redis::close).await();
      }
    } catch (RuntimeException e) {
      // best effort: a leftover database or prefix is isolated by its random name
    } finally {
      v.close().await();
    }
  }
}
