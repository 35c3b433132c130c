package com.seedim.im.common.bus.msg;

import com.seedim.im.common.bus.RequestContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Receiver devices acked 140s (141): sent by the gateway to {@code Addresses.CHAT_DELIVERED}, coalesced per event-loop
 * turn, fire and forget. Chat marks the messages delivered and tells each sender (131).
 */
public record DeliveredAcks(List<Acked> items) implements BusMessage {
  /** One connection's acked message ids. */
  public record Acked(RequestContext ctx, List<String> messageIds) {
  }

  public JsonObject toJson() {
    JsonArray all = new JsonArray();
    for (Acked a : items) {
      all.add(new JsonObject().put("ctx", a.ctx().toJson()).put("messageIds", new JsonArray(new ArrayList<>(a.messageIds()))));
    }
    return new JsonObject().put("items", all);
  }

  public static DeliveredAcks fromJson(JsonObject j) {
    List<Acked> items = new ArrayList<>();
    for (Object o : j.getJsonArray("items", new JsonArray())) {
      JsonObject item = (JsonObject) o;
      items.add(new Acked(RequestContext.fromJson(item.getJsonObject("ctx")), Json.strings(item.getJsonArray("messageIds"))));
    }
    return new DeliveredAcks(items);
  }
}
