package com.seedim.im.signaling;

import com.seedim.im.common.bus.Outbox;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.bus.msg.TeardownReason;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.cs.CustomerService;
import com.seedim.im.cs.RoomTeardowns;
import com.seedim.im.cs.Wiring;
import com.seedim.im.cs.call.Calls;
import com.seedim.im.cs.store.DeadlineStore;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.ServiceRecords;
import com.seedim.im.cs.store.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * PROTOCOL.md §6 call signaling between the two members of a room: 300/310/320/330/340/342 relayed as
 * 301/311/321/321/341/343 per {@link CallMachine}, with the ring timeout kept as a stored deadline. Call state lives
 * in the room (compare-and-set on its version), so any instance handles any frame. 660 call statistics:
 * {@link CallStats}.
 */
public class SignalingVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SignalingVerticle.class);
  /** §3: a signaling {@code message} over this many UTF-8 bytes is TOO_LARGE. */
  public static final int MAX_MESSAGE_BYTES = 65536;
  private static final int CAS_ATTEMPTS = 10;
  private static final List<MsgType> HANDLED = List.of(MsgType.CALL_REQUEST, MsgType.CALL_ACCEPT, MsgType.CALL_REJECT,
    MsgType.CALL_HANGUP, MsgType.CALLER_CANDIDATE, MsgType.CALLEE_CANDIDATE);

  private final Infra infra;
  private final RoomStore rooms;
  private final DeadlineStore deadlines;
  private final ServiceRecords records;
  private Wiring wiring;
  private RoomTeardowns teardowns;

  public SignalingVerticle(Infra infra) {
    this.infra = infra;
    CustomerService cs = CustomerService.of(infra);
    this.rooms = cs.rooms();
    this.deadlines = cs.deadlines();
    this.records = cs.records();
  }

  @Override
  public Future<?> start() {
    teardowns = new RoomTeardowns(vertx.eventBus(), infra.config().busTimeoutMs());
    wiring = new Wiring(vertx).sweep(deadlines, RoomStore.CALL_DEADLINES, CustomerService.of(infra).appIds(), this::onRingTimeout);
    for (MsgType t : HANDLED) {
      wiring.frame(t, (ctx, f) -> onFrame(t, ctx, f));
    }
    wiring.frame(MsgType.CALL_STATS, new CallStats(rooms, records)::onReport);
    return wiring.start(records.migrate()).onSuccess(v -> LOG.info("signaling service up: {}", wiring.addresses()));
  }

  @Override
  public Future<?> stop() {
    return wiring.stop();
  }

  private AppConfig app(String appId) {
    return infra.config().apps().require(appId);
  }

  /** The size rule of §3: a string counts its UTF-8 bytes, any other JSON value its encoding. */
  static int messageBytes(Object message) {
    if (message == null) {
      return 0;
    }
    String s = message instanceof String str ? str : Json.encode(message);
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** A callId given as a string or an integer; null when absent. */
  static String callIdOf(JsonObject frame) {
    Object v = frame.getValue(Calls.CALL_ID);
    if (v == null) {
      return null;
    }
    if (v instanceof String || v instanceof Number) {
      return Frames.optId(frame, Calls.CALL_ID);
    }
    throw ProtocolException.invalid(Calls.CALL_ID, "expected a call id");
  }

  /** One signaling frame, as the sender gave it, in the room it resolved to. */
  private record CallFrame(MsgType type, RequestContext ctx, AppConfig app, String roomId, String callId, Object message,
                           String receiveUserId, String requestUserId) {
  }

  private Future<ServiceReply> onFrame(MsgType t, RequestContext ctx, JsonObject frame) {
    AppConfig app = app(ctx.appId());
    Object message = frame.getValue("message");
    if (messageBytes(message) > MAX_MESSAGE_BYTES) {
      throw new ProtocolException(ErrorCode.TOO_LARGE, "message over " + MAX_MESSAGE_BYTES + " bytes");
    }
    String callId = callIdOf(frame);
    String roomIdAsked = Frames.optId(frame, "roomId");
    String receiveUserId = Frames.optId(frame, "receiveUserId");
    String requestUserId = Frames.optId(frame, "requestUserId");
    return resolveRoom(ctx, roomIdAsked, receiveUserId != null ? receiveUserId : requestUserId)
      .compose(roomId -> attempt(new CallFrame(t, ctx, app, roomId, callId, message, receiveUserId, requestUserId), 0));
  }

  /** The sender's room: the one named, else the one shared with the named peer, else its newest. */
  private Future<String> resolveRoom(RequestContext ctx, String roomId, String peer) {
    return rooms.roomsOf(ctx.appId(), ctx.userId()).compose(mine -> {
      if (mine.isEmpty()) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, "not in a room");
      }
      if (roomId != null) {
        if (!mine.contains(roomId)) {
          throw new ProtocolException(ErrorCode.NOT_FOUND, "not in room " + roomId);
        }
        return Future.succeededFuture(roomId);
      }
      if (mine.size() == 1 || peer == null) {
        return Future.succeededFuture(mine.get(mine.size() - 1));
      }
      List<Future<JsonObject>> all = new ArrayList<>();
      mine.forEach(id -> all.add(rooms.get(ctx.appId(), id)));
      return Future.all(all).map(cf -> {
        for (int i = all.size() - 1; i >= 0; i--) {
          JsonObject r = all.get(i).result();
          if (r != null && RoomState.isMember(r, peer)) {
            return r.getString(RoomState.ROOM_ID);
          }
        }
        throw new ProtocolException(ErrorCode.NOT_FOUND, "'" + peer + "' is not in your room");
      });
    });
  }

  private Future<ServiceReply> attempt(CallFrame in, int n) {
    MsgType t = in.type();
    RequestContext ctx = in.ctx();
    String roomId = in.roomId();
    String callId = in.callId();
    if (n >= CAS_ATTEMPTS) {
      return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "room busy; retry with the same unique"));
    }
    return rooms.load(ctx.appId(), roomId).compose(v -> {
      if (v == null || !RoomState.isMember(v.room(), ctx.userId())) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, "not in a room");
      }
      JsonObject room = v.room();
      for (String named : new String[] {in.receiveUserId(), in.requestUserId()}) {
        if (named != null && !RoomState.isMember(room, named)) {
          throw new ProtocolException(ErrorCode.NOT_FOUND, "'" + named + "' is not in your room");
        }
      }
      long now = System.currentTimeMillis();
      String newCallId = t == MsgType.CALL_REQUEST ? Long.toString(infra.ids().next()) : null;
      CallMachine.Decision d = CallMachine.decide(room,
        new CallMachine.Input(t.code(), ctx.userId(), ctx.deviceId(), callId, in.message(), now, newCallId));
      switch (d.kind()) {
        case DROP:
          LOG.debug("{} from {}/{}/{} in room {} dropped (call {} / {})", t.code(), ctx.appId(), ctx.userId(), ctx.deviceId(),
            roomId, callId, room.getString(Calls.CALL_ID));
          return Future.succeededFuture(ServiceReply.ok());
        case TEARDOWN:
          return hangup(ctx, roomId);
        case RELAY:
          return relay(ctx, d).map(self -> ServiceReply.ok().self(self));
        default:
          return rooms.replace(ctx.appId(), roomId, v.version(), d.room()).compose(ok -> {
            if (!ok) {
              return attempt(in, n + 1);
            }
            effects(ctx.appId(), in.app(), roomId, d, now);
            LOG.info("{} from {}/{}/{} in room {}: call {} {} -> {}", t.code(), ctx.appId(), ctx.userId(), ctx.deviceId(),
              roomId, d.callId(), Calls.callState(room), Calls.callState(d.room()));
            return relay(ctx, d).map(self -> {
              ServiceReply r = ServiceReply.ok().self(self);
              if (t == MsgType.CALL_REQUEST) {
                r.ack(new JsonObject().put(Calls.CALL_ID, d.callId()).put("roomId", roomId));
              }
              return r;
            });
          });
      }
    });
  }

  private Future<JsonArray> relay(RequestContext ctx, CallMachine.Decision d) {
    Outbox out = new Outbox(infra.pusher(), ctx);
    for (CallMachine.Relay r : d.relays()) {
      if (r.onlyDevice() != null) {
        out.toDevice(r.userId(), r.onlyDevice(), r.frame(), true);
      } else if (r.exceptDevice() != null) {
        out.toUserExcept(r.userId(), r.exceptDevice(), r.frame(), true);
      } else {
        out.toUser(r.userId(), r.frame(), true);
      }
    }
    return out.flush().map(v -> out.self());
  }

  /** Timers and records that follow a state change. */
  private void effects(String appId, AppConfig app, String roomId, CallMachine.Decision d, long now) {
    String callId = d.callId();
    String ring = Calls.ringTimer(appId, roomId, callId).encode();
    String idle = Timer.idle(appId, roomId).encode();
    Future<Void> f = Future.succeededFuture();
    switch (d.event()) {
      case STARTED -> {
        records.callStarted(appId, roomId, callId, d.room().getString(Calls.CALLER), d.room().getString(Calls.CALLEE), now);
        f = deadlines.cancel(appId, RoomStore.ROOM_DEADLINES, idle)
          .compose(v -> deadlines.schedule(appId, RoomStore.CALL_DEADLINES, ring, now + app.ringTimeoutSeconds() * 1000L));
      }
      case ANSWERED -> {
        records.callAnswered(appId, callId, now);
        f = deadlines.cancel(appId, RoomStore.CALL_DEADLINES, ring);
      }
      case REJECTED, TIMED_OUT -> {
        records.callEnded(appId, callId, now, d.event() == CallMachine.Event.REJECTED ? CallMachine.REJECTED : CallMachine.TIMEOUT);
        f = deadlines.cancel(appId, RoomStore.CALL_DEADLINES, ring)
          .compose(v -> deadlines.schedule(appId, RoomStore.ROOM_DEADLINES, idle, now + app.roomIdleSeconds() * 1000L));
      }
      default -> {
      }
    }
    f.onFailure(err -> LOG.warn("timers of call {} in room {}/{} not updated: {}", callId, appId, roomId, err.toString()));
  }

  private Future<ServiceReply> hangup(RequestContext ctx, String roomId) {
    LOG.info("330 from {}/{}/{}: hanging up room {}", ctx.appId(), ctx.userId(), ctx.deviceId(), roomId);
    return teardowns.leave(ctx, roomId, TeardownReason.HANGUP).map(self -> ServiceReply.ok().self(self));
  }

  private Future<?> onRingTimeout(String member) {
    Timer t = Timer.parse(member);
    if (t == null || t.kind() != Timer.Kind.RING) {
      LOG.warn("unknown call timer {}", member);
      return Future.succeededFuture();
    }
    return ringTimeout(t.appId(), t.roomId(), t.callId(), 0);
  }

  private Future<Void> ringTimeout(String appId, String roomId, String callId, int n) {
    AppConfig app = infra.config().apps().get(appId);
    if (app == null || n >= CAS_ATTEMPTS) {
      return Future.succeededFuture();
    }
    return rooms.load(appId, roomId).compose(v -> {
      CallMachine.Decision d = v == null ? null : CallMachine.ringTimeout(v.room(), callId);
      if (d == null) {
        return Future.succeededFuture();
      }
      return rooms.replace(appId, roomId, v.version(), d.room()).compose(ok -> {
        if (!ok) {
          return ringTimeout(appId, roomId, callId, n + 1);
        }
        long now = System.currentTimeMillis();
        effects(appId, app, roomId, d, now);
        LOG.info("call {} in room {}/{} was not answered within {} s", callId, appId, roomId, app.ringTimeoutSeconds());
        return relay(new RequestContext(appId, "", "", RequestContext.ROLE_ADMIN, null, null), d).mapEmpty();
      });
    });
  }
}
