package com.seedim.im.common.events;

import com.seedim.im.common.infra.Infra;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * What the services use to record events about state they keep in Redis (queue places, rooms, calls, agents,
 * presence): the event is written to the outbox right after the change succeeded (docs/webhooks.md states the window:
 * a node that dies between the change and the write loses that event). One per process ({@link #of}).
 */
public final class Events {
  private static final Logger LOG = LoggerFactory.getLogger(Events.class);

  private final EventRecorder recorder;
  private final EventStore store;

  public Events(EventRecorder recorder, EventStore store) {
    this.recorder = recorder;
    this.store = store;
    EventMetrics.init();
  }

  /** The process's events: the MariaDB outbox in production, memory in dev mode. */
  public static Events of(Infra infra) {
    EventStore store = store(infra); // first: shared() must not be called from inside another shared() factory
    return infra.shared(Events.class, () -> new Events(new EventRecorder(infra.config().apps(), infra.ids()), store));
  }

  /** The process's outbox. */
  public static EventStore store(Infra infra) {
    return infra.shared(EventStore.class, () -> infra.durable() ? new MySqlEventStore(infra.mysql()) : new MemoryEventStore());
  }

  public EventRecorder recorder() {
    return recorder;
  }

  public EventStore store() {
    return store;
  }

  public boolean records(String appId, EventType type) {
    return recorder.records(appId, type);
  }

  /**
   * Records one event when the app records its type. Never fails the caller's work: a failed write is logged (and
   * counted) and the future succeeds.
   */
  public Future<Void> emit(String appId, EventType type, JsonObject data) {
    Event e;
    Future<Void> written;
    try {
      e = recorder.make(appId, type, data, System.currentTimeMillis());
      if (e == null) {
        return Future.succeededFuture();
      }
      written = store.append(List.of(e));
    } catch (RuntimeException err) { // e.g. no id: this node's id lease lapsed
      EventMetrics.appendFailed(type);
      LOG.warn("event {} of app {} not recorded: {}", type.wire(), appId, err.toString());
      return Future.succeededFuture();
    }
    return written.transform(ar -> {
      if (ar.succeeded()) {
        EventMetrics.recorded(type, 1);
      } else {
        EventMetrics.appendFailed(type);
        LOG.warn("event {} {} of app {} not recorded: {}", type.wire(), e.id(), appId, ar.cause().toString());
      }
      return Future.succeededFuture();
    });
  }
}
