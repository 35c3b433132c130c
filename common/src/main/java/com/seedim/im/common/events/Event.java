package com.seedim.im.common.events;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One recorded event (docs/webhooks.md): its time-ordered id (unique per app; each endpoint gets its events in id
 * order) and the endpoints of its app that get it (chosen when it is recorded, from the app's filters).
 *
 * @param data the type's fields ({@link #envelope()} wraps them)
 */
public record Event(long id, String appId, EventType type, long createdAt, JsonObject data,
                    List<String> endpoints) {

  /** The JSON a receiver gets: {@code {"id","type","appId","createdAt","data"}}. */
  public JsonObject envelope() {
    return envelope(id, appId, type.wire(), createdAt, data);
  }

  public static JsonObject envelope(long id, String appId, String type, long createdAt, JsonObject data) {
    return new JsonObject().put("id", Long.toString(id)).put("type", type).put("appId", appId)
      .put("createdAt", createdAt).put("data", data);
  }
}
