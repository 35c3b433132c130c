package com.seedim.im.gateway;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.security.Signatures;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The business HTTP API of PROTOCOL.md §7 (signed with HMAC-SHA256, nonce accepted once), the dev-only
 * sign endpoints for the demo page, {@code /health}, the demo page, and the management endpoints.
 */
final class HttpApi {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  static final long API_CLOCK_SKEW_MS = 300_000;
  static final long NONCE_WINDOW_MS = 600_000;
  static final int MAX_BODY_BYTES = 1 << 20;
  static final int MAX_PRESENCE_USERS = 200;
  static final String APP = "im.app";
  /** The device of messages sent through the HTTP API: '#' is not an id character, so no real device has it. */
  static final String API_DEVICE = "#api";
  private static final Pattern NONCE = Pattern.compile("[\\x21-\\x7E]{1,64}");
  private static final Map<String, String> ROLES = Map.of("user", "user", "agent", "agent", "custom", "agent", "kefu", "agent",
    "admin", "admin", "administrator", "admin");

  private final GatewayVerticle gw;
  private final ServerConfig config;

  private HttpApi(GatewayVerticle gw) {
    this.gw = gw;
    this.config = gw.serverConfig();
  }

  static void mount(Router router, GatewayVerticle gw) {
    HttpApi api = new HttpApi(gw);
    router.get("/health").handler(rc -> json(rc, 200, new JsonObject().put("status", "UP")));
    router.route("/api/v1/*").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES)).handler(api::authenticate);
    router.post("/api/v1/sign").handler(rc -> api.withBody(rc, b -> api.sign(app(rc), b)));
    router.post("/api/v1/chat-sign").handler(rc -> api.withBody(rc, b -> api.chatSign(app(rc), b)));
    router.delete("/api/v1/chat-permission").handler(rc -> api.withBody(rc, b -> api.forward(Addresses.CHAT_API_REVOKE,
      new JsonObject().put("appId", app(rc).appId()).put("userId", Frames.reqId(b, "userId"))
        .put("receiveUserId", Frames.reqId(b, "receiveUserId")))));
    router.post("/api/v1/messages").handler(rc -> api.withBody(rc, b -> api.sendMessage(app(rc), b)));
    router.get("/api/v1/presence").handler(rc -> api.withBody(rc, b -> api.presence(app(rc), rc.request())));
    router.post("/api/v1/kick").handler(rc -> api.withBody(rc, b -> api.kick(app(rc), b)));
    router.get("/api/v1/queues/:queueId").handler(rc -> api.withBody(rc, b -> api.forward(Addresses.QUEUE_API_STATS,
      new JsonObject().put("appId", app(rc).appId()).put("queueId", pathId(rc, "queueId")))));
    router.get("/api/v1/rooms").handler(rc -> api.withBody(rc, b -> api.forward(Addresses.ROOM_API_LIST,
      new JsonObject().put("appId", app(rc).appId()).put("pageIndex", rc.request().getParam("pageIndex"))
        .put("pageSize", rc.request().getParam("pageSize")).put("state", rc.request().getParam("state")))));
    router.put("/api/v1/rooms/:roomId/info").handler(rc -> api.withBody(rc, b -> api.forward(Addresses.ROOM_API_INFO,
      new JsonObject().put("appId", app(rc).appId()).put("roomId", pathId(rc, "roomId"))
        .put("info", b.containsKey("info") ? b.getValue("info") : b))));
    router.put("/api/v1/sensitive-words").handler(rc -> api.withBody(rc, b -> {
      JsonArray words = b.getJsonArray("words");
      if (words == null) {
        throw ProtocolException.missing("words");
      }
      return api.forward(Addresses.CHAT_API_WORDS, new JsonObject().put("appId", app(rc).appId()).put("words", words));
    }));
    if (gw.serverConfig().dev()) {
      router.get("/dev/sign").handler(rc -> api.dev(rc, q -> api.sign(api.devApp(q), new JsonObject()
        .put("userId", q.apply("userId")).put("deviceId", q.apply("deviceId")).put("role", q.apply("role")))));
      router.get("/dev/chat-sign").handler(rc -> api.dev(rc, q -> api.chatSign(api.devApp(q), new JsonObject()
        .put("userId", q.apply("userId")).put("receiveUserId", q.apply("receiveUserId")))));
      router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    }
  }

  // ---- authentication -------------------------------------------------------------------------------------

  private void authenticate(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    String appId = req.getHeader("X-App-Id");
    String ts = req.getHeader("X-Timestamp");
    String nonce = req.getHeader("X-Nonce");
    String sig = req.getHeader("X-Signature");
    AppConfig app = config.apps().get(appId);
    long now = System.currentTimeMillis();
    if (app == null || ts == null || nonce == null || sig == null || !ts.matches("-?[0-9]{1,16}")
      || Math.abs(now - Long.parseLong(ts)) > API_CLOCK_SKEW_MS || !NONCE.matcher(nonce).matches()) {
      problem(rc, ErrorCode.UNAUTHORIZED, "missing, expired or malformed signature headers");
      return;
    }
    String body = rc.body() == null || rc.body().buffer() == null ? "" : rc.body().asString();
    String expected = Signatures.api(app.secret(), req.method().name(), appId, req.uri(), ts, nonce, body);
    if (!Signatures.matches(expected, sig)) {
      problem(rc, ErrorCode.UNAUTHORIZED, "bad signature");
      return;
    }
    gw.infra().kv().setIfAbsent("nonce:" + appId + ":" + nonce, "1", NONCE_WINDOW_MS).onComplete(ar -> {
      if (ar.failed()) {
        problem(rc, ErrorCode.UNAVAILABLE, "store unavailable");
      } else if (!ar.result()) {
        problem(rc, ErrorCode.UNAUTHORIZED, "nonce already used");
      } else {
        rc.put(APP, app);
        rc.next();
      }
    });
  }

  private static AppConfig app(RoutingContext rc) {
    return rc.get(APP);
  }

  private static String pathId(RoutingContext rc, String name) {
    String v = rc.pathParam(name);
    if (!Frames.isValidId(v)) {
      throw ProtocolException.invalid(name, "not an id");
    }
    return v;
  }

  /** Runs an API handler on the parsed JSON body (empty object when none), mapping failures to problems. */
  private void withBody(RoutingContext rc, Function<JsonObject, Future<JsonObject>> h) {
    Future<JsonObject> f;
    try {
      JsonObject body;
      String raw = rc.body() == null || rc.body().buffer() == null ? "" : rc.body().asString();
      if (raw.isBlank()) {
        body = new JsonObject();
      } else {
        try {
          Object v = io.vertx.core.json.Json.decodeValue(raw);
          if (!(v instanceof JsonObject o)) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "the body must be a JSON object");
          }
          body = o;
        } catch (DecodeException e) {
          throw new ProtocolException(ErrorCode.INVALID_JSON, "malformed JSON body");
        }
      }
      f = h.apply(body);
    } catch (ProtocolException e) {
      f = Future.failedFuture(e);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    respond(rc, f);
  }

  private void respond(RoutingContext rc, Future<JsonObject> f) {
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        json(rc, 200, ar.result());
      } else {
        ErrorCode c = GatewayVerticle.errorOf(ar.cause());
        if (c == ErrorCode.INTERNAL || !(ar.cause() instanceof ProtocolException || ar.cause() instanceof io.vertx.core.eventbus.ReplyException)) {
          if (!(ar.cause() instanceof ProtocolException)) {
            LOG.error("{} {} failed", rc.request().method(), rc.request().path(), ar.cause());
          }
        }
        problem(rc, c, GatewayVerticle.messageOf(ar.cause(), c));
      }
    });
  }

  // ---- endpoints ------------------------------------------------------------------------------------------

  /** POST /api/v1/sign: a connect URL and sign for a user (what the original /im/sign returned). */
  private Future<JsonObject> sign(AppConfig app, JsonObject b) {
    String userId = Frames.reqId(b, "userId");
    String deviceId = Frames.optId(b, "deviceId");
    if (deviceId == null) {
      deviceId = Frames.optId(b, "loginId");
    }
    if (deviceId == null) {
      deviceId = Handshake.DEFAULT_DEVICE;
    }
    String roleIn = Frames.optString(b, "role");
    String role = roleIn == null || roleIn.isEmpty() ? "user" : ROLES.get(roleIn.toLowerCase(Locale.ROOT));
    if (role == null) {
      throw ProtocolException.invalid("role", "user, agent or admin");
    }
    String txNo = Long.toString(System.currentTimeMillis());
    String sign;
    StringBuilder url = new StringBuilder(config.raw().getString("publicWsUrl", "ws://" + config.host() + ":" + gw.actualPort() + "/ws"))
      .append("?appId=").append(enc(app.appId())).append("&userId=").append(enc(userId))
      .append("&loginId=").append(enc(deviceId));
    if (app.legacySign()) {
      if (!"user".equals(role)) {
        throw ProtocolException.invalid("role", "legacy-sign apps connect users only");
      }
      if (!app.userIdPattern().matcher(userId).matches()) {
        throw ProtocolException.invalid("userId", "does not match this app's userIdPattern");
      }
      sign = Signatures.legacyLogin(app.secret(), app.appId(), userId, deviceId, txNo);
    } else {
      sign = Signatures.login(app.secret(), app.appId(), userId, deviceId, role, txNo);
      url.append("&role=").append(role);
    }
    url.append("&msgType=10&txNo=").append(txNo).append("&sign=").append(sign);
    return Future.succeededFuture(new JsonObject().put("url", url.toString()).put("appId", app.appId()).put("userId", userId)
      .put("loginId", deviceId).put("role", role).put("msgType", 10).put("txNo", Long.parseLong(txNo)).put("sign", sign)
      .put("heartbeatSeconds", app.heartbeatSeconds()));
  }

  /** POST /api/v1/chat-sign: permission for userId to message receiveUserId. */
  private Future<JsonObject> chatSign(AppConfig app, JsonObject b) {
    String userId = Frames.reqId(b, "userId");
    String receiver = Frames.reqId(b, "receiveUserId");
    long ts = System.currentTimeMillis();
    String sign = app.legacySign()
      ? Signatures.legacyChat(app.secret(), app.appId(), receiver, ts)
      : Signatures.chat(app.secret(), app.appId(), userId, receiver, ts);
    return Future.succeededFuture(new JsonObject().put("receiveSign", sign).put("timestamp", ts)
      .put("expiresAt", ts + app.chatSignTtlSeconds() * 1000L));
  }

  /** POST /api/v1/messages: a business or system account sends through the chat pipeline (no chat sign). */
  private Future<JsonObject> sendMessage(AppConfig app, JsonObject b) {
    String userId = Frames.reqId(b, "userId");
    RequestContext ctx = new RequestContext(app.appId(), userId, API_DEVICE, RequestContext.ROLE_USER, null, null);
    return forward(Addresses.CHAT_API_SEND, ctx.request(b));
  }

  private Future<JsonObject> presence(AppConfig app, HttpServerRequest req) {
    String raw = req.getParam("userIds");
    if (raw == null || raw.isBlank()) {
      throw ProtocolException.missing("userIds");
    }
    String[] ids = raw.split(",");
    if (ids.length > MAX_PRESENCE_USERS) {
      throw ProtocolException.invalid("userIds", "at most " + MAX_PRESENCE_USERS);
    }
    JsonArray list = new JsonArray();
    for (String id : ids) {
      if (!Frames.isValidId(id)) {
        throw ProtocolException.invalid("userIds", "not an id: " + id);
      }
      list.add(id);
    }
    return forward(Addresses.CHAT_API_PRESENCE, new JsonObject().put("appId", app.appId()).put("userIds", list));
  }

  private Future<JsonObject> kick(AppConfig app, JsonObject b) {
    String userId = Frames.reqId(b, "userId");
    String deviceId = Frames.optId(b, "deviceId");
    return gw.kickUser(app.appId(), userId, deviceId).map(n -> new JsonObject().put("kicked", n));
  }

  private Future<JsonObject> forward(String address, JsonObject body) {
    return gw.request(address, body);
  }

  // ---- dev mode ---------------------------------------------------------------------------------------------

  private void dev(RoutingContext rc, Function<Function<String, String>, Future<JsonObject>> h) {
    String remote = rc.request().remoteAddress() == null ? "" : rc.request().remoteAddress().hostAddress();
    if (!ServerConfig.isLoopback(remote) && !"0:0:0:0:0:0:0:1".equals(remote)) {
      problem(rc, ErrorCode.FORBIDDEN, "dev endpoints answer loopback clients only");
      return;
    }
    Future<JsonObject> f;
    try {
      f = h.apply(rc.request()::getParam);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    respond(rc, f);
  }

  private AppConfig devApp(Function<String, String> q) {
    String appId = q.apply("appId");
    AppConfig app = appId == null ? config.apps().all().iterator().next() : config.apps().get(appId);
    if (app == null) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "unknown app");
    }
    return app;
  }

  // ---- responses ----------------------------------------------------------------------------------------------

  static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  static void problem(RoutingContext rc, ErrorCode code, String detail) {
    int status = code.httpStatus();
    rc.response().setStatusCode(status).putHeader("content-type", "application/problem+json")
      .end(new JsonObject().put("type", "about:blank").put("title", code.name()).put("status", status)
        .put("detail", detail).put("code", code.name()).encode());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static List<String> split(String csv) {
    List<String> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return out;
  }
}
