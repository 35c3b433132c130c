package com.seedim.im.common.bus.msg;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** Several pushes and kicks for one gateway, sent within one event-loop turn, applied in order. */
public record GatewayBatch(List<GatewayMessage> items) implements GatewayMessage {
  public JsonObject toJson() {
    JsonArray all = new JsonArray();
    items.forEach(m -> all.add(m.toJson()));
    return new JsonObject().put("op", "batch").put("items", all);
  }

  public static GatewayBatch fromJson(JsonObject j) {
    List<GatewayMessage> items = new ArrayList<>();
    for (Object o : j.getJsonArray("items", new JsonArray())) {
      JsonObject m = (JsonObject) o;
      items.add("kick".equals(m.getString("op")) ? GatewayKick.fromJson(m) : GatewayPush.fromJson(m));
    }
    return new GatewayBatch(items);
  }
}
