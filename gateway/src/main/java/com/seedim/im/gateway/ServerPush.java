package com.seedim.im.gateway;

import com.seedim.im.common.bus.ServiceReply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** A frame the gateway pushes to a socket (it gets a fresh server {@code unique}), and whether it is resent until acked. */
record ServerPush(JsonObject frame, boolean reliable) {
  /** The {@code self} pushes of a service's reply ({@link ServiceReply#SELF}: {@code [{frame, reliable}]}), in order. */
  static List<ServerPush> selfOf(JsonObject reply) {
    JsonArray self = reply.getJsonArray(ServiceReply.SELF);
    if (self == null) {
      return List.of();
    }
    List<ServerPush> out = new ArrayList<>(self.size());
    for (Object o : self) {
      JsonObject p = (JsonObject) o;
      out.add(new ServerPush(p.getJsonObject("frame"), p.getBoolean("reliable", false)));
    }
    return out;
  }
}
