package com.seedim.im.events;

import com.seedim.im.chat.store.ChatMigrations;
import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.Handlers;
import com.seedim.im.common.bus.msg.ApiQueries.EventsReplay;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.events.EventStore;
import com.seedim.im.common.events.Events;
import com.seedim.im.common.events.EventsConfig;
import com.seedim.im.common.events.WebhookConfig;
import com.seedim.im.common.events.WebhookPoster;
import com.seedim.im.common.id.IdGenerator;
import com.seedim.im.common.infra.Infra;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;

/**
 * The events role (docs/webhooks.md): delivers every app's recorded events to its webhook endpoints (one
 * {@link EndpointWorker} per endpoint; one node at a time delivers an endpoint, by lease), answers
 * {@code GET /api/v1/events} (replay), and deletes events past their app's retention. Any number of nodes may run it;
 * one instance per node.
 */
public class EventsVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EventsVerticle.class);
  static final String PURGE_LEASE = "purge";
  static final long PURGE_PERIOD_MS = 60_000;
  /** Events deleted per app per purge round at most (the rest next round). */
  static final int PURGE_BATCH = 300_000;
  public static final int MAX_REPLAY_LIMIT = 500;

  private final Infra infra;
  private final EventsConfig config;
  private final String owner = "events-" + UUID.randomUUID();
  private final List<EndpointWorker> workers = new ArrayList<>();
  private EventStore store;
  private WebhookPoster poster;
  private MessageConsumer<Object> replay;
  private long pollTimer = -1;
  private long purgeTimer = -1;

  public EventsVerticle(Infra infra) {
    this.infra = infra;
    this.config = EventsConfig.of(infra.config());
  }

  @Override
  public Future<?> start() {
    store = Events.store(infra);
    poster = new WebhookPoster(vertx);
    for (AppConfig app : infra.config().apps().all()) {
      for (WebhookConfig.Endpoint e : app.webhooks().endpoints()) {
        if (e.events().isEmpty()) {
          LOG.warn("webhook endpoint {} of app {} takes none of the types the app records ({}): nothing will be posted to it",
            e.name(), app.appId(), app.webhooks().recorded());
          continue;
        }
        workers.add(new EndpointWorker(app, e, store, poster, config, owner));
      }
    }
    replay = vertx.eventBus().consumer(Addresses.EVENTS_API_REPLAY,
      Handlers.message(Addresses.EVENTS_API_REPLAY, EventsReplay.class, EventsReplay::fromJson, this::onReplay));
    // the outbox is part of the chat schema: a node without the chat role migrates it too (idempotent, locked)
    return ChatMigrations.migrate(vertx, infra).compose(v -> replay.completion()).onSuccess(v -> {
      pollTimer = vertx.setPeriodic(config.pollMs(), t -> tick());
      purgeTimer = vertx.setPeriodic(PURGE_PERIOD_MS, t -> purge(System.currentTimeMillis()));
      LOG.info("events service up: {} webhook endpoints ({}), replay on {}", workers.size(),
        workers.stream().map(EndpointWorker::leaseName).toList(), Addresses.EVENTS_API_REPLAY);
    });
  }

  private void tick() {
    long now = System.currentTimeMillis();
    workers.forEach(w -> w.tick(now));
  }

  /** Runs one delivery round of every endpoint now (tests); completes with the events delivered. */
  Future<Integer> deliverNow() {
    long now = System.currentTimeMillis();
    List<Future<Integer>> all = new ArrayList<>();
    workers.forEach(w -> all.add(w.tick(now)));
    return Future.join(all).transform(ar -> Future.succeededFuture(all.stream().mapToInt(f -> f.succeeded() ? f.result() : 0).sum()));
  }

  /** GET /api/v1/events: events older than the settle window, after {@code after}, in id order. */
  private Future<JsonObject> onReplay(EventsReplay q) {
    long before = IdGenerator.firstIdAt(System.currentTimeMillis() - config.replaySettleMs());
    int limit = Math.max(1, Math.min(MAX_REPLAY_LIMIT, q.limit()));
    return store.replay(q.appId(), q.after(), before, new HashSet<>(q.types()), limit + 1).map(events -> {
      boolean more = events.size() > limit;
      List<JsonObject> page = more ? events.subList(0, limit) : events;
      String next = page.isEmpty() ? Long.toString(q.after()) : page.get(page.size() - 1).getString("id");
      return new JsonObject().put("events", new JsonArray(new ArrayList<>(page))).put("next", next).put("hasMore", more);
    });
  }

  /** One node a round deletes what is past each app's retention. */
  Future<Integer> purge(long nowMs) {
    return store.lease(PURGE_LEASE, owner, nowMs, PURGE_PERIOD_MS / 2).compose(lease -> {
      if (!lease.held()) {
        return Future.succeededFuture(0);
      }
      List<Future<Integer>> all = new ArrayList<>();
      for (AppConfig app : infra.config().apps().all()) {
        if (!app.webhooks().recorded().isEmpty()) {
          long cutoff = IdGenerator.firstIdAt(nowMs - app.webhooks().retentionHours() * 3_600_000L);
          all.add(store.purge(app.appId(), cutoff, PURGE_BATCH));
        }
      }
      return Future.join(all).map(v -> all.stream().mapToInt(f -> f.succeeded() ? f.result() : 0).sum());
    }).onSuccess(n -> {
      if (n > 0) {
        LOG.info("events past their retention deleted: {}", n);
      }
    }).onFailure(err -> LOG.warn("events purge failed (tried again in {} s): {}", PURGE_PERIOD_MS / 1000, err.toString()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(purgeTimer);
    List<Future<?>> all = new ArrayList<>();
    // the next node takes over at once instead of after the lease
    workers.forEach(w -> all.add(w.release().otherwiseEmpty()));
    if (replay != null) {
      all.add(replay.unregister());
    }
    return Future.join(all).compose(v -> poster == null ? Future.succeededFuture() : poster.close());
  }
}
