package com.seedim.im.common.infra;

import com.seedim.im.common.bus.Pusher;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.id.IdGenerator;
import com.seedim.im.common.store.KeyValueStore;
import com.seedim.im.common.store.RoomStore;
import com.seedim.im.common.store.SessionDirectory;
import com.seedim.im.common.store.memory.MemoryKeyValueStore;
import com.seedim.im.common.store.memory.MemoryRoomStore;
import com.seedim.im.common.store.memory.MemorySessionDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;

/** Dev mode: every store in memory, shared by all verticles of this JVM. Nothing is durable. */
public final class MemoryInfra extends AbstractInfra {
  private final KeyValueStore kv = new MemoryKeyValueStore();
  private final SessionDirectory directory = new MemorySessionDirectory();
  private final RoomStore rooms = new MemoryRoomStore();
  private final IdGenerator ids;
  private final Pusher pusher;

  public MemoryInfra(Vertx vertx, ServerConfig config) {
    super(vertx, config);
    this.ids = new IdGenerator(config.nodeId() == null ? 0 : config.nodeId());
    this.pusher = new Pusher(vertx.eventBus(), directory);
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public KeyValueStore kv() {
    return kv;
  }

  @Override
  public SessionDirectory directory() {
    return directory;
  }

  @Override
  public RoomStore rooms() {
    return rooms;
  }

  @Override
  public IdGenerator ids() {
    return ids;
  }

  @Override
  public Pusher pusher() {
    return pusher;
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
  public String redisPrefix() {
    return config.redis().prefix();
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
