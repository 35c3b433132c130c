package com.seedim.im.common.infra;

import com.seedim.im.common.bus.Pusher;
import com.seedim.im.common.bus.msg.BusMessages;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.id.IdGenerator;
import com.seedim.im.common.store.KeyValueStore;
import com.seedim.im.common.store.SessionDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

abstract class AbstractInfra implements Infra {
  protected final Vertx vertx;
  protected final ServerConfig config;
  private final KeyValueStore kv;
  private final SessionDirectory directory;
  private final Pusher pusher;
  protected IdGenerator ids;
  private final Map<Class<?>, Object> shared = new ConcurrentHashMap<>();
  private final List<Supplier<Future<?>>> closeHooks = new ArrayList<>();
  private RedisResets resets;

  AbstractInfra(Vertx vertx, ServerConfig config, KeyValueStore kv, SessionDirectory directory) {
    this.vertx = vertx;
    this.config = config;
    this.kv = kv;
    this.directory = directory;
    BusMessages.register(vertx.eventBus());
    this.pusher = new Pusher(vertx.eventBus(), directory);
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
  public IdGenerator ids() {
    return ids;
  }

  @Override
  public Pusher pusher() {
    return pusher;
  }

  @Override
  public String redisPrefix() {
    return config.redis().prefix();
  }

  @Override
  public Vertx vertx() {
    return vertx;
  }

  @Override
  public ServerConfig config() {
    return config;
  }

  @Override
  public <T> T shared(Class<T> type, Supplier<T> factory) {
    return type.cast(shared.computeIfAbsent(type, k -> factory.get()));
  }

  @Override
  public synchronized void onClose(Supplier<Future<?>> hook) {
    closeHooks.add(hook);
  }

  /** Starts watching Redis for lost data ({@link RedisResets}); production only. */
  synchronized void watchRedis(RedisAPI redis) {
    if (resets == null && redis != null) {
      resets = new RedisResets(vertx, redis, config.redis().prefix(), config.redis().cluster());
      resets.start();
    }
  }

  protected Future<Void> runCloseHooks() {
    synchronized (this) {
      if (resets != null) {
        resets.stop();
        resets = null;
      }
    }
    List<Future<?>> all = new ArrayList<>();
    synchronized (this) {
      for (Supplier<Future<?>> h : closeHooks) {
        all.add(h.get());
      }
      closeHooks.clear();
    }
    return Future.join(all).otherwiseEmpty().mapEmpty();
  }
}
