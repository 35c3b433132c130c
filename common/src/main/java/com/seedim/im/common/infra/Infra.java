package com.seedim.im.common.infra;

import com.seedim.im.common.bus.Pusher;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.id.IdGenerator;
import com.seedim.im.common.store.KeyValueStore;
import com.seedim.im.common.store.SessionDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;

import java.util.function.Supplier;

/**
 * The shared resources of one process, built once by the launcher (or a test) and handed to every verticle:
 * in dev mode in-memory stores shared by all verticles of the JVM; in production MySQL and Redis clients.
 */
public interface Infra {
  Vertx vertx();

  ServerConfig config();

  /** True when state lives in MySQL/Redis (production); false in dev mode (memory, not durable). */
  boolean durable();

  KeyValueStore kv();

  SessionDirectory directory();

  IdGenerator ids();

  Pusher pusher();

  /** The MySQL pool, or null in dev mode. */
  Pool mysql();

  /** The Redis API, or null in dev mode. */
  RedisAPI redis();

  /** The Redis key prefix of this deployment (e.g. {@code im:}). */
  String redisPrefix();

  /** A per-process singleton (e.g. an in-memory store shared by all instances of a verticle). */
  <T> T shared(Class<T> type, Supplier<T> factory);

  /** Runs {@code hook} on {@link #close()} (before the clients are closed). */
  void onClose(Supplier<Future<?>> hook);

  /** Succeeds when every store answers (used by {@code /ready}). */
  Future<Void> ping();

  Future<Void> close();

  /** Builds the infra for a config: memory in dev mode, MySQL + Redis (verified reachable) otherwise. */
  static Future<Infra> create(Vertx vertx, ServerConfig config) {
    if (config.dev() && !config.devDurable()) {
      return Future.succeededFuture(new MemoryInfra(vertx, config));
    }
    return ProdInfra.connect(vertx, config).onSuccess(i -> ((AbstractInfra) i).watchRedis(i.redis()));
  }
}
