package com.seedim.im.common.bus.msg;

import io.vertx.core.json.JsonObject;

/** Published by a node to its own verticles ({@code Addresses.LOCAL_REDIS_RESET}) when it noticed that Redis lost data. */
public record RedisReset(long noticedAt) implements BusMessage {
  public JsonObject toJson() {
    return new JsonObject().put("noticedAt", noticedAt);
  }

  public static RedisReset fromJson(JsonObject j) {
    return new RedisReset(j.getLong("noticedAt", 0L));
  }
}
