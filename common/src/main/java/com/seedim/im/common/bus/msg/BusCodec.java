package com.seedim.im.common.bus.msg;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * The codec of one {@link BusMessage} record: the instance itself inside the JVM ({@link #transform} returns it),
 * length-prefixed JSON on the clustered wire.
 */
final class BusCodec<T extends BusMessage> implements MessageCodec<T, T> {
  private final String name;
  private final Function<JsonObject, T> fromJson;

  BusCodec(Class<T> type, Function<JsonObject, T> fromJson) {
    this.name = "seedim." + type.getSimpleName();
    this.fromJson = fromJson;
  }

  @Override
  public void encodeToWire(Buffer buffer, T message) {
    Buffer json = message.toJson().toBuffer();
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return fromJson.apply(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length)));
  }

  @Override
  public T transform(T message) {
    return message;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
