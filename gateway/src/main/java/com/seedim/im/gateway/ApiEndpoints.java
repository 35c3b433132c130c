package com.seedim.im.gateway;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.msg.ApiQueries;
import com.seedim.im.common.bus.msg.FrameRequest;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.events.EventType;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.proto.StrictJson;
import com.seedim.im.common.turn.IceServers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

import static com.seedim.im.gateway.ApiAuth.app;

/**
 * The business endpoints of PROTOCOL.md §7, behind {@link ApiAuth}: each reads its request (the app comes from the
 * signature, never from the body) and either answers itself (signs, kicks) or asks its service with an
 * {@link ApiQueries} record (or a {@link FrameRequest} for a message sent through the API).
 */
final class ApiEndpoints {
  private static final Logger LOG = LoggerFactory.getLogger(ApiEndpoints.class);
  static final int MAX_PRESENCE_USERS = 200;
  static final int DEFAULT_EVENTS_LIMIT = 100;
  static final int MAX_EVENTS_LIMIT = 500;

  /** One endpoint: the request's app and its parsed body (an empty object when there is none) to an answer. */
  @FunctionalInterface
  private interface Endpoint {
    Future<JsonObject> handle(AppConfig app, JsonObject body, RoutingContext rc);
  }

  private final ApiPort gw;
  private final IceServers ice;

  ApiEndpoints(ApiPort gw, IceServers ice) {
    this.gw = gw;
    this.ice = ice;
  }

  void mount(Router router) {
    route(router.post("/api/v1/sign"), (app, b, rc) -> Future.succeededFuture(Signs.login(app, b, gw.wsUrl())));
    route(router.post("/api/v1/chat-sign"), (app, b, rc) -> Future.succeededFuture(Signs.chat(app, b)));
    route(router.delete("/api/v1/chat-permission"), (app, b, rc) -> gw.request(Addresses.CHAT_API_REVOKE,
      new ApiQueries.PermissionRevoke(app.appId(), Frames.reqId(b, "userId"), Frames.reqId(b, "receiveUserId"))));
    route(router.post("/api/v1/messages"), (app, b, rc) -> sendMessage(app, b));
    route(router.get("/api/v1/presence"), (app, b, rc) -> gw.request(Addresses.CHAT_API_PRESENCE,
      new ApiQueries.PresenceQuery(app.appId(), presenceIds(rc.request().getParam("userIds")))));
    route(router.post("/api/v1/kick"), (app, b, rc) -> gw.kickUser(app.appId(), Frames.reqId(b, "userId"), Frames.optId(b, "deviceId"))
      .map(n -> new JsonObject().put("kicked", n)));
    route(router.get("/api/v1/queues/:queueId"), (app, b, rc) -> gw.request(Addresses.QUEUE_API_STATS,
      new ApiQueries.QueueStatsQuery(app.appId(), pathId(rc, "queueId"))));
    route(router.get("/api/v1/rooms"), (app, b, rc) -> gw.request(Addresses.ROOM_API_LIST, new ApiQueries.RoomListQuery(app.appId(),
      rc.request().getParam("pageIndex"), rc.request().getParam("pageSize"), rc.request().getParam("state"))));
    route(router.put("/api/v1/rooms/:roomId/info"), (app, b, rc) -> gw.request(Addresses.ROOM_API_INFO,
      new ApiQueries.RoomInfoUpdate(app.appId(), pathId(rc, "roomId"), b.containsKey("info") ? b.getValue("info") : b)));
    route(router.get("/api/v1/rooms/:roomId/transcript"), (app, b, rc) -> gw.request(Addresses.ROOM_API_TRANSCRIPT,
      new ApiQueries.TranscriptRequest(app.appId(), pathId(rc, "roomId"))));
    route(router.get("/api/v1/events"), (app, b, rc) -> gw.request(Addresses.EVENTS_API_REPLAY,
      eventsReplay(app.appId(), rc.request().getParam("after"), rc.request().getParam("limit"), rc.request().getParam("types"))));
    route(router.get("/api/v1/ice-servers"), (app, b, rc) -> Future.succeededFuture(iceServers(rc.request().getParam("userId"))));
    route(router.put(ApiAuth.WORDS_PATH), (app, b, rc) -> gw.request(Addresses.CHAT_API_WORDS,
      new ApiQueries.WordsUpdate(app.appId(), words(b))));
  }

  /**
   * Runs an endpoint on the body (strict RFC 8259, one object; empty object when there is none), mapping failures
   * to problems. Synchronous failures are the request's fault: a field of the wrong type (a ClassCastException or
   * IllegalArgumentException from a getter) is INVALID_FIELD, never UNAVAILABLE.
   */
  private static void route(Route route, Endpoint e) {
    route.handler(rc -> {
      Future<JsonObject> f;
      try {
        String raw = rc.get(ApiAuth.BODY);
        JsonObject body = raw == null || raw.isEmpty() ? new JsonObject() : StrictJson.parseObject(raw);
        f = e.handle(app(rc), body, rc);
      } catch (ProtocolException pe) {
        f = Future.failedFuture(pe);
      } catch (ClassCastException | IllegalArgumentException bad) {
        f = Future.failedFuture(new ProtocolException(ErrorCode.INVALID_FIELD, "a field has the wrong type or format"));
      } catch (RuntimeException bug) {
        LOG.error("{} {} failed", rc.request().method(), rc.request().path(), bug);
        f = Future.failedFuture(new ProtocolException(ErrorCode.INTERNAL, "internal error"));
      }
      ApiResponses.respond(rc, f);
    });
  }

  /** POST /api/v1/messages: a business or system account sends through the chat pipeline (no chat sign). */
  private Future<JsonObject> sendMessage(AppConfig app, JsonObject b) {
    String userId = Frames.reqId(b, "userId");
    RequestContext ctx = new RequestContext(app.appId(), userId, RequestContext.API_DEVICE, RequestContext.ROLE_USER, null, null);
    return gw.request(Addresses.CHAT_API_SEND, new FrameRequest(ctx, b));
  }

  /** GET /api/v1/ice-servers: STUN/TURN for a native app's user, TURN credentials minted now (§9.1 "TURN"). */
  private JsonObject iceServers(String userId) {
    if (userId == null || userId.isEmpty()) {
      throw ProtocolException.missing("userId");
    }
    if (!Frames.isValidId(userId)) {
      throw ProtocolException.invalid("userId", "1-64 characters of [A-Za-z0-9_.@:-]");
    }
    return new JsonObject().put("iceServers", ice.forUser(userId)).put("ttlSeconds", ice.config().ttlSeconds());
  }

  /** GET /api/v1/events: {@code after} an event id (default 0), {@code limit} 1-500 (default 100), {@code types} names. */
  static ApiQueries.EventsReplay eventsReplay(String appId, String after, String limit, String types) {
    long afterId = 0;
    if (after != null && !after.isEmpty()) {
      if (!after.matches("[0-9]{1,19}")) {
        throw ProtocolException.invalid("after", "an event id (a decimal number)");
      }
      try {
        afterId = Long.parseLong(after);
      } catch (NumberFormatException e) {
        throw ProtocolException.invalid("after", "an event id (a decimal number)");
      }
    }
    int n = DEFAULT_EVENTS_LIMIT;
    if (limit != null && !limit.isEmpty()) {
      if (!limit.matches("[0-9]{1,4}") || Integer.parseInt(limit) < 1 || Integer.parseInt(limit) > MAX_EVENTS_LIMIT) {
        throw ProtocolException.invalid("limit", "1 to " + MAX_EVENTS_LIMIT);
      }
      n = Integer.parseInt(limit);
    }
    List<String> wanted = new ArrayList<>();
    if (types != null && !types.isEmpty()) {
      for (String t : types.split(",", -1)) {
        if (EventType.of(t) == null) {
          throw ProtocolException.invalid("types", "event types among " + String.join(", ", EventType.wireNames()));
        }
        wanted.add(t);
      }
    }
    return new ApiQueries.EventsReplay(appId, afterId, n, List.copyOf(wanted));
  }

  /** GET /api/v1/presence's {@code userIds}: comma-separated ids, at most {@link #MAX_PRESENCE_USERS}. */
  static List<String> presenceIds(String raw) {
    if (raw == null || raw.isBlank()) {
      throw ProtocolException.missing("userIds");
    }
    String[] ids = raw.split(",", -1); // -1: a trailing empty id is malformed too, not silently dropped
    if (ids.length > MAX_PRESENCE_USERS) {
      throw ProtocolException.invalid("userIds", "at most " + MAX_PRESENCE_USERS);
    }
    for (String id : ids) {
      if (!Frames.isValidId(id)) {
        throw ProtocolException.invalid("userIds", "every id is 1-64 characters of [A-Za-z0-9_.@:-]");
      }
    }
    return List.of(ids);
  }

  /** PUT /api/v1/sensitive-words's {@code words}: an array of strings. */
  static List<String> words(JsonObject b) {
    Object words = b.getValue("words");
    if (words == null) {
      throw ProtocolException.missing("words");
    }
    if (!(words instanceof JsonArray list)) {
      throw ProtocolException.invalid("words", "expected an array of strings");
    }
    List<String> out = new ArrayList<>(list.size());
    for (Object w : list) {
      if (!(w instanceof String s)) {
        throw ProtocolException.invalid("words", "expected an array of strings");
      }
      out.add(s);
    }
    return out;
  }

  private static String pathId(RoutingContext rc, String name) {
    String v = rc.pathParam(name);
    if (!Frames.isValidId(v)) {
      throw ProtocolException.invalid(name, "not an id");
    }
    return v;
  }
}
