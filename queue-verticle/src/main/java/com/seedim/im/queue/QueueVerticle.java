package com.seedim.im.queue;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.Outbox;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.bus.msg.ApiQueries.QueueStatsQuery;
import com.seedim.im.common.bus.msg.SessionClosed;
import com.seedim.im.common.bus.msg.SessionOpened;
import com.seedim.im.common.bus.msg.TeardownReason;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.TurnConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.turn.IceServers;
import com.seedim.im.cs.CustomerService;
import com.seedim.im.cs.RoomTeardowns;
import com.seedim.im.cs.Wiring;
import com.seedim.im.cs.store.LeftMessages;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.QueueStore.Take;
import com.seedim.im.cs.store.QueueStore.Waiter;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.ServiceRecords;
import com.seedim.im.cs.store.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * PROTOCOL.md §6 queues: 400 enter, 401 take (→ 402, room creation), 420 leave, 430 info (→ 431), the 410 position
 * rounds and 431 agent pushes ({@link QueueRounds}), the grace of waiters whose last device left ({@link QueueGrace}),
 * and the queue statistics API. State lives in the {@link CustomerService} store (Redis in production), so any number
 * of instances serve the same queues.
 */
public class QueueVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(QueueVerticle.class);

  private final Infra infra;
  private final CustomerService cs;
  private final QueueStore queues;
  private final RoomStore rooms;
  private final ServiceRecords records;
  private WaitEstimates estimates;
  private final QueueGrace grace;
  private final IceServers ice;
  private Wiring wiring;
  private QueueRounds rounds;
  private QueueTake take;
  private RoomTeardowns teardowns;
  private AgentDesk desk;
  private RoomTransfer transfer;
  private LeftMessageService leftMessages;

  public QueueVerticle(Infra infra) {
    this.infra = infra;
    this.cs = CustomerService.of(infra);
    this.ice = new IceServers(TurnConfig.of(infra.config()));
    this.rooms = cs.rooms();
    this.queues = cs.queues();
    this.records = cs.records();
    this.grace = new QueueGrace(queues, cs.deadlines());
  }

  @Override
  public Future<?> start() {
    estimates = new WaitEstimates(records);
    rounds = new QueueRounds(vertx, infra.config(), queues, infra.pusher(), estimates);
    take = new QueueTake(queues, infra.directory(), infra.ids(), grace);
    teardowns = new RoomTeardowns(vertx.eventBus(), infra.config().busTimeoutMs());
    desk = new AgentDesk(infra, queues, rooms, cs.leftMessages(), rounds);
    rounds.desk(desk::availableFor, desk::messagesWaiting);
    transfer = new RoomTransfer(infra, rooms, cs.deadlines(), records, desk, teardowns, ice, this::entered);
    leftMessages = new LeftMessageService(infra, cs.leftMessages(), queues, rooms, rounds,
      ctx -> leaveQueue(ctx, "left a message and left", LeftMessages.QUEUE_OUTCOME), desk::requireAvailable);
    wiring = new Wiring(vertx)
      .frame(MsgType.QUEUE_ENTER, this::onEnter)
      .frame(MsgType.QUEUE_TAKE, this::onTake)
      .frame(MsgType.QUEUE_LEAVE, this::onLeave)
      .frame(MsgType.QUEUE_INFO, this::onInfo)
      .frame(MsgType.AGENT_STATUS, desk::onStatus)
      .frame(MsgType.ROOM_TRANSFER, transfer::onTransfer)
      .frame(MsgType.SUPERVISOR_VIEW, desk::onSupervisor)
      .frame(MsgType.LEAVE_MESSAGE, leftMessages::onLeave)
      .frame(MsgType.MESSAGE_TAKE, leftMessages::onTake)
      .message(Addresses.QUEUE_CONNECT, SessionOpened.class, SessionOpened::fromJson, this::onConnect)
      .message(Addresses.QUEUE_DISCONNECT, SessionClosed.class, SessionClosed::fromJson, this::onDisconnect)
      .message(Addresses.QUEUE_API_STATS, QueueStatsQuery.class, QueueStatsQuery::fromJson, this::onStats)
      .sweep(cs.deadlines(), RoomStore.QUEUE_DEADLINES, cs.appIds(), this::onQueueTimer);
    return wiring.start(Future.all(records.migrate(), cs.leftMessages().migrate())).onSuccess(v -> {
      rounds.start();
      LOG.info("queue service up: {}", wiring.addresses());
    });
  }

  @Override
  public Future<?> stop() {
    rounds.stop();
    return wiring.stop();
  }

  private AppConfig app(String appId) {
    return infra.config().apps().require(appId);
  }

  private JsonArray positionPush(String appId, String queueId, int index, int total) {
    return new JsonArray().add(ServiceReply.push(QueueFrames.position(queueId, index, total,
      estimates.seconds(appId, queueId, index, System.currentTimeMillis())), false));
  }

  // ---- 400

  private Future<ServiceReply> onEnter(RequestContext ctx, JsonObject frame) {
    QueueRules.requireCustomer(ctx);
    AppConfig app = app(ctx.appId());
    String asked = Frames.optId(frame, "queueId");
    String queueId = asked != null ? asked : AppConfig.DEFAULT_QUEUE;
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
          records.queueEntered(ctx.appId(), queueId, ctx.userId(), now, e.waitIndex());
          maxWait(app, queueId, ctx.userId(), now);
          rounds.changed(ctx.appId(), e.previousQueue());
          LOG.info("{}/{} moved from queue {} to {} at {}/{}", ctx.appId(), ctx.userId(), e.previousQueue(), queueId,
            e.waitIndex(), e.waitTotal());
          break;
        case ENTERED:
          records.queueEntered(ctx.appId(), queueId, ctx.userId(), now, e.waitIndex());
          maxWait(app, queueId, ctx.userId(), now);
          LOG.info("{}/{} entered queue {} at {}/{}", ctx.appId(), ctx.userId(), queueId, e.waitIndex(), e.waitTotal());
          break;
        default:
          break;
      }
      // enter recorded the customer's position as sent (it goes out with this reply): rounds tell only the others
      rounds.changed(ctx.appId(), queueId);
      return grace.cancel(ctx.appId(), ctx.userId())
        .map(v -> ServiceReply.ok().self(positionPush(ctx.appId(), queueId, e.waitIndex(), e.waitTotal())));
    });
  }

  // ---- 401

  private Future<ServiceReply> onTake(RequestContext ctx, JsonObject frame) {
    AppConfig app = app(ctx.appId());
    String queueId = Frames.optId(frame, "queueId");
    String named = Frames.optId(frame, "receiveUserId");
    QueueRules.checkTake(app, ctx, queueId, named);
    Future<List<String>> served = queueId != null ? Future.succeededFuture(List.of(queueId))
      : queues.queueIds(ctx.appId()).map(known -> QueueRules.servedQueues(app, ctx.userId(), known));
    Future<Void> available = ctx.isAgent() ? desk.requireAvailable(ctx) : Future.succeededFuture();
    return available.compose(a -> served).compose(qs -> queues.agentRooms(ctx.appId(), ctx.userId()).compose(n -> {
      if (n >= app.maxRoomsPerAgent()) {
        throw new ProtocolException(ErrorCode.AGENT_BUSY, "agent already serves " + n + " room(s)");
      }
      return named != null ? take.named(ctx, app, qs, named) : take.next(ctx, app, qs, 0);
    })).compose(t -> opened(ctx, t));
  }

  /** Records the take and announces the room: 402 to both (the agent's in the reply), then 551 to both. */
  private Future<ServiceReply> opened(RequestContext ctx, Take t) {
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
      rounds.changed(ctx.appId(), w.queueId());
      LOG.info("agent {}/{} took {} from queue {} into room {} after {} ms", ctx.appId(), agent, w.userId(), w.queueId(),
        roomId, now - w.enteredAt());
      JsonObject reply = Frames.frame(MsgType.QUEUE_TAKEN).put("receiveUserId", w.userId()).put("roomId", roomId)
        .put("queueId", w.queueId());
      JsonObject toCustomer = Frames.frame(MsgType.QUEUE_TAKEN).put("userId", agent).put("roomId", roomId)
        .put("queueId", w.queueId());
      // each member's 551 carries iceServers minted for it
      Outbox out = new Outbox(infra.pusher(), ctx)
        .toUser(w.userId(), toCustomer, true)
        .toUser(w.userId(), RoomState.info551(room, ice.forUser(w.userId())), true)
        .toUser(agent, RoomState.info551(room, ice.forUser(agent)), true);
      return out.flush().map(v -> ServiceReply.ok().reply(reply).self(out.self()));
    });
  }

  // ---- 420

  private Future<ServiceReply> onLeave(RequestContext ctx, JsonObject frame) {
    String roomId = Frames.optId(frame, "roomId");
    return leaveQueue(ctx, "left").compose(v -> rooms.roomsOf(ctx.appId(), ctx.userId())).compose(mine -> {
      if (roomId != null && !mine.contains(roomId)) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, "not in room " + roomId);
      }
      return leaveRooms(ctx, roomId != null ? List.of(roomId) : mine, 0, new JsonArray());
    }).map(self -> ServiceReply.ok().self(self));
  }

  /** Takes the user out of its queue, if it waits in one (420, logout); no grace runs for it any more. */
  private Future<Void> leaveQueue(RequestContext ctx, String how) {
    return leaveQueue(ctx, how, ServiceRecords.LEFT);
  }

  /** As {@link #leaveQueue(RequestContext, String)}, recording the wait's {@code outcome} (e.g. a left message). */
  private Future<Void> leaveQueue(RequestContext ctx, String how, String outcome) {
    long now = System.currentTimeMillis();
    return queues.leave(ctx.appId(), ctx.userId()).compose(w -> {
      if (w != null) {
        records.queueEnded(ctx.appId(), ctx.userId(), now, outcome, null, null);
        rounds.changed(ctx.appId(), w.queueId());
        LOG.info("{}/{} {} queue {}", ctx.appId(), ctx.userId(), how, w.queueId());
      }
      return grace.cancel(ctx.appId(), ctx.userId());
    });
  }

  /** 420 in rooms: the room service ends them one after the other; their pushes for this connection, in order. */
  private Future<JsonArray> leaveRooms(RequestContext ctx, List<String> roomIds, int i, JsonArray self) {
    if (i >= roomIds.size()) {
      return Future.succeededFuture(self);
    }
    return teardowns.leave(ctx, roomIds.get(i), TeardownReason.LEFT).compose(s -> {
      s.forEach(self::add);
      return leaveRooms(ctx, roomIds, i + 1, self);
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
      Future<Integer> messages = full ? desk.messagesWaiting(ctx.appId(), queueId) : Future.succeededFuture(0);
      return Future.all(queues.waiters(ctx.appId(), queueId), desk.availableFor(ctx.appId(), queueId), messages).map(cf -> {
        List<Waiter> line = cf.resultAt(0);
        List<String> agents = cf.resultAt(1);
        int index = pos != null && pos.queueId().equals(queueId) ? pos.waitIndex() : -1;
        return ServiceReply.ok().reply(QueueFrames.info(queueId, index, line, full, agents.size(), cf.<Integer>resultAt(2)));
      });
    });
  }

  // ---- lifecycle

  /** A new connection: an agent is online, a waiter present again (its grace ends) and told its position. */
  private Future<ServiceReply> onConnect(SessionOpened opened) {
    RequestContext ctx = opened.ctx();
    Future<Void> agent = ctx.isAgent() ? queues.agentOnline(ctx.appId(), ctx.userId(), true) : Future.succeededFuture();
    return agent.compose(v -> queues.markPresent(ctx.appId(), ctx.userId()))
      .compose(q -> grace.cancel(ctx.appId(), ctx.userId()).compose(v -> queues.position(ctx.appId(), ctx.userId(), q)))
      .map(pos -> pos == null ? ServiceReply.ok()
        : ServiceReply.ok().self(positionPush(ctx.appId(), pos.queueId(), pos.waitIndex(), pos.waitTotal())));
  }

  /** The last device left: an agent goes offline; a waiter leaves at once (logout) or starts its grace. */
  private Future<JsonObject> onDisconnect(SessionClosed closed) {
    RequestContext ctx = closed.ctx();
    if (!closed.lastDevice()) {
      return Future.succeededFuture(ServiceReply.ok().toJson());
    }
    AppConfig app = app(ctx.appId());
    Future<Void> agent = ctx.isAgent() ? queues.agentOnline(ctx.appId(), ctx.userId(), false) : Future.succeededFuture();
    Future<Void> waiter = agent.compose(v -> closed.logout() ? leaveQueue(ctx, "logged out and left")
      : grace.absent(ctx.appId(), ctx.userId(), app));
    return waiter.map(v -> ServiceReply.ok().toJson());
  }

  /** §14.3: a customer entering a queue with maxWaitSeconds gets a timer that removes it with a 620. */
  private void maxWait(AppConfig app, String queueId, String userId, long now) {
    int limit = app.maxWaitSeconds(queueId);
    if (limit > 0) {
      cs.deadlines().schedule(app.appId(), RoomStore.QUEUE_DEADLINES, Timer.maxWait(app.appId(), userId, queueId).encode(),
        now + limit * 1000L).onFailure(err -> LOG.warn("max-wait timer of {}/{} in queue {} not set: {}", app.appId(), userId,
          queueId, err.toString()));
    }
  }

  /**
   * A customer entered a queue other than by 400 (a room transferred back to a queue, §14.2): records, rounds, its
   * max-wait timer, and its grace when no device of it is connected.
   */
  private Future<Void> entered(RequestContext ctx, String appId, String queueId, String userId, long now, int position) {
    AppConfig app = app(appId);
    records.queueEntered(appId, queueId, userId, now, position);
    maxWait(app, queueId, userId, now);
    rounds.changed(appId, queueId);
    return infra.directory().routes(appId, userId).compose(routes -> routes.isEmpty()
      ? grace.absent(appId, userId, app) : Future.succeededFuture());
  }

  private Future<?> onQueueTimer(String member) {
    Timer t = Timer.parse(member);
    if (t != null && t.kind() == Timer.Kind.MAX_WAIT) {
      return onMaxWait(t);
    }
    if (t == null || t.kind() != Timer.Kind.QUEUE_GRACE) {
      LOG.warn("unknown queue timer {}", member);
      return Future.succeededFuture();
    }
    String appId = t.appId();
    String userId = t.userId();
    return infra.directory().routes(appId, userId).compose(routes -> {
      if (!routes.isEmpty()) {
        return queues.markPresent(appId, userId).mapEmpty();
      }
      return queues.removeIfAbsent(appId, userId).map(w -> {
        if (w != null) {
          // kept as a timeout (an abandoned wait); its event is a queue.left with reason grace
          records.queueEnded(appId, userId, System.currentTimeMillis(), ServiceRecords.GRACE, null, null);
          rounds.changed(appId, w.queueId());
          LOG.info("{}/{} removed from queue {}: no device came back within the grace", appId, userId, w.queueId());
        }
        return null;
      });
    });
  }

  /** §14.3: the waiter is removed (620) if it still waits in that queue since the limit ago; else a later entry counts. */
  private Future<?> onMaxWait(Timer t) {
    String appId = t.appId();
    String userId = t.userId();
    AppConfig app = infra.config().apps().get(appId);
    if (app == null) {
      return Future.succeededFuture();
    }
    long limitMs = app.maxWaitSeconds(t.queueId()) * 1000L;
    long now = System.currentTimeMillis();
    return queues.position(appId, userId).compose(pos -> {
      if (pos == null || !pos.queueId().equals(t.queueId()) || limitMs <= 0) {
        return Future.succeededFuture();
      }
      if (now - pos.enteredAt() < limitMs) {
        // entered again since the timer was set (a timer fires late or early only in races): the rest of its limit
        return cs.deadlines().schedule(appId, RoomStore.QUEUE_DEADLINES, t.encode(), pos.enteredAt() + limitMs);
      }
      return queues.leave(appId, userId).compose(w -> {
        if (w == null) {
          return Future.succeededFuture();
        }
        long waited = Math.max(0, (now - w.enteredAt()) / 1000);
        records.queueEnded(appId, userId, now, ServiceRecords.TIMEOUT, null, null);
        rounds.changed(appId, w.queueId());
        LOG.info("{}/{} removed from queue {} after waiting {} s (maxWaitSeconds {})", appId, userId, w.queueId(), waited,
          limitMs / 1000);
        return grace.cancel(appId, userId).compose(v -> infra.pusher().toUser(appId, userId,
          QueueFrames.timeout(w.queueId(), waited), true, null)).mapEmpty();
      });
    });
  }

  // ---- HTTP API

  private Future<JsonObject> onStats(QueueStatsQuery query) {
    String appId = query.appId();
    AppConfig app = app(appId);
    String queueId = Frames.reqId(query.toJson(), "queueId");
    QueueRules.requireKnown(app, queueId);
    return Future.all(queues.waiters(appId, queueId), records.queueStats(appId, queueId)).map(cf -> {
      List<Waiter> line = cf.resultAt(0);
      JsonObject stats = cf.resultAt(1);
      return new JsonObject().put("queueId", queueId).put("waitTotal", line.size()).put("waiting", QueueFrames.waiting(line))
        .put("userIdList", QueueFrames.userIds(line)).mergeIn(stats);
    });
  }
}
