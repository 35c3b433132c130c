package com.seedim.im.cs.store;

import com.seedim.im.testkit.faults.RedisCluster;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

import java.util.UUID;

/**
 * A real three-master Redis Cluster of the test class's own ({@link RedisCluster}) and a cluster client on it, as
 * production runs with {@code redis.mode = cluster}: a script whose keys are not all declared or not all of one
 * slot fails there ({@code CROSSSLOT}, or a key of another node), where the standalone Redis would let it pass.
 */
final class TestRedisCluster {
  private final RedisCluster cluster;
  private final Redis client;
  private final RedisAPI api;

  TestRedisCluster(Vertx vertx) {
    cluster = RedisCluster.start();
    RedisOptions o = new RedisOptions().setType(RedisClientType.CLUSTER);
    cluster.uris().forEach(o::addConnectionString);
    client = Redis.createClient(vertx, o);
    api = RedisAPI.api(client);
  }

  RedisAPI api() {
    return api;
  }

  RedisCluster cluster() {
    return cluster;
  }

  /** A new key prefix: one store under test each (the cluster is the class's own and goes with it). */
  String freshPrefix() {
    return "imt:" + UUID.randomUUID().toString().substring(0, 6) + ":";
  }

  void close() {
    client.close();
    cluster.close();
  }
}
