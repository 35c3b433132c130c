package com.seedim.im.queue;

import com.seedim.im.common.bus.Outbox;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.bus.msg.TeardownReason;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.events.Event;
import com.seedim.im.common.events.EventMetrics;
import com.seedim.im.common.events.Events;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.turn.IceServers;
import com.seedim.im.cs.RoomTeardowns;
import com.seedim.im.cs.call.Calls;
import com.seedim.im.cs.store.DeadlineStore;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.ServiceEvents;
import com.seedim.im.cs.store.ServiceRecords;
import com.seedim.im.cs.store.Timer;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * 610 ROOM_TRANSFER (protocol §14.2): a room handed to another agent in one atomic store step
 * ({@link RoomStore#transfer}: the same guarantees as a take), or its customer sent back to a queue with the room's
 * creation time as its place. A ringing or active call ends first (321 {@code transferred}): its media path was the
 * former agent's.
 */
final class RoomTransfer {
  private static final Logger LOG = LoggerFactory.getLogger(RoomTransfer.class);
  /** Reloads after a concurrent change of the room (a call frame, another transfer) before giving up. */
  private static final int ATTEMPTS = 3;
  private static final String TRANSFERRED = TeardownReason.TRANSFERRED.wire();
  /** The call fields a transfer clears (the room keeps no call of its former agent). */
  private static final List<String> CALL_FIELDS = List.of(Calls.CALLEE, Calls.CALL_ID, Calls.CALLER_DEVICE,
    Calls.CALLEE_DEVICE, Calls.RING_AT, Calls.ANSWERED_AT, Calls.OFFER, Calls.RENEGOTIATION_BY);

  /** What the queue service does when a customer enters a queue (records, rounds, max-wait timer). */
  interface Entered {
    Future<Void> entered(RequestContext ctx, String appId, String queueId, String userId, long now, int position);
  }

  private final Infra infra;
  private final RoomStore rooms;
  private final QueueStore queues;
  private final DeadlineStore deadlines;
  private final ServiceRecords records;
  private final AgentDesk desk;
  private final RoomTeardowns teardowns;
  private final IceServers ice;
  private final Entered entered;
  /** room.transferred of a transfer to a queue (not a record: the room's close and the new wait are). */
  private final Events events;
  private final ServiceEvents serviceEvents;

  RoomTransfer(Infra infra, RoomStore rooms, DeadlineStore deadlines, ServiceRecords records, AgentDesk desk,
    RoomTeardowns teardowns, IceServers ice, Entered entered) {
    this.infra = infra;
    this.rooms = rooms;
    this.queues = rooms.queues();
    this.deadlines = deadlines;
    this.records = records;
    this.desk = desk;
    this.teardowns = teardowns;
    this.ice = ice;
    this.entered = entered;
    this.events = Events.of(infra);
    this.serviceEvents = new ServiceEvents(events.recorder(), events.store());
  }

  Future<ServiceReply> onTransfer(RequestContext ctx, JsonObject frame) {
    if (!ctx.isAgent() && !ctx.isAdmin()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only the room's agent or an admin transfers a room");
    }
    String to = Frames.optId(frame, "toUserId");
    String queueId = Frames.optId(frame, "queueId");
    if (to != null && queueId != null) {
      throw ProtocolException.invalid("toUserId", "name either toUserId (an agent) or queueId, not both");
    }
    if (to == null && queueId == null) {
      throw ProtocolException.missing("toUserId");
    }
    String roomId = Frames.optId(frame, "roomId");
    if (roomId == null && ctx.isAdmin()) {
      throw ProtocolException.missing("roomId");
    }
    AppConfig app = infra.config().apps().require(ctx.appId());
    Future<String> id = roomId != null ? Future.succeededFuture(roomId) : rooms.roomIdOf(ctx.appId(), ctx.userId());
    return id.compose(r -> {
      if (r == null) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, "you serve no room");
      }
      return to != null ? toAgent(ctx, app, r, to, 0) : toQueue(ctx, app, r, queueId);
    });
  }

  private Future<RoomStore.Versioned> load(RequestContext ctx, String roomId) {
    return rooms.load(ctx.appId(), roomId).map(v -> {
      if (v == null || !ctx.isAdmin() && !ctx.userId().equals(v.room().getString(RoomState.CREATOR))) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, "no open room " + roomId + " of yours");
      }
      return v;
    });
  }

  // ---- to an agent

  private Future<ServiceReply> toAgent(RequestContext ctx, AppConfig app, String roomId, String to, int attempt) {
    return toAgent(ctx, app, roomId, to, attempt, null);
  }

  /** @param firstAgent the room's agent when the 610 was first read (a retry after a change must find it still) */
  private Future<ServiceReply> toAgent(RequestContext ctx, AppConfig app, String roomId, String to, int attempt,
    String firstAgent) {
    return load(ctx, roomId).compose(v -> {
      JsonObject room = v.room();
      String from = room.getString(RoomState.CREATOR);
      if (firstAgent != null && !firstAgent.equals(from)) {
        // another transfer won meanwhile: of two transfers exactly one wins (§14.2)
        throw new ProtocolException(ErrorCode.NOT_FOUND, "room " + roomId + " changed agent meanwhile (now " + from + ")");
      }
      String customer = room.getString(RoomState.CUSTOMER);
      if (to.equals(from) || to.equals(customer)) {
        throw ProtocolException.invalid("toUserId", "'" + to + "' is already in room " + roomId);
      }
      String queueId = room.getString(RoomState.QUEUE_ID);
      return Future.all(queues.onlineAgents(ctx.appId()), queues.agentStatus(ctx.appId(), to)).compose(cf -> {
        List<String> online = cf.resultAt(0);
        String status = cf.resultAt(1);
        if (!online.contains(to)) {
          throw new ProtocolException(ErrorCode.NOT_FOUND, "'" + to + "' is not a connected agent");
        }
        if (!QueueRules.serves(app, to, queueId)) {
          throw new ProtocolException(ErrorCode.FORBIDDEN, "'" + to + "' does not serve queue " + queueId);
        }
        if (!QueueStore.AVAILABLE.equals(status)) {
          throw new ProtocolException(ErrorCode.INVALID_STATE, "'" + to + "' is " + status);
        }
        JsonObject moved = handedTo(room, to);
        return rooms.transfer(ctx.appId(), roomId, v.version(), moved, from, to, app.maxRoomsPerAgent()).compose(outcome -> {
          switch (outcome) {
            case AGENT_BUSY:
              throw new ProtocolException(ErrorCode.AGENT_BUSY, "'" + to + "' already serves " + app.maxRoomsPerAgent()
                + " room(s)");
            case CHANGED:
              if (attempt + 1 < ATTEMPTS) {
                return toAgent(ctx, app, roomId, to, attempt + 1, from);
              }
              throw new ProtocolException(ErrorCode.UNAVAILABLE, "room " + roomId + " keeps changing; retry");
            default:
              return transferred(ctx, app, room, moved, from, to);
          }
        });
      });
    });
  }

  /** Writes an event that is no record's (fire-and-forget: a failure is logged and counted). */
  private void record(Event e) {
    if (e == null) {
      return;
    }
    events.store().append(List.of(e)).onFailure(err -> {
      EventMetrics.appendFailed(e.type());
      LOG.warn("event {} {} of app {} not recorded: {}", e.type().wire(), e.id(), e.appId(), err.toString());
    });
  }

  /** The room JSON after the transfer: the new agent, and no call. */
  static JsonObject handedTo(JsonObject room, String to) {
    JsonObject moved = room.copy().put(RoomState.CREATOR, to)
      .put(RoomState.MEMBERS, new JsonArray().add(to).add(room.getString(RoomState.CUSTOMER)))
      .put(Calls.CALL_STATE, Calls.IDLE).putNull(Calls.CALLER);
    CALL_FIELDS.forEach(moved::remove);
    return moved;
  }

  private Future<ServiceReply> transferred(RequestContext ctx, AppConfig app, JsonObject before, JsonObject after,
    String from, String to) {
    String appId = ctx.appId();
    String roomId = before.getString(RoomState.ROOM_ID);
    String customer = before.getString(RoomState.CUSTOMER);
    long now = System.currentTimeMillis();
    LOG.info("room {}/{} of {} transferred from agent {} to {} by {}", appId, roomId, customer, from, to, ctx.userId());
    // the call ends first (its call.ended comes before the room.transferred)
    if (Calls.isLive(before)) {
      records.callEnded(appId, before.getString(Calls.CALL_ID), now, TRANSFERRED);
    }
    records.roomTransferred(appId, roomId, from, to, ctx.userId(), now);
    Outbox out = new Outbox(infra.pusher(), ctx);
    if (Calls.isLive(before)) {
      JsonObject ended = Calls.ended(before, ctx.userId(), TRANSFERRED);
      for (String m : List.of(from, customer)) {
        if (!m.equals(ctx.userId())) {
          out.toUser(m, ended.copy(), true);
        }
      }
    }
    JsonObject notice = Frames.frame(MsgType.ROOM_TRANSFERRED).put("roomId", roomId).put("fromUserId", from)
      .put("toUserId", to).put("byUserId", ctx.userId());
    out.toUser(from, notice.copy(), true).toUser(to, notice.copy(), true).toUser(customer, notice.copy(), true)
      .toUser(to, RoomState.info551(after, ice.forUser(to)), true)
      .toUser(customer, RoomState.info551(after, ice.forUser(customer)), true)
      .toUser(from, Frames.frame(MsgType.ROOM_DISBANDED).put("roomId", roomId).put("reason", TRANSFERRED), true);
    String idle = Timer.idle(appId, roomId).encode();
    Future<Void> timers = deadlines.schedule(appId, RoomStore.ROOM_DEADLINES, idle, now + app.roomIdleSeconds() * 1000L)
      // a grace the former agent's last device started must not end the room it handed over
      .compose(v -> deadlines.cancel(appId, RoomStore.ROOM_DEADLINES, Timer.grace(appId, roomId, from).encode()));
    if (Calls.isLive(before)) {
      timers = timers.compose(v -> deadlines.cancel(appId, RoomStore.CALL_DEADLINES,
        Calls.ringTimer(appId, roomId, before.getString(Calls.CALL_ID)).encode()));
    }
    timers.onFailure(err -> LOG.warn("timers of transferred room {}/{} not updated: {}", appId, roomId, err.toString()));
    return out.flush().map(v -> ServiceReply.ok().self(out.self()));
  }

  // ---- to a queue

  private Future<ServiceReply> toQueue(RequestContext ctx, AppConfig app, String roomId, String queueId) {
    QueueRules.requireKnown(app, queueId);
    return load(ctx, roomId).compose(v -> queues.waiters(ctx.appId(), queueId).compose(line -> {
      if (line.size() >= app.maxQueueLength()) {
        throw new ProtocolException(ErrorCode.QUEUE_FULL, "queue '" + queueId + "' is full");
      }
      JsonObject room = v.room();
      String from = room.getString(RoomState.CREATOR);
      String customer = room.getString(RoomState.CUSTOMER);
      long createdAt = room.getLong(RoomState.CREATED_AT);
      // room.transferred {toQueueId} takes its id now, ahead of the room.closed and queue.entered that follow; it is
      // written once the room closed (only the request that closes it goes on)
      Event handedBack = serviceEvents.roomTransferredToQueue(ctx.appId(), roomId, from, queueId, ctx.userId(),
        System.currentTimeMillis());
      // the room ends first, and only the request that closes it goes on: a 420 or another transfer at the same
      // moment wins or loses as a whole (the customer is never both left and re-queued)
      return teardowns.end(ctx, roomId, TeardownReason.TRANSFERRED).compose(ended -> {
        if (!ended.closed()) {
          throw new ProtocolException(ErrorCode.NOT_FOUND, "room " + roomId + " ended meanwhile");
        }
        LOG.info("room {}/{} of {} sent back to queue {} by {}", ctx.appId(), roomId, customer, queueId, ctx.userId());
        record(handedBack);
        JsonObject notice = Frames.frame(MsgType.ROOM_TRANSFERRED).put("roomId", roomId).put("fromUserId", from)
          .put("queueId", queueId).put("byUserId", ctx.userId());
        Outbox out = new Outbox(infra.pusher(), ctx).toUser(from, notice.copy(), true).toUser(customer, notice.copy(), true);
        JsonArray self = ended.self();
        out.self().forEach(self::add);
        // its place: the room's creation time, ahead of everyone who entered after the room opened
        int maxQueues = app.queue(queueId) == null ? QueueStore.MAX_DYNAMIC_QUEUES : 0;
        return out.flush().compose(x -> queues.enter(ctx.appId(), queueId, customer, app.maxQueueLength(), createdAt,
          maxQueues)).compose(e -> {
            if (e.outcome() != QueueStore.EnterOutcome.ENTERED && e.outcome() != QueueStore.EnterOutcome.SAME
              && e.outcome() != QueueStore.EnterOutcome.MOVED) {
              // the queue filled up meanwhile: the customer is told its place is gone (§7.1), as when one is lost
              LOG.warn("{}/{} could not re-enter queue {} after the transfer of room {}: {}", ctx.appId(), customer,
                queueId, roomId, e.outcome());
              return infra.pusher().toUser(ctx.appId(), customer, QueueFrames.lost(queueId), false, null)
                .map(n -> ServiceReply.ok().self(self));
            }
            List<Future<?>> after = new ArrayList<>();
            after.add(entered.entered(ctx, ctx.appId(), queueId, customer, System.currentTimeMillis(), e.waitIndex()));
            after.add(infra.pusher().toUser(ctx.appId(), customer, QueueFrames.position(queueId, e.waitIndex(),
              e.waitTotal(), null), false, null));
            return Future.join(after).map(x -> ServiceReply.ok().self(self));
          });
      });
    }));
  }
}
