package com.seedim.im.gateway;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.proto.StrictJson;
import com.seedim.im.common.security.Signatures;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
  /** retryAfterMs of a 503 UNAVAILABLE answer (PROTOCOL.md §2's rule applied to the API). */
  static final long API_RETRY_AFTER_MS = 1_000;
  /**
   * How long a connection whose request was refused before its body was read may go on sending (the rest is read
   * and discarded) before it is closed (a future config key).
   */
  static final long EARLY_REFUSAL_LINGER_MS = 1_000;
  static final String WORDS_PATH = "/api/v1/sensitive-words";
  private static final int UNSUPPORTED_MEDIA_TYPE = 415;
  private static final String NOT_JSON = "a request body must be Content-Type application/json (charset utf-8 if any), not encoded";
  static final int MAX_PRESENCE_USERS = 200;
  static final String APP = "im.app";
  static final String BODY = "im.body";
  /** The device of messages sent through the HTTP API: '#' is not an id character, so no real device has it. */
  static final String API_DEVICE = "#api";
  private static final Pattern NONCE = Pattern.compile("[\\x21-\\x7E]{1,64}");
  private static final Pattern TIMESTAMP = Pattern.compile("-?[0-9]{1,16}");
  private static final Pattern SIGNATURE = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern CONTENT_LENGTH = Pattern.compile("[0-9]{1,18}");
  /** What a legacy-sign app's handshake accepts as loginId (PROTOCOL.md §2). */
  private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  /** Host header values the dev endpoints answer (DNS rebinding): localhost, 127.x.x.x, [::1], any port. */
  private static final Pattern LOOPBACK_HOST = Pattern.compile(
    "(?i)(localhost|127\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){2}"
      + "|\\[::1\\]|\\[0:0:0:0:0:0:0:1\\])(:[0-9]{1,5})?");
  private static final List<String> PROXY_HEADERS = List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP");
  private static final Map<String, String> ROLES = Map.of("user", "user", "agent", "agent", "custom", "agent", "kefu", "agent",
    "admin", "admin", "administrator", "admin");

  private final GatewayVerticle gw;
  private final ServerConfig config;

  private final int maxBody;
  private final int maxWordsBody;

  private HttpApi(GatewayVerticle gw) {
    this.gw = gw;
    this.config = gw.serverConfig();
    this.maxBody = gw.limits().apiMaxBodyBytes();
    this.maxWordsBody = gw.limits().apiMaxWordsBodyBytes();
  }

  static void mount(Router router, GatewayVerticle gw) {
    HttpApi api = new HttpApi(gw);
    router.get("/health").handler(rc -> json(rc, 200, new JsonObject().put("status", "UP")));
    // Order matters: the signature headers, content type and announced length are checked before any byte of the
    // body is read (no upload is ever stored, no form field ever becomes a parameter), then the body is read
    // under its limit, then the signature over that body and the nonce are checked.
    BodyHandler small = jsonOnlyBodyHandler(api.maxBody);
    BodyHandler large = jsonOnlyBodyHandler(api.maxWordsBody);
    router.route("/api/v1/*")
      .handler(api::preAuthenticate)
      .handler(rc -> (api.isWordsUpload(rc) ? large : small).handle(rc))
      .handler(api::authenticate)
      .failureHandler(api::onFailure);
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
    router.put(WORDS_PATH).handler(rc -> api.withBody(rc, b -> {
      Object words = b.getValue("words");
      if (words == null) {
        throw ProtocolException.missing("words");
      }
      if (!(words instanceof JsonArray list)) {
        throw ProtocolException.invalid("words", "expected an array of strings");
      }
      for (Object w : list) {
        if (!(w instanceof String)) {
          throw ProtocolException.invalid("words", "expected an array of strings");
        }
      }
      return api.forward(Addresses.CHAT_API_WORDS, new JsonObject().put("appId", app(rc).appId()).put("words", list));
    }));
    if (gw.serverConfig().dev()) {
      router.get("/dev/sign").handler(rc -> api.dev(rc, q -> api.sign(api.devApp(q), new JsonObject()
        .put("userId", q.apply("userId")).put("deviceId", q.apply("deviceId")).put("role", q.apply("role")))));
      router.get("/dev/chat-sign").handler(rc -> api.dev(rc, q -> api.chatSign(api.devApp(q), new JsonObject()
        .put("userId", q.apply("userId")).put("receiveUserId", q.apply("receiveUserId")))));
      router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    }
  }

  /** Buffers the body in memory only: no file uploads, no form attributes merged into the parameters. */
  private static BodyHandler jsonOnlyBodyHandler(int limit) {
    return BodyHandler.create(false).setBodyLimit(limit).setMergeFormAttributes(false).setDeleteUploadedFilesOnEnd(true);
  }

  private boolean isWordsUpload(RoutingContext rc) {
    String path = rc.normalizedPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return rc.request().method() == HttpMethod.PUT && WORDS_PATH.equals(path);
  }

  private int bodyLimit(RoutingContext rc) {
    return isWordsUpload(rc) ? maxWordsBody : maxBody;
  }

  // ---- authentication -------------------------------------------------------------------------------------

  /**
   * Everything that can be decided from the request head, before the body is read: the app, the timestamp window,
   * the nonce and signature syntax (else 401), the content type (else 415) and the announced length (else 413).
   */
  private void preAuthenticate(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    String appId = req.getHeader("X-App-Id");
    String ts = req.getHeader("X-Timestamp");
    String nonce = req.getHeader("X-Nonce");
    String sig = req.getHeader("X-Signature");
    AppConfig app = appId == null ? null : config.apps().get(appId);
    if (app == null || ts == null || nonce == null || sig == null || !TIMESTAMP.matcher(ts).matches()
      || Math.abs(System.currentTimeMillis() - Long.parseLong(ts)) > API_CLOCK_SKEW_MS || !NONCE.matcher(nonce).matches()
      || !SIGNATURE.matcher(sig).matches()) {
      refuseEarly(rc, ErrorCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED.httpStatus(), "missing, expired or malformed signature headers");
      return;
    }
    String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    long length = 0;
    if (cl != null) {
      if (!CONTENT_LENGTH.matcher(cl.trim()).matches()) {
        refuseEarly(rc, ErrorCode.INVALID_FIELD, 400, "malformed Content-Length");
        return;
      }
      length = Long.parseLong(cl.trim());
    }
    boolean hasBody = length > 0 || req.getHeader(HttpHeaders.TRANSFER_ENCODING) != null
      || (req.version() == HttpVersion.HTTP_2 && !req.isEnded());
    if (hasBody) {
      // A body without any Content-Type is read as raw bytes (no multipart or form parsing happens then) and
      // refused with 415 only after its signature is checked, so that a tampered body is still reported as 401.
      String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
      String encoding = req.getHeader(HttpHeaders.CONTENT_ENCODING);
      if ((type != null && !isJsonMediaType(type)) || (encoding != null && !"identity".equalsIgnoreCase(encoding.trim()))) {
        refuseEarly(rc, ErrorCode.INVALID_JSON, UNSUPPORTED_MEDIA_TYPE, NOT_JSON);
        return;
      }
      int limit = bodyLimit(rc);
      if (length > limit) {
        refuseEarly(rc, ErrorCode.TOO_LARGE, ErrorCode.TOO_LARGE.httpStatus(), "request body larger than " + limit + " bytes");
        return;
      }
    }
    rc.put(APP, app);
    rc.next();
  }

  /** {@code application/json}, optionally with {@code charset=utf-8} (any case, quoted or not) and nothing else. */
  static boolean isJsonMediaType(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";", -1);
    if (!"application/json".equalsIgnoreCase(parts[0].trim())) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq < 0 || !"charset".equalsIgnoreCase(p.substring(0, eq).trim())) {
        return false;
      }
      String v = p.substring(eq + 1).trim();
      if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
        v = v.substring(1, v.length() - 1);
      }
      if (!"utf-8".equalsIgnoreCase(v) && !"utf8".equalsIgnoreCase(v)) {
        return false;
      }
    }
    return true;
  }

  /** After the body is read (within its limit): the signature over it, then the nonce (accepted once). */
  private void authenticate(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    AppConfig app = app(rc);
    String ts = req.getHeader("X-Timestamp");
    String nonce = req.getHeader("X-Nonce");
    String sig = req.getHeader("X-Signature");
    String body;
    try {
      body = bodyText(rc);
    } catch (ProtocolException e) {
      problem(rc, e.code(), e.getMessage());
      return;
    }
    String expected = Signatures.api(app.secret(), req.method().name(), app.appId(), req.uri(), ts, nonce, body);
    if (!Signatures.matches(expected, sig)) {
      problem(rc, ErrorCode.UNAUTHORIZED, "bad signature");
      return;
    }
    if (!body.isEmpty() && req.getHeader(HttpHeaders.CONTENT_TYPE) == null) {
      problem(rc, UNSUPPORTED_MEDIA_TYPE, ErrorCode.INVALID_JSON, NOT_JSON);
      return;
    }
    rc.put(BODY, body);
    if (Long.parseLong(ts) < gw.storeLossNoticedAt()) {
      // the nonces of requests signed before Redis lost its data are gone: such a request could be replayed
      problem(rc, ErrorCode.UNAUTHORIZED, "signed before the server's store was reset; sign again with a fresh timestamp");
      return;
    }
    gw.infra().kv().setIfAbsent("nonce:" + app.appId() + ":" + nonce, "1", NONCE_WINDOW_MS).onComplete(ar -> {
      if (ar.failed()) {
        problem(rc, ErrorCode.UNAVAILABLE, "store unavailable; retry later");
      } else if (!ar.result()) {
        problem(rc, ErrorCode.UNAUTHORIZED, "nonce already used");
      } else {
        rc.next();
      }
    });
  }

  /** The body as UTF-8 text; malformed UTF-8 is INVALID_JSON (RFC 8259 §8.1), never silently replaced. */
  private static String bodyText(RoutingContext rc) {
    if (rc.body() == null || rc.body().buffer() == null || rc.body().length() == 0) {
      return "";
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(rc.body().buffer().getBytes())).toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(ErrorCode.INVALID_JSON, "the body is not valid UTF-8");
    }
  }

  /**
   * A refusal before the body was read. The connection is closed after the answer when a body is still on its way,
   * so that an unauthenticated client cannot make the server read (or wait for) the rest.
   */
  private static void refuseEarly(RoutingContext rc, ErrorCode code, int status, String detail) {
    HttpServerRequest req = rc.request();
    if (req.isEnded() || !bodyMayFollow(req)) {
      problem(rc, status, code, detail);
      return;
    }
    if (req.version() != HttpVersion.HTTP_2) {
      rc.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    problem(rc, status, code, detail).onComplete(ar -> {
      if (req.version() == HttpVersion.HTTP_2) {
        rc.response().reset(0); // RFC 9113 §8.1: NO_ERROR asks the client to stop sending this request's body
      } else if (req.connection() != null) {
        // Vert.x reads and discards the rest of the body (nothing is buffered), then closes because of
        // "Connection: close". A client that is almost done can finish and read the answer; one that is still
        // sending (or trickling) after the linger is cut off.
        HttpConnection conn = req.connection();
        if (req.isEnded()) {
          conn.close();
          return;
        }
        long timer = rc.vertx().setTimer(EARLY_REFUSAL_LINGER_MS, t -> conn.close());
        req.endHandler(v -> {
          rc.vertx().cancelTimer(timer);
          conn.close();
        });
        req.resume();
      }
    });
  }

  /** Whether the head announces a body (or, for HTTP/2, the stream is still open); a malformed length counts. */
  private static boolean bodyMayFollow(HttpServerRequest req) {
    String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (cl != null && !"0".equals(cl.trim())) || req.getHeader(HttpHeaders.TRANSFER_ENCODING) != null
      || (req.version() == HttpVersion.HTTP_2 && !req.isEnded());
  }

  /** Failures of the /api/v1 chain: the body handler's 413 and anything unexpected, always as problem+json. */
  private void onFailure(RoutingContext rc) {
    if (rc.response().headWritten()) {
      return;
    }
    Throwable err = rc.failure();
    if (rc.statusCode() == 413) {
      refuseEarly(rc, ErrorCode.TOO_LARGE, 413, "request body larger than " + bodyLimit(rc) + " bytes");
    } else if (err instanceof ProtocolException pe) {
      problem(rc, pe.code(), pe.getMessage());
    } else if (rc.statusCode() == 400) {
      refuseEarly(rc, ErrorCode.INVALID_JSON, 400, "malformed request body");
    } else {
      LOG.error("{} {} failed (status {})", rc.request().method(), rc.request().path(), rc.statusCode(), err);
      problem(rc, ErrorCode.INTERNAL, "internal error");
    }
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

  /**
   * Runs an API handler on the body (strict RFC 8259, one object; empty object when there is none), mapping
   * failures to problems. Synchronous failures are the request's fault: a field of the wrong type (a
   * ClassCastException or IllegalArgumentException from a getter) is INVALID_FIELD, never UNAVAILABLE.
   */
  private void withBody(RoutingContext rc, Function<JsonObject, Future<JsonObject>> h) {
    Future<JsonObject> f;
    try {
      String raw = rc.get(BODY);
      JsonObject body = raw == null || raw.isEmpty() ? new JsonObject() : StrictJson.parseObject(raw);
      f = h.apply(body);
    } catch (ProtocolException e) {
      f = Future.failedFuture(e);
    } catch (ClassCastException | IllegalArgumentException e) {
      f = Future.failedFuture(new ProtocolException(ErrorCode.INVALID_FIELD, "a field has the wrong type or format"));
    } catch (RuntimeException e) {
      LOG.error("{} {} failed", rc.request().method(), rc.request().path(), e);
      f = Future.failedFuture(new ProtocolException(ErrorCode.INTERNAL, "internal error"));
    }
    respond(rc, f);
  }

  /**
   * Success as JSON; failures as problems. A ProtocolException or a service's coded refusal keeps its code and
   * message; a bus timeout, a missing service or a store failure is 503 UNAVAILABLE with retryAfterMs; anything
   * else is a logged 500 INTERNAL. Exception texts never reach the client.
   */
  private void respond(RoutingContext rc, Future<JsonObject> f) {
    f.onComplete(ar -> {
      if (ar.succeeded()) {
        json(rc, 200, ar.result());
        return;
      }
      Throwable err = ar.cause();
      ErrorCode c = Failures.codeOf(err);
      String detail;
      if (err instanceof ProtocolException) {
        detail = err.getMessage();
      } else if (err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE && c != ErrorCode.INTERNAL) {
        detail = Failures.messageOf(err, c);
      } else if (c == ErrorCode.UNAVAILABLE) {
        if (!(err instanceof ReplyException)) {
          LOG.warn("{} {}: store or service failure: {}", rc.request().method(), rc.request().path(), err.toString());
        }
        detail = "service or store unavailable; retry later with the same request (for messages, the same unique)";
      } else {
        LOG.error("{} {} failed", rc.request().method(), rc.request().path(), err);
        detail = "internal error";
      }
      problem(rc, c, detail);
    });
  }

  // ---- endpoints ------------------------------------------------------------------------------------------

  /** POST /api/v1/sign: a connect URL and sign for a user (what the original /im/sign returned). */
  private Future<JsonObject> sign(AppConfig app, JsonObject b) {
    String userId = Frames.reqId(b, "userId");
    String deviceField = "deviceId";
    String deviceId = Frames.optId(b, "deviceId");
    if (deviceId == null) {
      deviceField = "loginId";
      deviceId = Frames.optId(b, "loginId");
    }
    if (app.legacySign()) {
      // the legacy handshake takes a loginId only as a UUID; without one the URL carries none (device "default")
      if (deviceId != null && !UUID.matcher(deviceId).matches()) {
        throw ProtocolException.invalid(deviceField, "legacy-sign apps need a UUID (8-4-4-4-12 hex digits)");
      }
    } else if (deviceId == null) {
      deviceId = Handshake.DEFAULT_DEVICE;
    }
    String roleIn = Frames.optString(b, "role");
    String role = roleIn == null || roleIn.isEmpty() ? "user" : ROLES.get(roleIn.toLowerCase(Locale.ROOT));
    if (role == null) {
      throw ProtocolException.invalid("role", "user, agent or admin");
    }
    String txNo = Long.toString(System.currentTimeMillis());
    String sign;
    StringBuilder url = new StringBuilder(config.publicWsUrl() != null ? config.publicWsUrl() : "ws://" + config.host() + ":" + gw.actualPort() + "/ws")
      .append("?appId=").append(enc(app.appId())).append("&userId=").append(enc(userId));
    if (deviceId != null) {
      url.append("&loginId=").append(enc(deviceId));
    }
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
    // loginId is JSON null for a legacy URL without one (a client appending "loginId=null" still connects, §2)
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
        throw ProtocolException.invalid("userIds", "every id is 1-64 characters of [A-Za-z0-9_.@:-]");
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

  /**
   * The dev endpoints answer a loopback peer that talks to them directly under a loopback name: not through a proxy
   * (behind a same-host reverse proxy every peer is loopback, audit M1) and not under a foreign Host name (a
   * DNS-rebinding page in the developer's browser, audit L8).
   */
  private void dev(RoutingContext rc, Function<Function<String, String>, Future<JsonObject>> h) {
    HttpServerRequest req = rc.request();
    String remote = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
    if (!ServerConfig.isLoopback(remote) && !"0:0:0:0:0:0:0:1".equals(remote)) {
      problem(rc, ErrorCode.FORBIDDEN, "dev endpoints answer loopback clients only");
      return;
    }
    for (String header : PROXY_HEADERS) {
      if (req.headers().contains(header)) {
        problem(rc, ErrorCode.FORBIDDEN, "dev endpoints do not answer proxied requests");
        return;
      }
    }
    if (!isLoopbackHost(req)) {
      problem(rc, ErrorCode.FORBIDDEN, "dev endpoints answer only Host localhost, 127.x.x.x or [::1]");
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

  private static boolean isLoopbackHost(HttpServerRequest req) {
    String host = req.getHeader(HttpHeaders.HOST);
    if (host == null && req.authority() != null) {
      host = req.authority().toString();
    }
    return host != null && LOOPBACK_HOST.matcher(host.trim()).matches();
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

  static Future<Void> problem(RoutingContext rc, ErrorCode code, String detail) {
    return problem(rc, code.httpStatus(), code, detail);
  }

  /**
   * A problem+json answer with a §3 code. The detail is always the server's own text, never request content.
   * 503 UNAVAILABLE carries retryAfterMs and a Retry-After header (seconds), as PROTOCOL.md §2 asks of 503s.
   */
  static Future<Void> problem(RoutingContext rc, int status, ErrorCode code, String detail) {
    JsonObject body = new JsonObject().put("type", "about:blank").put("title", code.name()).put("status", status)
      .put("detail", detail).put("code", code.name());
    if (code == ErrorCode.UNAVAILABLE) {
      body.put("retryAfterMs", API_RETRY_AFTER_MS);
      rc.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, (API_RETRY_AFTER_MS + 999) / 1000)));
    }
    return rc.response().setStatusCode(status).putHeader("content-type", "application/problem+json").end(body.encode());
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
