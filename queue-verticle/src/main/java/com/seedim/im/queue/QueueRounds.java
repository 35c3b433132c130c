package com.seedim.im.queue;

import com.seedim.im.common.bus.Pusher;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.QueueStore.Waiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The pushes that follow a queue change (PROTOCOL.md §6): 410 positions to the waiters whose position changed, and
 * 431 to the online agents serving the queue. A change marks the queue dirty in the store; any node's rounds claim
 * dirty queues at most once per round interval, so the pushes are rate-limited per queue across the cluster.
 */
final class QueueRounds {
  private static final Logger LOG = LoggerFactory.getLogger(QueueRounds.class);
  /** 410 rounds: at most 5 per second per queue. */
  static final long POSITION_ROUND_MS = 200;
  /** 431 pushes to agents: at most 1 per second per queue. */
  static final long INFO_ROUND_MS = 1000;
  static final String KIND_POSITION = "pos";
  static final String KIND_INFO = "info";
  private static final long TICK_MS = 100;
  private static final int ROUND_BATCH = 50;

  private final Vertx vertx;
  private final ServerConfig config;
  private final QueueStore queues;
  private final Pusher pusher;
  private final QueueGauges gauges;
  private final Round positions = new Round(KIND_POSITION, POSITION_ROUND_MS, "410", this::positionRound);
  private final Round infos = new Round(KIND_INFO, INFO_ROUND_MS, "431", this::infoRound);
  private final WaitEstimates estimates;
  /** Who gets a queue's 431 pushes (§14.1: connected agents serving it with status available). */
  private BiFunction<String, String, Future<List<String>>> audience;
  /** 431 {@code agentsAvailable}/{@code messagesWaiting} of a queue, for agents (§14.1, §14.4). */
  private BiFunction<String, String, Future<Integer>> messagesWaiting = (a, q) -> Future.succeededFuture(0);
  private long positionTimer = -1;
  private long infoTimer = -1;

  QueueRounds(Vertx vertx, ServerConfig config, QueueStore queues, Pusher pusher, WaitEstimates estimates) {
    this.estimates = estimates;
    this.vertx = vertx;
    this.config = config;
    this.queues = queues;
    this.pusher = pusher;
    this.gauges = new QueueGauges(config);
  }

  /** Sets who is told about a queue's waiters and where its left-message count comes from (the desk). */
  QueueRounds desk(BiFunction<String, String, Future<List<String>>> audience,
    BiFunction<String, String, Future<Integer>> messagesWaiting) {
    this.audience = audience;
    this.messagesWaiting = messagesWaiting;
    return this;
  }

  QueueRounds start() {
    positionTimer = vertx.setPeriodic(TICK_MS, t -> positions.run());
    infoTimer = vertx.setPeriodic(TICK_MS * 2, t -> infos.run());
    return this;
  }

  void stop() {
    vertx.cancelTimer(positionTimer);
    vertx.cancelTimer(infoTimer);
  }

  /**
   * A queue changed: its 410/431 rounds run at once when none ran for it within the round interval (the leading
   * edge, so a take reaches every waiter without waiting for the next tick), otherwise on a later tick.
   */
  void changed(String appId, String queueId) {
    queues.markDirty(KIND_POSITION, appId, queueId)
      .compose(v -> queues.markDirty(KIND_INFO, appId, queueId))
      .onSuccess(v -> {
        positions.run();
        infos.run();
      })
      .onFailure(err -> LOG.warn("could not mark queue {}/{} changed: {}", appId, queueId, err.toString()));
  }

  /** One kind of round: claims the queues dirty for it and handles each; one run at a time on this instance. */
  private final class Round {
    private final String kind;
    private final long intervalMs;
    private final String frame;
    private final BiFunction<String, String, Future<Void>> perQueue;
    private boolean running;

    Round(String kind, long intervalMs, String frame, BiFunction<String, String, Future<Void>> perQueue) {
      this.kind = kind;
      this.intervalMs = intervalMs;
      this.frame = frame;
      this.perQueue = perQueue;
    }

    void run() {
      if (running) {
        return;
      }
      running = true;
      queues.claimDirty(kind, intervalMs, ROUND_BATCH).compose(list -> {
        List<Future<?>> all = new ArrayList<>();
        for (String aq : list) {
          int bar = aq.indexOf('|');
          all.add(perQueue.apply(aq.substring(0, bar), aq.substring(bar + 1)));
        }
        return Future.join(all);
      }).onComplete(ar -> {
        running = false;
        if (ar.failed()) {
          LOG.warn("{} round failed: {}", frame, ar.cause().toString());
        }
      });
    }
  }

  private Future<Void> positionRound(String appId, String queueId) {
    // the line first, then what was sent: a customer in the line read has its entry's position recorded already
    return queues.waiters(appId, queueId).compose(line -> queues.sentPositions(appId, queueId).compose(sent -> {
      gauges.record(appId, queueId, line.size());
      QueueRules.Round round = QueueRules.round(line, sent);
      for (Map.Entry<String, String> e : round.changed().entrySet()) {
        String[] v = e.getValue().split(":");
        int index = Integer.parseInt(v[0]);
        pusher.toUser(appId, e.getKey(), QueueFrames.position(queueId, index, Integer.parseInt(v[1]),
          estimates.seconds(appId, queueId, index, System.currentTimeMillis())), false, null);
      }
      if (round.changed().isEmpty() && round.gone().isEmpty()) {
        return Future.succeededFuture();
      }
      return queues.saveSentPositions(appId, queueId, round.changed(), round.gone());
    }));
  }

  private Future<Void> infoRound(String appId, String queueId) {
    AppConfig app = config.apps().get(appId);
    if (app == null) {
      return Future.succeededFuture();
    }
    return Future.all(audience.apply(appId, queueId), queues.waiters(appId, queueId), messagesWaiting.apply(appId, queueId))
      .map(cf -> {
        List<String> agents = cf.resultAt(0);
        List<Waiter> line = cf.resultAt(1);
        int messages = cf.resultAt(2);
        for (String agent : agents) {
          pusher.toUser(appId, agent, QueueFrames.info(queueId, -1, line, true, agents.size(), messages), false, null);
        }
        return null;
      });
  }

}
