package com.seedim.im.queue;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.Handlers;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.cs.CustomerService;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.cs.store.DeadlineSweeper;
import com.seedim.im.common.bus.Outbox;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.QueueStore.Waiter;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.ServiceRecords;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PROTOCOL.md §6 queues: 400 enter, 401 take (→ 402, room creation), 420 leave, 430 info (→ 431), the 410 position
 * rounds and 431 agent pushes, the grace of waiters whose last device left, and the queue statistics API.
 * State lives in the {@link QueueStore} (Redis in production), so any number of instances serve the same queues.
 */
public class QueueVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(QueueVerticle.class);
  /** 410 rounds: at most 5 per second per queue. */
  static final long POSITION_ROUND_MS = 200;
  /** 431 pushes to agents: at most 1 per second per queue. */
  static final long INFO_ROUND_MS = 1000;
  static final String KIND_POSITION = "pos";
  static final String KIND_INFO = "info";
  private static final long TICK_MS = 100;
  private static final int ROUND_BATCH = 50;
  private static final int CANDIDATES = 16;
  private static final int TAKE_ATTEMPTS = 25;

  private final Infra infra;
  private final QueueStore queues;
  private final RoomStore rooms;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final ServiceRecords records;
  private DeadlineSweeper grace;
  private final Map<String, java.util.concurrent.atomic.AtomicInteger> lengths = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, io.micrometer.core.instrument.Gauge> gauges = new java.util.concurrent.ConcurrentHashMap<>();
  private long positionTimer = -1;
  private long infoTimer = -1;
  private boolean positionRunning;
  private boolean infoRunning;

  public QueueVerticle(Infra infra) {
    this.infra = infra;
    CustomerService cs = CustomerService.of(infra);
    this.rooms = cs.rooms();
    this.queues = cs.queues();
    this.records = cs.records();
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    consumers.add(bus.consumer(MsgType.QUEUE_ENTER.address(), Handlers.frame("queue.enter", this::onEnter)));
    consumers.add(bus.consumer(MsgType.QUEUE_TAKE.address(), Handlers.frame("queue.take", this::onTake)));
    consumers.add(bus.consumer(MsgType.QUEUE_LEAVE.address(), Handlers.frame("queue.leave", this::onLeave)));
    consumers.add(bus.consumer(MsgType.QUEUE_INFO.address(), Handlers.frame("queue.info", this::onInfo)));
    consumers.add(bus.consumer(Addresses.QUEUE_CONNECT, Handlers.frame("queue.connect", this::onConnect)));
    consumers.add(bus.consumer(Addresses.QUEUE_DISCONNECT, Handlers.json("queue.disconnect", this::onDisconnect)));
    consumers.add(bus.consumer(Addresses.QUEUE_API_STATS, Handlers.json("queue.api.stats", this::onStats)));
    List<Future<?>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    ready.add(records.migrate());
    return Future.all(ready).onSuccess(v -> {
      grace = new DeadlineSweeper(vertx, rooms.deadlines(), RoomStore.QUEUE_DEADLINES, this::onGraceExpired).start();
      positionTimer = vertx.setPeriodic(TICK_MS, t -> positionRounds());
      infoTimer = vertx.setPeriodic(TICK_MS * 2, t -> infoRounds());
      LOG.info("queue service up: {}, {}, {}, {}, {}, {}, {}", MsgType.QUEUE_ENTER.address(), MsgType.QUEUE_TAKE.address(),
        MsgType.QUEUE_LEAVE.address(), MsgType.QUEUE_INFO.address(), Addresses.QUEUE_CONNECT, Addresses.QUEUE_DISCONNECT,
        Addresses.QUEUE_API_STATS);
    });
  }

  @Override
  public Future<?> stop() {
    if (grace != null) {
      grace.stop();
    }
    vertx.cancelTimer(positionTimer);
    vertx.cancelTimer(infoTimer);
    List<Future<?>> all = new ArrayList<>();
    consumers.forEach(c -> all.add(c.unregister()));
    return Future.join(all);
  }

  private AppConfig app(String appId) {
    return infra.config().apps().require(appId);
  }

  static JsonObject position(String queueId, int index, int total) {
    return Frames.frame(MsgType.QUEUE_POSITION).put("queueId", queueId).put("waitIndex", index).put("waitTotal", total);
  }

  /**
   * A queue changed: its 410/431 rounds run at once when none ran for it within the round interval (the leading
   * edge, so a take reaches every waiter without waiting for the next tick), otherwise on a later tick.
   */
  private void changed(String appId, String queueId) {
    queues.markDirty(KIND_POSITION, appId, queueId)
      .compose(v -> queues.markDirty(KIND_INFO, appId, queueId))
      .onSuccess(v -> {
        positionRounds();
        infoRounds();
      })
      .onFailure(err -> LOG.warn("could not mark queue {}/{} changed: {}", appId, queueId, err.toString()));
  }

  // ---- 400

  private Future<ServiceReply> onEnter(RequestContext ctx, JsonObject frame) {
    QueueRules.requireCustomer(ctx);
    AppConfig app = app(ctx.appId());
    String queueId = queueIdOr(frame, AppConfig.DEFAULT_QUEUE);
    QueueRules.requireKnown(app, queueId);
    long now = System.currentTimeMillis();
    // M9: a dynamic queue id creates a queue: at most QueueStore.MAX_DYNAMIC_QUEUES non-empty queues per app
    int maxQueues = app.queue(queueId) == null ? QueueStore.MAX_DYNAMIC_QUEUES : 0;
    return queues.enter(ctx.appId(), queueId, ctx.userId(), app.maxQueueLength(), now, maxQueues).compose(e -> {
      switch (e.outcome()) {
        case IN_ROOM:
          throw new ProtocolException(ErrorCode.INVALID_STATE, "already in a room");
        case TOO_MANY_QUEUES:
          throw new ProtocolException(ErrorCode.QUEUE_FULL, "too many queues in use (at most "
            + QueueStore.MAX_DYNAMIC_QUEUES + "); enter an existing queue");
        case FULL:
          throw new ProtocolException(ErrorCode.QUEUE_FULL, "queue '" + queueId + "' is full");
        case MOVED:
          records.queueEnded(ctx.appId(), ctx.userId(), now, ServiceRecords.MOVED, null, null);
          records.queueEntered(ctx.appId(), queueId, ctx.userId(), now);
          changed(ctx.appId(), e.previousQueue());
          LOG.info("{}/{} moved from queue {} to {} at {}/{}", ctx.appId(), ctx.userId(), e.previousQueue(), queueId,
            e.waitIndex(), e.waitTotal());
          break;
        case ENTERED:
          records.queueEntered(ctx.appId(), queueId, ctx.userId(), now);
          LOG.info("{}/{} entered queue {} at {}/{}", ctx.appId(), ctx.userId(), queueId, e.waitIndex(), e.waitTotal());
          break;
        default:
          break;
      }
      // enter recorded the customer's position as sent (it goes out with this reply): rounds tell only the others
      changed(ctx.appId(), queueId);
      String member = RoomState.queueGraceDeadline(ctx.appId(), ctx.userId());
      return rooms.deadlines().cancel(RoomStore.QUEUE_DEADLINES, member)
        .map(v -> ServiceReply.ok().self(new JsonArray().add(
          ServiceReply.push(position(queueId, e.waitIndex(), e.waitTotal()), false))));
    });
  }

  private static String queueIdOr(JsonObject frame, String def) {
    String q = Frames.optId(frame, "queueId");
    return q == null ? def : q;
  }

  // ---- 401

  private Future<ServiceReply> onTake(RequestContext ctx, JsonObject frame) {
    AppConfig app = app(ctx.appId());
    String queueId = Frames.optId(frame, "queueId");
    String named = Frames.optId(frame, "receiveUserId");
    QueueRules.checkTake(app, ctx, queueId, named);
    Future<List<String>> served = queueId != null ? Future.succeededFuture(List.of(queueId))
      : queues.queueIds(ctx.appId()).map(known -> QueueRules.servedQueues(app, ctx.userId(), known));
    return served.compose(qs -> queues.agentRooms(ctx.appId(), ctx.userId()).compose(n -> {
      if (n >= app.maxRoomsPerAgent()) {
        throw new ProtocolException(ErrorCode.AGENT_BUSY, "agent already serves " + n + " room(s)");
      }
      return named != null ? takeNamed(ctx, app, qs, named) : takeNext(ctx, app, qs, 0);
    })).compose(t -> opened(ctx, app, t));
  }

  private Future<QueueStore.Take> takeNamed(RequestContext ctx, AppConfig app, List<String> served, String named) {
    return queues.position(ctx.appId(), named).compose(pos -> {
      if (pos == null || !served.contains(pos.queueId())) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, "'" + named + "' is not waiting in a queue you serve");
      }
      return infra.directory().routes(ctx.appId(), named).compose(routes -> {
        if (routes.isEmpty()) {
          return absent(ctx.appId(), named, app).compose(v -> Future.failedFuture(
            new ProtocolException(ErrorCode.INVALID_STATE, "'" + named + "' has no live device")));
        }
        return takeFresh(ctx, app, List.of(new Waiter(pos.queueId(), named, pos.enteredAt())), 0).map(t -> {
          if (t.outcome() == QueueStore.TakeOutcome.NONE) {
            throw new ProtocolException(ErrorCode.INVALID_STATE, "'" + named + "' cannot be taken now");
          }
          return t;
        });
      });
    });
  }

  private Future<QueueStore.Take> takeNext(RequestContext ctx, AppConfig app, List<String> served, int attempt) {
    if (served.isEmpty()) {
      return Future.failedFuture(new ProtocolException(ErrorCode.QUEUE_EMPTY, "no customer waiting"));
    }
    if (attempt >= TAKE_ATTEMPTS) {
      return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "too much contention; retry"));
    }
    return queues.candidates(ctx.appId(), served, CANDIDATES).compose(cands -> {
      if (cands.isEmpty()) {
        return Future.failedFuture(new ProtocolException(ErrorCode.QUEUE_EMPTY, "no customer waiting"));
      }
      Set<String> users = new HashSet<>();
      cands.forEach(w -> users.add(w.userId()));
      return infra.directory().routes(ctx.appId(), users).compose(live -> {
        List<Waiter> present = new ArrayList<>();
        List<Future<?>> marks = new ArrayList<>();
        for (Waiter w : cands) {
          if (live.containsKey(w.userId())) {
            present.add(w);
          } else {
            marks.add(absent(ctx.appId(), w.userId(), app));
          }
        }
        Future<?> marked = Future.join(marks);
        if (present.isEmpty()) {
          return marked.compose(v -> takeNext(ctx, app, served, attempt + 1));
        }
        return marked.compose(v -> take(ctx, app, present)).compose(t -> switch (t.outcome()) {
          case TAKEN -> Future.succeededFuture(t);
          case AGENT_BUSY -> Future.failedFuture(new ProtocolException(ErrorCode.AGENT_BUSY, "agent is at capacity"));
          case NONE, CONFLICT -> takeNext(ctx, app, served, attempt + 1);
        });
      });
    });
  }

  /** A waiter found without a live device: skipped from now on, removed when the grace ends. */
  private Future<Void> absent(String appId, String userId, AppConfig app) {
    return queues.markAbsent(appId, userId).compose(q -> {
      if (q == null) {
        return Future.succeededFuture();
      }
      String member = RoomState.queueGraceDeadline(appId, userId);
      return rooms.deadlines().dueAt(RoomStore.QUEUE_DEADLINES, member).compose(due -> due != null ? Future.succeededFuture()
        : rooms.deadlines().schedule(RoomStore.QUEUE_DEADLINES, member,
          System.currentTimeMillis() + app.queueGraceSeconds() * 1000L));
    });
  }

  /** A take of a named waiter, retried with a new room id while the id collides with an existing room (M8). */
  private Future<QueueStore.Take> takeFresh(RequestContext ctx, AppConfig app, List<Waiter> candidates, int attempt) {
    return take(ctx, app, candidates).compose(t -> t.outcome() == QueueStore.TakeOutcome.CONFLICT && attempt < 3
      ? takeFresh(ctx, app, candidates, attempt + 1)
      : t.outcome() == QueueStore.TakeOutcome.CONFLICT
        ? Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "room id conflict; retry"))
        : Future.succeededFuture(t));
  }

  private Future<QueueStore.Take> take(RequestContext ctx, AppConfig app, List<Waiter> candidates) {
    long now = System.currentTimeMillis();
    String roomId = Long.toString(infra.ids().next());
    // all candidates of one call may come from several queues: try queue by queue, each with its own template
    return takeFrom(ctx, app, candidates, 0, roomId, now);
  }

  private Future<QueueStore.Take> takeFrom(RequestContext ctx, AppConfig app, List<Waiter> cands, int from, String roomId,
                                           long now) {
    if (from >= cands.size()) {
      return Future.succeededFuture(new QueueStore.Take(QueueStore.TakeOutcome.NONE, null));
    }
    String q = cands.get(from).queueId();
    int to = from;
    while (to < cands.size() && cands.get(to).queueId().equals(q)) {
      to++;
    }
    int end = to;
    // L6: the queue id goes in directly (no placeholder the agent's own id could equal); only the customer is left
    // to the take script, as a placeholder outside the id grammar
    String template = RoomState.create(roomId, ctx.userId(), QueueStore.CUSTOMER_PLACEHOLDER, q, now).encode();
    QueueStore.RoomSpec spec = new QueueStore.RoomSpec(roomId, template, now,
      RoomState.idleDeadline(ctx.appId(), roomId), now + app.roomIdleSeconds() * 1000L);
    return queues.take(ctx.appId(), ctx.userId(), app.maxRoomsPerAgent(), cands.subList(from, end), spec)
      .compose(t -> t.outcome() == QueueStore.TakeOutcome.NONE ? takeFrom(ctx, app, cands, end, roomId, now)
        : Future.succeededFuture(t));
  }

  private Future<ServiceReply> opened(RequestContext ctx, AppConfig app, QueueStore.Take t) {
    Waiter w = t.waiter();
    String agent = ctx.userId();
    return rooms.roomIdOf(ctx.appId(), w.userId()).compose(roomId -> rooms.get(ctx.appId(), roomId)).compose(room -> {
      if (room == null) {
        // closed again in the meantime (e.g. the customer left at once): still a take
        throw new ProtocolException(ErrorCode.INVALID_STATE, "the room closed before it could be announced");
      }
      String roomId = room.getString(RoomState.ROOM_ID);
      long now = System.currentTimeMillis();
      records.queueEnded(ctx.appId(), w.userId(), now, ServiceRecords.TAKEN, agent, roomId);
      records.roomOpened(ctx.appId(), roomId, w.queueId(), agent, w.userId(), Math.max(0, now - w.enteredAt()), now);
      changed(ctx.appId(), w.queueId());
      LOG.info("agent {}/{} took {} from queue {} into room {} after {} ms", ctx.appId(), agent, w.userId(), w.queueId(),
        roomId, now - w.enteredAt());
      JsonObject reply = Frames.frame(MsgType.QUEUE_TAKEN).put("receiveUserId", w.userId()).put("roomId", roomId)
        .put("queueId", w.queueId());
      JsonObject toCustomer = Frames.frame(MsgType.QUEUE_TAKEN).put("userId", agent).put("roomId", roomId)
        .put("queueId", w.queueId());
      JsonObject info = RoomState.info551(room);
      Outbox out = new Outbox(infra.pusher(), ctx)
        .toUser(w.userId(), toCustomer, true)
        .toUser(w.userId(), info, true)
        .toUser(agent, info.copy(), true);
      return out.flush().map(v -> ServiceReply.ok().reply(reply).self(out.self()));
    });
  }

  // ---- 420

  private Future<ServiceReply> onLeave(RequestContext ctx, JsonObject frame) {
    String roomId = Frames.optId(frame, "roomId");
    long now = System.currentTimeMillis();
    return queues.leave(ctx.appId(), ctx.userId()).compose(w -> {
      if (w != null) {
        records.queueEnded(ctx.appId(), ctx.userId(), now, ServiceRecords.LEFT, null, null);
        changed(ctx.appId(), w.queueId());
        LOG.info("{}/{} left queue {}", ctx.appId(), ctx.userId(), w.queueId());
      }
      return rooms.deadlines().cancel(RoomStore.QUEUE_DEADLINES, RoomState.queueGraceDeadline(ctx.appId(), ctx.userId()));
    }).compose(v -> rooms.roomsOf(ctx.appId(), ctx.userId())).compose(mine -> {
      List<String> targets;
      if (roomId != null) {
        if (!mine.contains(roomId)) {
          throw new ProtocolException(ErrorCode.NOT_FOUND, "not in room " + roomId);
        }
        targets = List.of(roomId);
      } else {
        targets = mine;
      }
      return teardownAll(ctx, targets, 0, new JsonArray());
    }).map(self -> ServiceReply.ok().self(self));
  }

  private Future<JsonArray> teardownAll(RequestContext ctx, List<String> roomIds, int i, JsonArray self) {
    if (i >= roomIds.size()) {
      return Future.succeededFuture(self);
    }
    JsonObject req = new JsonObject().put("ctx", ctx.toJson()).put("appId", ctx.appId()).put("roomId", roomIds.get(i))
      .put("reason", "left").put("leaver", ctx.userId());
    return vertx.eventBus().<JsonObject>request(Addresses.ROOM_TEARDOWN, req,
        new DeliveryOptions().setSendTimeout(infra.config().busTimeoutMs()))
      .compose(m -> {
        JsonArray s = m.body().getJsonArray("self", new JsonArray());
        s.forEach(self::add);
        return teardownAll(ctx, roomIds, i + 1, self);
      });
  }

  // ---- 430

  private Future<ServiceReply> onInfo(RequestContext ctx, JsonObject frame) {
    AppConfig app = app(ctx.appId());
    String asked = Frames.optId(frame, "queueId");
    return queues.position(ctx.appId(), ctx.userId()).compose(pos -> {
      String queueId = asked != null ? asked : pos != null ? pos.queueId() : AppConfig.DEFAULT_QUEUE;
      QueueRules.requireKnown(app, queueId);
      boolean full = ctx.isAdmin() || ctx.isAgent() && QueueRules.serves(app, ctx.userId(), queueId);
      return queues.waiters(ctx.appId(), queueId).map(line -> {
        int index = pos != null && pos.queueId().equals(queueId) ? pos.waitIndex() : -1;
        return ServiceReply.ok().reply(info(queueId, index, line, full));
      });
    });
  }

  static JsonObject info(String queueId, int index, List<Waiter> line, boolean full) {
    JsonObject f = Frames.frame(MsgType.QUEUE_INFO_REPLY).put("queueId", queueId).put("waitIndex", index)
      .put("waitTotal", line.size());
    if (full) {
      f.put("waiting", waiting(line)).put("userIdList", userIds(line));
    }
    return f;
  }

  private static JsonArray waiting(List<Waiter> line) {
    long now = System.currentTimeMillis();
    JsonArray a = new JsonArray();
    for (Waiter w : line) {
      a.add(new JsonObject().put("userId", w.userId()).put("waitSeconds", Math.max(0, (now - w.enteredAt()) / 1000)));
    }
    return a;
  }

  private static JsonArray userIds(List<Waiter> line) {
    JsonArray a = new JsonArray();
    line.forEach(w -> a.add(w.userId()));
    return a;
  }

  // ---- lifecycle

  private Future<ServiceReply> onConnect(RequestContext ctx, JsonObject frame) {
    Future<Void> agent = ctx.isAgent() ? queues.agentOnline(ctx.appId(), ctx.userId(), true) : Future.succeededFuture();
    return agent.compose(v -> queues.markPresent(ctx.appId(), ctx.userId()))
      .compose(q -> rooms.deadlines().cancel(RoomStore.QUEUE_DEADLINES, RoomState.queueGraceDeadline(ctx.appId(), ctx.userId()))
        .compose(v -> queues.position(ctx.appId(), ctx.userId())))
      .map(pos -> {
        ServiceReply r = ServiceReply.ok();
        if (pos != null) {
          r.self(new JsonArray().add(ServiceReply.push(position(pos.queueId(), pos.waitIndex(), pos.waitTotal()), false)));
        }
        return r;
      });
  }

  /** Body {ctx, lastDevice, logout}. */
  private Future<JsonObject> onDisconnect(JsonObject body) {
    RequestContext ctx = RequestContext.of(body);
    return disconnected(ctx, body.getBoolean("lastDevice", false), body.getBoolean("logout", false))
      .map(v -> ServiceReply.ok().toJson());
  }

  Future<Void> disconnected(RequestContext ctx, boolean lastDevice, boolean logout) {
    if (!lastDevice) {
      return Future.succeededFuture();
    }
    AppConfig app = app(ctx.appId());
    Future<Void> agent = ctx.isAgent() ? queues.agentOnline(ctx.appId(), ctx.userId(), false) : Future.succeededFuture();
    if (logout) {
      long now = System.currentTimeMillis();
      return agent.compose(v -> queues.leave(ctx.appId(), ctx.userId())).compose(w -> {
        if (w != null) {
          records.queueEnded(ctx.appId(), ctx.userId(), now, ServiceRecords.LEFT, null, null);
          changed(ctx.appId(), w.queueId());
          LOG.info("{}/{} logged out and left queue {}", ctx.appId(), ctx.userId(), w.queueId());
        }
        return Future.succeededFuture();
      });
    }
    return agent.compose(v -> absent(ctx.appId(), ctx.userId(), app));
  }

  private Future<?> onGraceExpired(String member) {
    String[] p = member.split("\\|", 3);
    String appId = p[1];
    String userId = p[2];
    return infra.directory().routes(appId, userId).compose(routes -> {
      if (!routes.isEmpty()) {
        return queues.markPresent(appId, userId).mapEmpty();
      }
      return queues.removeIfAbsent(appId, userId).map(w -> {
        if (w != null) {
          records.queueEnded(appId, userId, System.currentTimeMillis(), ServiceRecords.TIMEOUT, null, null);
          changed(appId, w.queueId());
          LOG.info("{}/{} removed from queue {}: no device came back within the grace", appId, userId, w.queueId());
        }
        return null;
      });
    });
  }

  // ---- rounds

  private void positionRounds() {
    if (positionRunning) {
      return;
    }
    positionRunning = true;
    queues.claimDirty(KIND_POSITION, POSITION_ROUND_MS, ROUND_BATCH).compose(list -> {
      List<Future<?>> all = new ArrayList<>();
      for (String aq : list) {
        int bar = aq.indexOf('|');
        all.add(positionRound(aq.substring(0, bar), aq.substring(bar + 1)));
      }
      return Future.join(all);
    }).onComplete(ar -> {
      positionRunning = false;
      if (ar.failed()) {
        LOG.warn("410 round failed: {}", ar.cause().toString());
      }
    });
  }

  /** {@code im_queue_waiting{app,queue}}: the queue length seen by this node's last position round. */
  private void recordLength(String appId, String queueId, int length) {
    String k0 = appId + '|' + queueId;
    AppConfig app = infra.config().apps().get(appId);
    if (length == 0 && (app == null || app.queue(queueId) == null)) {
      // M9: a dynamic queue that emptied is gone: so is its gauge (configured queues keep theirs at 0)
      io.micrometer.core.instrument.Gauge g = gauges.remove(k0);
      lengths.remove(k0);
      if (g != null) {
        com.seedim.im.common.infra.Metrics.registry().remove(g);
      }
      return;
    }
    lengths.computeIfAbsent(k0, k -> {
      java.util.concurrent.atomic.AtomicInteger g = new java.util.concurrent.atomic.AtomicInteger();
      gauges.put(k, io.micrometer.core.instrument.Gauge.builder("im_queue_waiting", g, java.util.concurrent.atomic.AtomicInteger::get)
        .description("customers waiting in a queue (as of the last position round on this node)")
        .tag("app", appId).tag("queue", queueId).register(com.seedim.im.common.infra.Metrics.registry()));
      return g;
    }).set(length);
  }

  private Future<Void> positionRound(String appId, String queueId) {
    // the line first, then what was sent: a customer in the line read has its entry's position recorded already
    return queues.waiters(appId, queueId).compose(line -> queues.sentPositions(appId, queueId).compose(sent -> {
      recordLength(appId, queueId, line.size());
      QueueRules.Round round = QueueRules.round(line, sent);
      for (Map.Entry<String, String> e : round.changed().entrySet()) {
        String[] v = e.getValue().split(":");
        infra.pusher().toUser(appId, e.getKey(), position(queueId, Integer.parseInt(v[0]), Integer.parseInt(v[1])), false, null);
      }
      if (round.changed().isEmpty() && round.gone().isEmpty()) {
        return Future.succeededFuture();
      }
      return queues.saveSentPositions(appId, queueId, round.changed(), round.gone());
    }));
  }

  private void infoRounds() {
    if (infoRunning) {
      return;
    }
    infoRunning = true;
    queues.claimDirty(KIND_INFO, INFO_ROUND_MS, ROUND_BATCH).compose(list -> {
      List<Future<?>> all = new ArrayList<>();
      for (String aq : list) {
        int bar = aq.indexOf('|');
        all.add(infoRound(aq.substring(0, bar), aq.substring(bar + 1)));
      }
      return Future.join(all);
    }).onComplete(ar -> {
      infoRunning = false;
      if (ar.failed()) {
        LOG.warn("431 round failed: {}", ar.cause().toString());
      }
    });
  }

  private Future<Void> infoRound(String appId, String queueId) {
    AppConfig app = infra.config().apps().get(appId);
    if (app == null) {
      return Future.succeededFuture();
    }
    return Future.all(queues.onlineAgents(appId), queues.waiters(appId, queueId)).map(cf -> {
      List<String> agents = cf.resultAt(0);
      List<Waiter> line = cf.resultAt(1);
      for (String agent : agents) {
        if (QueueRules.serves(app, agent, queueId)) {
          infra.pusher().toUser(appId, agent, info(queueId, -1, line, true), false, null);
        }
      }
      return null;
    });
  }

  // ---- HTTP API

  private Future<JsonObject> onStats(JsonObject body) {
    String appId = body.getString("appId");
    AppConfig app = app(appId);
    String queueId = Frames.reqId(body, "queueId");
    QueueRules.requireKnown(app, queueId);
    return Future.all(queues.waiters(appId, queueId), records.queueStats(appId, queueId)).map(cf -> {
      List<Waiter> line = cf.resultAt(0);
      JsonObject stats = cf.resultAt(1);
      return new JsonObject().put("queueId", queueId).put("waitTotal", line.size()).put("waiting", waiting(line))
        .put("userIdList", userIds(line)).mergeIn(stats);
    });
  }

}
