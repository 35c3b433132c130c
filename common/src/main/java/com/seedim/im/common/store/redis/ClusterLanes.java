package com.seedim.im.common.store.redis;

import io.vertx.redis.client.impl.PooledRedisConnection;
import io.vertx.redis.client.impl.RedisClusterConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The per-master connections inside a Vert.x {@link RedisClusterConnection} (vertx-redis-client 5.0.x keeps them in
 * a private map and offers no way to close them for real). {@link MultiplexedRedis} needs them to close a silent
 * socket instead of handing it back to the pool. Should a later client version rename the field, this answers
 * nothing and says so once in the log: a timed-out cluster lane is then only closed (pooled sockets recycled), as the
 * client itself would do.
 */
final class ClusterLanes {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterLanes.class);
  private static final Field CONNECTIONS = field();

  private ClusterLanes() {
  }

  private static Field field() {
    try {
      Field f = RedisClusterConnection.class.getDeclaredField("connections");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("cannot reach the per-master connections of a Redis Cluster connection ({}); a timed-out cluster lane's"
        + " sockets go back to the pool instead of being closed", e.toString());
      return null;
    }
  }

  /** The lane's connection to each master it has talked to. */
  static List<PooledRedisConnection> nodeConnections(RedisClusterConnection c) {
    if (CONNECTIONS == null) {
      return List.of();
    }
    try {
      Map<?, ?> m = (Map<?, ?>) CONNECTIONS.get(c);
      List<PooledRedisConnection> out = new ArrayList<>();
      synchronized (m) {
        for (Object o : m.values()) {
          if (o instanceof PooledRedisConnection pc) {
            out.add(pc);
          }
        }
      }
      return out;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return List.of();
    }
  }
}
