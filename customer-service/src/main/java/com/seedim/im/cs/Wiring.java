package com.seedim.im.cs;

import com.seedim.im.common.bus.Handlers;
import com.seedim.im.common.bus.msg.BusMessage;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.cs.store.DeadlineStore;
import com.seedim.im.cs.store.DeadlineSweeper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The event-bus consumers and timer sweepers of one customer-service verticle, started and stopped together: the
 * sweepers start once every consumer is registered. Handler metric names follow the one rule of
 * {@link Handlers}: a handler is named by the address it consumes.
 */
public final class Wiring {
  private record Sweep(DeadlineStore store, String set, Collection<String> appIds, Function<String, Future<?>> handler) {
  }

  private final Vertx vertx;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final List<Sweep> sweeps = new ArrayList<>();
  private final List<DeadlineSweeper> sweepers = new ArrayList<>();

  public Wiring(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A client frame of type {@code t}. */
  public Wiring frame(MsgType t, Handlers.FrameHandler h) {
    consumers.add(vertx.eventBus().consumer(t.address(), Handlers.frame(t.address(), h)));
    return this;
  }

  /** An internal message record of type {@code type} at {@code address}. */
  public <T extends BusMessage, R> Wiring message(String address, Class<T> type, Function<JsonObject, T> fromJson,
                                                 Handlers.MessageHandler<T, R> h) {
    consumers.add(vertx.eventBus().consumer(address, Handlers.message(address, type, fromJson, h)));
    return this;
  }

  /** Sweeps the due timers of one deadline set of the given apps (on every node; see {@link DeadlineSweeper}). */
  public Wiring sweep(DeadlineStore store, String set, Collection<String> appIds, Function<String, Future<?>> handler) {
    sweeps.add(new Sweep(store, set, appIds, handler));
    return this;
  }

  /** Succeeds once every consumer is registered (cluster-wide in a cluster) and {@code alsoReady} succeeded. */
  public Future<Void> start(Future<?> alsoReady) {
    List<Future<?>> ready = new ArrayList<>(consumers.stream().map(MessageConsumer::completion).toList());
    ready.add(alsoReady);
    return Future.all(ready).<Void>mapEmpty().onSuccess(v -> {
      for (Sweep s : sweeps) {
        sweepers.add(new DeadlineSweeper(vertx, s.store(), s.set(), s.appIds(), s.handler()).start());
      }
    });
  }

  public List<String> addresses() {
    return consumers.stream().map(MessageConsumer::address).toList();
  }

  public Future<Void> stop() {
    sweepers.forEach(DeadlineSweeper::stop);
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }
}
