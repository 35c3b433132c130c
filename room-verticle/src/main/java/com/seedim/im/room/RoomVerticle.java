package com.seedim.im.room;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.Handlers;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.bus.msg.RoomShareQuery;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.cs.CustomerService;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.cs.store.DeadlineSweeper;
import com.seedim.im.common.bus.Outbox;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.ServiceRecords;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * PROTOCOL.md §6 rooms: 540 list (→ 541), 550 info (→ 551), 551 and a pending 301 on a member's new connection,
 * the teardown (321, 421, 560) for every cause, the grace and idle timers (stored deadlines, swept by every node),
 * and the room HTTP API.
 */
public class RoomVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RoomVerticle.class);
  static final int DEFAULT_PAGE_SIZE = 20;
  static final int MAX_PAGE_SIZE = 100;
  static final int MAX_PAGE_INDEX = 100_000;
  private static final int CAS_ATTEMPTS = 10;

  private final Infra infra;
  private final RoomStore rooms;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final ServiceRecords records;
  private DeadlineSweeper sweeper;

  public RoomVerticle(Infra infra) {
    this.infra = infra;
    CustomerService cs = CustomerService.of(infra);
    this.rooms = cs.rooms();
    this.records = cs.records();
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    consumers.add(bus.consumer(MsgType.ROOM_LIST.address(), Handlers.frame("room.list", this::onList)));
    consumers.add(bus.consumer(MsgType.ROOM_INFO.address(), Handlers.frame("room.info", this::onInfo)));
    consumers.add(bus.consumer(Addresses.ROOM_CONNECT, Handlers.frame("room.connect", this::onConnect)));
    consumers.add(bus.consumer(Addresses.ROOM_DISCONNECT, Handlers.json("room.disconnect", this::onDisconnect)));
    consumers.add(bus.consumer(Addresses.ROOM_TEARDOWN, Handlers.json("room.teardown", this::onTeardown)));
    consumers.add(bus.consumer(Addresses.ROOM_SHARE, Handlers.message(Addresses.ROOM_SHARE, RoomShareQuery.class,
      RoomShareQuery::fromJson, q -> rooms.shareRoom(q.appId(), q.userA(), q.userB()))));
    consumers.add(bus.consumer(Addresses.ROOM_API_LIST, Handlers.json("room.api.list", this::onApiList)));
    consumers.add(bus.consumer(Addresses.ROOM_API_INFO, Handlers.json("room.api.info", this::onApiInfo)));
    List<Future<?>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    ready.add(records.migrate());
    return Future.all(ready).onSuccess(v -> {
      sweeper = new DeadlineSweeper(vertx, rooms.deadlines(), RoomStore.ROOM_DEADLINES, this::onDeadline).start();
      LOG.info("room service up: {}, {}, {}, {}, {}, {}, {}", MsgType.ROOM_LIST.address(), MsgType.ROOM_INFO.address(),
        Addresses.ROOM_CONNECT, Addresses.ROOM_DISCONNECT, Addresses.ROOM_TEARDOWN, Addresses.ROOM_API_LIST, Addresses.ROOM_API_INFO);
    });
  }

  @Override
  public Future<?> stop() {
    if (sweeper != null) {
      sweeper.stop();
    }
    List<Future<?>> all = new ArrayList<>();
    consumers.forEach(c -> all.add(c.unregister()));
    return Future.join(all);
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
      return ServiceReply.ok().reply(RoomState.info551(room));
    });
  }

  // ---- lifecycle

  private Future<ServiceReply> onConnect(RequestContext ctx, JsonObject frame) {
    return rooms.roomsOf(ctx.appId(), ctx.userId()).compose(ids -> {
      List<Future<JsonObject>> all = new ArrayList<>();
      for (String id : ids) {
        all.add(rooms.deadlines().cancel(RoomStore.ROOM_DEADLINES, RoomState.graceDeadline(ctx.appId(), id, ctx.userId()))
          .compose(v -> rooms.get(ctx.appId(), id)));
      }
      return Future.all(all).map(cf -> {
        JsonArray self = new JsonArray();
        for (Future<JsonObject> f : all) {
          JsonObject room = f.result();
          if (room == null) {
            continue;
          }
          self.add(ServiceReply.push(RoomState.info551(room), false));
          if (RoomState.RINGING.equals(RoomState.callState(room)) && ctx.userId().equals(room.getString(RoomState.CALLEE))) {
            self.add(ServiceReply.push(incoming(room), true));
          }
        }
        return ServiceReply.ok().self(self);
      });
    });
  }

  /** The 301 of a ringing call, for a callee device that connects while it rings. */
  static JsonObject incoming(JsonObject room) {
    String caller = room.getString(RoomState.CALLER);
    return Frames.frame(MsgType.CALL_INCOMING).put("requestUserId", caller).put("userId", caller)
      .put("roomId", room.getString(RoomState.ROOM_ID)).put(RoomState.CALL_ID, room.getString(RoomState.CALL_ID))
      .put("message", room.getValue(RoomState.OFFER));
  }

  /** Body {ctx, lastDevice, logout}. */
  private Future<JsonObject> onDisconnect(JsonObject body) {
    RequestContext ctx = RequestContext.of(body);
    if (!body.getBoolean("lastDevice", false)) {
      return Future.succeededFuture(ServiceReply.ok().toJson());
    }
    boolean logout = body.getBoolean("logout", false);
    boolean kicked = body.getBoolean("kicked", false);
    AppConfig app = app(ctx.appId());
    return rooms.roomsOf(ctx.appId(), ctx.userId()).compose(ids -> {
      List<Future<?>> all = new ArrayList<>();
      for (String id : ids) {
        if (logout || kicked) {
          all.add(teardown(system(ctx.appId()), id, kicked ? Teardown.KICKED : Teardown.LEFT, ctx.userId()));
        } else {
          LOG.info("{}/{} lost its last device: room {} closes in {} s unless it returns", ctx.appId(), ctx.userId(), id,
            app.roomGraceSeconds());
          all.add(rooms.deadlines().schedule(RoomStore.ROOM_DEADLINES, RoomState.graceDeadline(ctx.appId(), id, ctx.userId()),
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

  /** Body {ctx?, appId, roomId, reason, leaver?}; reply {closed, self}. */
  private Future<JsonObject> onTeardown(JsonObject body) {
    JsonObject c = body.getJsonObject("ctx");
    String appId = body.getString("appId", c == null ? null : c.getString("appId"));
    RequestContext ctx = c != null ? RequestContext.fromJson(c) : system(appId);
    String reason = body.getString("reason", Teardown.LEFT);
    if (!Teardown.REASONS.contains(reason)) {
      throw ProtocolException.invalid("reason", "one of " + Teardown.REASONS);
    }
    return teardown(ctx, Frames.reqId(body, "roomId"), reason, body.getString("leaver"));
  }

  /** Closes the room (once, whoever asks first) and pushes 321 / 421 / 560; the pushes for ctx's connection are returned. */
  Future<JsonObject> teardown(RequestContext ctx, String roomId, String reason, String leaver) {
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
      String callId = room.getString(RoomState.CALL_ID);
      String state = RoomState.callState(room);
      if (callId != null && !RoomState.IDLE.equals(state)) {
        records.callEnded(appId, callId, now, reason);
      }
      records.roomClosed(appId, roomId, now, reason);
      LOG.info("room {}/{} of agent {} and {} closed: {}{}", appId, roomId, room.getString(RoomState.CREATOR),
        room.getString(RoomState.CUSTOMER), reason, leaver == null ? "" : " by " + leaver);
      List<Future<?>> cleanup = new ArrayList<>();
      cleanup.add(rooms.deadlines().cancel(RoomStore.ROOM_DEADLINES, RoomState.idleDeadline(appId, roomId)));
      for (String m : List.of(room.getString(RoomState.CREATOR), room.getString(RoomState.CUSTOMER))) {
        cleanup.add(rooms.deadlines().cancel(RoomStore.ROOM_DEADLINES, RoomState.graceDeadline(appId, roomId, m)));
      }
      if (callId != null) {
        cleanup.add(rooms.deadlines().cancel(RoomStore.CALL_DEADLINES, RoomState.ringDeadline(appId, roomId, callId)));
      }
      return out.flush().compose(v -> Future.join(cleanup)).otherwiseEmpty()
        .map(v -> new JsonObject().put("closed", true).put("self", out.self()));
    });
  }

  private Future<?> onDeadline(String member) {
    String[] p = member.split("\\|");
    if (p.length == 3 && "i".equals(p[0])) {
      String appId = p[1];
      String roomId = p[2];
      return rooms.get(appId, roomId).compose(room -> {
        if (room == null || !RoomState.IDLE.equals(RoomState.callState(room))) {
          return Future.succeededFuture();
        }
        return teardown(system(appId), roomId, Teardown.TIMEOUT, null);
      });
    }
    if (p.length == 4 && "g".equals(p[0])) {
      String appId = p[1];
      String roomId = p[2];
      String userId = p[3];
      return infra.directory().routes(appId, userId).compose(routes -> routes.isEmpty()
        ? teardown(system(appId), roomId, Teardown.DISCONNECT, userId) : Future.succeededFuture());
    }
    LOG.warn("unknown room timer {}", member);
    return Future.succeededFuture();
  }

  // ---- HTTP API

  /** Body {appId, pageIndex?, pageSize?, state?: open|closed}. */
  private Future<JsonObject> onApiList(JsonObject body) {
    String appId = body.getString("appId");
    app(appId);
    int pageIndex = Frames.optInt(body, "pageIndex", 1, 1, MAX_PAGE_INDEX);
    int pageSize = Frames.optInt(body, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    int offset = (pageIndex - 1) * pageSize;
    if ("closed".equals(body.getString("state"))) {
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

  /** Body {appId, roomId, info}: sets the opaque info, returns the room. */
  private Future<JsonObject> onApiInfo(JsonObject body) {
    String appId = body.getString("appId");
    app(appId);
    String roomId = Frames.reqId(body, "roomId");
    Object info = body.getValue("info");
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
