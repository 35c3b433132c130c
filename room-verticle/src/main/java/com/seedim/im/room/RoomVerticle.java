package com.seedim.im.room;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.Outbox;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.bus.msg.ApiQueries.RoomInfoUpdate;
import com.seedim.im.common.bus.msg.ApiQueries.RoomListQuery;
import com.seedim.im.common.bus.msg.ApiQueries.TranscriptRequest;
import com.seedim.im.common.bus.msg.RoomShareQuery;
import com.seedim.im.common.bus.msg.SessionClosed;
import com.seedim.im.common.bus.msg.SessionOpened;
import com.seedim.im.common.bus.msg.TeardownReason;
import com.seedim.im.common.bus.msg.TeardownRequest;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.TurnConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.turn.IceServers;
import com.seedim.im.cs.CustomerService;
import com.seedim.im.cs.Wiring;
import com.seedim.im.cs.call.Calls;
import com.seedim.im.cs.store.DeadlineStore;
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

import java.util.ArrayList;
import java.util.List;

/**
 * PROTOCOL.md §6 rooms: 540 list (→ 541), 550 info (→ 551), 551 and a pending 301 on a member's new connection
 * (every 551 with {@code iceServers} minted for its receiver, fresh on every connection),
 * the teardown (321, 421, 560) for every cause, the grace and idle timers (stored deadlines, swept by every node),
 * and the room HTTP API; a customer's records (§14.5: 650, 652 and the transcript API) in {@link CustomerRecords}.
 */
public class RoomVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RoomVerticle.class);
  static final int DEFAULT_PAGE_SIZE = 20;
  static final int MAX_PAGE_SIZE = 100;
  static final int MAX_PAGE_INDEX = 100_000;
  private static final int CAS_ATTEMPTS = 10;

  private final Infra infra;
  private final RoomStore rooms;
  private final DeadlineStore deadlines;
  private final ServiceRecords records;
  private final IceServers ice;
  private Wiring wiring;

  public RoomVerticle(Infra infra) {
    this.infra = infra;
    CustomerService cs = CustomerService.of(infra);
    this.rooms = cs.rooms();
    this.deadlines = cs.deadlines();
    this.records = cs.records();
    this.ice = new IceServers(TurnConfig.of(infra.config()));
  }

  @Override
  public Future<?> start() {
    if (!infra.config().dev() && !ice.config().configured()) {
      LOG.warn("no TURN server configured (turn.urls, turn.secret): calls between peers behind NATs or firewalls will"
        + " fail; see docs/deployment.md, \"TURN\"");
    }
    CustomerRecords customers = new CustomerRecords(infra, rooms, records, vertx.eventBus());
    wiring = new Wiring(vertx)
      .frame(MsgType.ROOM_LIST, this::onList)
      .frame(MsgType.ROOM_INFO, this::onInfo)
      .frame(MsgType.CUSTOMER_ROOMS, customers::onCustomerRooms)
      .frame(MsgType.ROOM_TRANSCRIPT, customers::onTranscript)
      .message(Addresses.ROOM_CONNECT, SessionOpened.class, SessionOpened::fromJson, this::onConnect)
      .message(Addresses.ROOM_DISCONNECT, SessionClosed.class, SessionClosed::fromJson, this::onDisconnect)
      .message(Addresses.ROOM_TEARDOWN, TeardownRequest.class, TeardownRequest::fromJson, this::onTeardown)
      .message(Addresses.ROOM_SHARE, RoomShareQuery.class, RoomShareQuery::fromJson,
        q -> rooms.shareRoom(q.appId(), q.userA(), q.userB()))
      .message(Addresses.ROOM_API_LIST, RoomListQuery.class, RoomListQuery::fromJson, this::onApiList)
      .message(Addresses.ROOM_API_INFO, RoomInfoUpdate.class, RoomInfoUpdate::fromJson, this::onApiInfo)
      .message(Addresses.ROOM_API_TRANSCRIPT, TranscriptRequest.class, TranscriptRequest::fromJson,
        customers::onApiTranscript)
      .sweep(deadlines, RoomStore.ROOM_DEADLINES, CustomerService.of(infra).appIds(), this::onDeadline);
    return wiring.start(records.migrate()).onSuccess(v -> LOG.info("room service up: {}", wiring.addresses()));
  }

  @Override
  public Future<?> stop() {
    return wiring.stop();
  }

  private AppConfig app(String appId) {
    return infra.config().apps().require(appId);
  }

  // ---- 540 / 550

  private Future<ServiceReply> onList(RequestContext ctx, JsonObject frame) {
    if (!ctx.isAgent() && !ctx.isAdmin()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only agents and admins list rooms");
    }
    int pageIndex = Frames.optInt(frame, "pageIndex", 1, 1, MAX_PAGE_INDEX);
    int pageSize = Frames.optInt(frame, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    return rooms.list(ctx.appId(), (pageIndex - 1) * pageSize, pageSize).map(page -> {
      JsonArray items = new JsonArray();
      page.rooms().forEach(r -> items.add(RoomState.listItem(r)));
      return ServiceReply.ok().reply(Frames.frame(MsgType.ROOM_LIST_REPLY).put("roomInfoMsgs", items)
        .put("total", page.total()).put("pageIndex", pageIndex).put("pageSize", pageSize));
    });
  }

  private Future<ServiceReply> onInfo(RequestContext ctx, JsonObject frame) {
    String asked = Frames.optId(frame, "roomId");
    Future<String> roomId = asked != null ? Future.succeededFuture(asked) : rooms.roomIdOf(ctx.appId(), ctx.userId());
    return roomId.compose(id -> id == null ? Future.succeededFuture(null) : rooms.get(ctx.appId(), id)).map(room -> {
      if (room == null || !ctx.isAdmin() && !RoomState.isMember(room, ctx.userId())) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, asked == null ? "not in a room" : "no room " + asked);
      }
      return ServiceReply.ok().reply(RoomState.info551(room, ice.forUser(ctx.userId())));
    });
  }

  // ---- lifecycle

  /** A member's new connection: its rooms' graces end, and it gets their 551s and the 301 of a call ringing for it. */
  private Future<ServiceReply> onConnect(SessionOpened opened) {
    RequestContext ctx = opened.ctx();
    return rooms.roomsOf(ctx.appId(), ctx.userId()).compose(ids -> {
      List<Future<JsonObject>> all = new ArrayList<>();
      for (String id : ids) {
        all.add(deadlines.cancel(ctx.appId(), RoomStore.ROOM_DEADLINES, Timer.grace(ctx.appId(), id, ctx.userId()).encode())
          .compose(v -> rooms.get(ctx.appId(), id)));
      }
      return Future.all(all).map(cf -> {
        JsonArray self = new JsonArray();
        for (Future<JsonObject> f : all) {
          JsonObject room = f.result();
          if (room == null) {
            continue;
          }
          self.add(ServiceReply.push(RoomState.info551(room, ice.forUser(ctx.userId())), false));
          if (Calls.ringsFor(room, ctx.userId())) {
            self.add(ServiceReply.push(Calls.incoming(room), true));
          }
        }
        return ServiceReply.ok().self(self);
      });
    });
  }

  private Future<JsonObject> onDisconnect(SessionClosed closed) {
    RequestContext ctx = closed.ctx();
    if (!closed.lastDevice()) {
      return Future.succeededFuture(ServiceReply.ok().toJson());
    }
    AppConfig app = app(ctx.appId());
    return rooms.roomsOf(ctx.appId(), ctx.userId()).compose(ids -> {
      List<Future<?>> all = new ArrayList<>();
      for (String id : ids) {
        if (closed.logout() || closed.kicked()) {
          TeardownReason reason = closed.kicked() ? TeardownReason.KICKED : TeardownReason.LEFT;
          all.add(teardown(system(ctx.appId()), id, reason, ctx.userId()));
        } else {
          LOG.info("{}/{} lost its last device: room {} closes in {} s unless it returns", ctx.appId(), ctx.userId(), id,
            app.roomGraceSeconds());
          all.add(deadlines.schedule(ctx.appId(), RoomStore.ROOM_DEADLINES, Timer.grace(ctx.appId(), id, ctx.userId()).encode(),
            System.currentTimeMillis() + app.roomGraceSeconds() * 1000L));
        }
      }
      return Future.all(all);
    }).map(v -> ServiceReply.ok().toJson());
  }

  private static RequestContext system(String appId) {
    return new RequestContext(appId, "", "", RequestContext.ROLE_ADMIN, null, null);
  }

  // ---- teardown

  /** Reply {closed, self}. */
  private Future<JsonObject> onTeardown(TeardownRequest req) {
    return teardown(req.ctx(), req.roomId(), req.reason(), req.leaver());
  }

  /** Closes the room (once, whoever asks first) and pushes 321 / 421 / 560; the pushes for ctx's connection are returned. */
  Future<JsonObject> teardown(RequestContext ctx, String roomId, TeardownReason reason, String leaver) {
    String appId = ctx.appId();
    return rooms.close(appId, roomId).compose(room -> {
      if (room == null) {
        return Future.succeededFuture(new JsonObject().put("closed", false).put("self", new JsonArray()));
      }
      long now = System.currentTimeMillis();
      Outbox out = new Outbox(infra.pusher(), ctx);
      for (Teardown.Push p : Teardown.plan(room, reason, leaver)) {
        out.toUser(p.userId(), p.frame(), true);
      }
      String callId = room.getString(Calls.CALL_ID);
      if (callId != null && !Calls.IDLE.equals(Calls.callState(room))) {
        records.callEnded(appId, callId, now, reason.wire());
      }
      records.roomClosed(appId, roomId, now, reason.wire());
      LOG.info("room {}/{} of agent {} and {} closed: {}{}", appId, roomId, room.getString(RoomState.CREATOR),
        room.getString(RoomState.CUSTOMER), reason.wire(), leaver == null ? "" : " by " + leaver);
      List<Future<?>> cleanup = new ArrayList<>();
      cleanup.add(deadlines.cancel(appId, RoomStore.ROOM_DEADLINES, Timer.idle(appId, roomId).encode()));
      for (String m : List.of(room.getString(RoomState.CREATOR), room.getString(RoomState.CUSTOMER))) {
        cleanup.add(deadlines.cancel(appId, RoomStore.ROOM_DEADLINES, Timer.grace(appId, roomId, m).encode()));
      }
      if (callId != null) {
        cleanup.add(deadlines.cancel(appId, RoomStore.CALL_DEADLINES, Calls.ringTimer(appId, roomId, callId).encode()));
      }
      return out.flush().compose(v -> Future.join(cleanup)).otherwiseEmpty()
        .map(v -> new JsonObject().put("closed", true).put("self", out.self()));
    });
  }

  private Future<?> onDeadline(String member) {
    Timer t = Timer.parse(member);
    if (t != null && t.kind() == Timer.Kind.IDLE) {
      return rooms.get(t.appId(), t.roomId()).compose(room -> room == null || !Calls.IDLE.equals(Calls.callState(room))
        ? Future.succeededFuture() : teardown(system(t.appId()), t.roomId(), TeardownReason.TIMEOUT, null));
    }
    if (t != null && t.kind() == Timer.Kind.GRACE) {
      // the member may have left the room meanwhile without closing it (a transfer, §14.2): its grace no longer counts
      return rooms.get(t.appId(), t.roomId()).compose(room -> room == null || !RoomState.isMember(room, t.userId())
        ? Future.succeededFuture()
        : infra.directory().routes(t.appId(), t.userId()).compose(routes -> routes.isEmpty()
          ? teardown(system(t.appId()), t.roomId(), TeardownReason.DISCONNECT, t.userId()) : Future.succeededFuture()));
    }
    LOG.warn("unknown room timer {}", member);
    return Future.succeededFuture();
  }

  // ---- HTTP API

  /** GET /api/v1/rooms?pageIndex&pageSize&state=open|closed (the page numbers as the query gave them). */
  private Future<JsonObject> onApiList(RoomListQuery q) {
    String appId = q.appId();
    app(appId);
    JsonObject body = q.toJson();
    int pageIndex = Frames.optInt(body, "pageIndex", 1, 1, MAX_PAGE_INDEX);
    int pageSize = Frames.optInt(body, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    int offset = (pageIndex - 1) * pageSize;
    if (q.state() != null && !"open".equals(q.state()) && !"closed".equals(q.state())) {
      throw ProtocolException.invalid("state", "open or closed");
    }
    if ("closed".equals(q.state())) {
      return records.closedRooms(appId, offset, pageSize).map(r -> r.put("pageIndex", pageIndex).put("pageSize", pageSize)
        .put("state", "closed"));
    }
    return rooms.list(appId, offset, pageSize).map(page -> {
      JsonArray items = new JsonArray();
      page.rooms().forEach(r -> items.add(RoomState.listItem(r)));
      return new JsonObject().put("roomInfoMsgs", items).put("total", page.total()).put("pageIndex", pageIndex)
        .put("pageSize", pageSize).put("state", "open");
    });
  }

  /** Sets the opaque info, returns the room. */
  private Future<JsonObject> onApiInfo(RoomInfoUpdate update) {
    String appId = update.appId();
    app(appId);
    String roomId = Frames.reqId(update.toJson(), "roomId");
    Object info = update.info();
    return setInfo(appId, roomId, info, 0).map(room -> {
      records.roomInfo(appId, roomId, info);
      JsonObject out = RoomState.info551(room);
      out.remove(Frames.MSG_TYPE);
      return out;
    });
  }

  private Future<JsonObject> setInfo(String appId, String roomId, Object info, int attempt) {
    if (attempt >= CAS_ATTEMPTS) {
      return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "room busy; retry"));
    }
    return rooms.load(appId, roomId).compose(v -> {
      if (v == null) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, "no room " + roomId);
      }
      JsonObject room = v.room().put(RoomState.INFO, info);
      return rooms.replace(appId, roomId, v.version(), room)
        .compose(ok -> ok ? Future.succeededFuture(room) : setInfo(appId, roomId, info, attempt + 1));
    });
  }
}
