package com.seedim.im.common.infra;

import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.id.IdGenerator;
import com.seedim.im.common.store.memory.MemoryKeyValueStore;
import com.seedim.im.common.store.memory.MemorySessionDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;

/** Dev mode: every store in memory, shared by all verticles of this JVM. Nothing is durable. */
public final class MemoryInfra extends AbstractInfra {
  public MemoryInfra(Vertx vertx, ServerConfig config) {
    super(vertx, config, new MemoryKeyValueStore(), new MemorySessionDirectory());
    this.ids = new IdGenerator(config.nodeId() == null ? 0 : config.nodeId());
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public Pool mysql() {
    return null;
  }

  @Override
  public RedisAPI redis() {
    return null;
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return runCloseHooks();
  }
}
