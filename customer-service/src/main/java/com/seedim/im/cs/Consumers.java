package com.seedim.im.cs;

import com.seedim.im.common.bus.Handlers;
import com.seedim.im.common.bus.msg.BusMessage;
import com.seedim.im.common.proto.MsgType;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The event-bus consumers of one customer-service verticle, registered and removed together. Handler metric names
 * follow the chat service's rule: {@code <service>.<msgType code>} for a client frame, the address otherwise.
 */
public final class Consumers {
  private final EventBus bus;
  private final String service;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  public Consumers(EventBus bus, String service) {
    this.bus = bus;
    this.service = service;
  }

  /** A client frame of type {@code t}. */
  public Consumers frame(MsgType t, Handlers.FrameHandler h) {
    consumers.add(bus.consumer(t.address(), Handlers.frame(service + "." + t.code(), h)));
    return this;
  }

  /** An internal message record of type {@code type} at {@code address}. */
  public <T extends BusMessage, R> Consumers message(String address, Class<T> type, Function<JsonObject, T> fromJson,
                                                    Handlers.MessageHandler<T, R> h) {
    consumers.add(bus.consumer(address, Handlers.message(address, type, fromJson, h)));
    return this;
  }

  /** Succeeds once every consumer is registered (cluster-wide in a cluster). */
  public Future<Void> ready() {
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  public List<String> addresses() {
    return consumers.stream().map(MessageConsumer::address).toList();
  }

  public Future<Void> unregister() {
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }
}
