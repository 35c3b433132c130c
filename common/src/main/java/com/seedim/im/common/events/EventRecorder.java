package com.seedim.im.common.events;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.AppRegistry;
import com.seedim.im.common.id.IdGenerator;
import io.vertx.core.json.JsonObject;

/**
 * Makes the events an app records (its {@code webhooks.events}), with a fresh time-ordered id and the endpoints that
 * get them; null for a type the app does not record, so callers skip the write. Pure: no store, no Vert.x.
 */
public final class EventRecorder {
  private final AppRegistry apps;
  private final IdGenerator ids;

  public EventRecorder(AppRegistry apps, IdGenerator ids) {
    this.apps = apps;
    this.ids = ids;
  }

  /** Whether the app records events of this type. */
  public boolean records(String appId, EventType type) {
    AppConfig app = apps.get(appId);
    return app != null && app.webhooks().records(type);
  }

  /** The event, or null when the app does not record the type. */
  public Event make(String appId, EventType type, JsonObject data, long nowMs) {
    AppConfig app = apps.get(appId);
    if (app == null || !app.webhooks().records(type)) {
      return null;
    }
    return new Event(ids.next(), appId, type, nowMs, data, app.webhooks().endpointsFor(type));
  }
}
