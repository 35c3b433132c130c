package com.seedim.im.gateway;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.Pusher;
import com.seedim.im.common.bus.TurnBatches;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.CloseCodes;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.NoticeCode;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.store.Route;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway: terminates client WebSockets (PROTOCOL.md §2–§4) and the business HTTP API (§7), and delivers
 * pushes from the services that arrive on its own bus address ({@link Addresses#gateway}). One instance
 * holds its sockets on one event loop; several instances (and nodes) scale it out.
 */
public class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  static final long TICK_MS = 1000;
  static final long MIN_TICK_MS = 50;
  static final long ALIVE_MS = 5000;
  /** Route records of long-lived connections are refreshed this often. */
  static final long ROUTE_TOUCH_MS = 3_600_000;
  /** Kick records outlive every sign they must refuse. */
  static final long KICK_RECORD_EXTRA_MS = 60_000;
  static final int WS_LIMIT_FACTOR = 4;
  /** Most acknowledged-push items in one delivered message to chat. */
  static final int MAX_DELIVERED_BATCH = 256;

  private final Infra infra;
  private final ServerConfig config;
  private final String instanceId = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final String address = Addresses.gateway(instanceId);
  private final Map<String, Connection> byId = new HashMap<>();
  private final Map<String, List<Connection>> byUser = new HashMap<>();
  private final Set<Connection> withPending = new LinkedHashSet<>();
  private final Map<String, TokenBucket> handshakeBuckets = new HashMap<>();
  private final AtomicLong seq = new AtomicLong();
  private final GatewayMetrics metrics = new GatewayMetrics(instanceId);
  private Idempotency idempotency;
  private HttpServer server;
  private MessageConsumer<JsonObject> consumer;
  private long tickTimer = -1;
  private long aliveTimer = -1;
  private long lastTouch = System.currentTimeMillis();
  private boolean stopping;
  /** Connect sequences running now (at most {@code maxConnecting}), and accepted handshakes waiting for one. */
  private int connecting;
  private final java.util.ArrayDeque<Runnable> connectWaiting = new java.util.ArrayDeque<>();
  /** Delivered marks of this event loop turn, not yet sent to chat. */
  private final TurnBatches<JsonArray> deliveredBatches = new TurnBatches<>(JsonArray::new, this::sendDelivered);

  public GatewayVerticle(Infra infra) {
    this.infra = infra;
    this.config = infra.config();
  }

  @Override
  public Future<?> start() {
    idempotency = new Idempotency(vertx, infra.kv(), config.busTimeoutMs());
    Router router = Router.router(vertx);
    for (String path : Handshake.PATHS) {
      router.get(path).handler(this::onConnectRequest);
    }
    HttpApi.mount(router, this);
    int wsLimit = Math.max(config.maxFrameBytes() * WS_LIMIT_FACTOR, 65536);
    server = vertx.createHttpServer(new HttpServerOptions()
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(wsLimit)
        .setMaxWebSocketMessageSize(wsLimit)
        // Every request, response and socket write of a connection happens on its verticle's event loop, so the
        // HTTP connection needs no cross-thread outbound queue: strict mode saves its 1,024-slot MPSC queue
        // (about 4 KB) that Vert.x otherwise keeps for each upgraded WebSocket's lifetime.
        .setStrictThreadMode(true)
        .setIdleTimeout(0))
      // WebSocket upgrades on the connect paths skip the router (its RoutingContext was ~9 % of a handshake's CPU)
      .requestHandler(req -> {
        if (req.method() == io.vertx.core.http.HttpMethod.GET && Handshake.PATHS.contains(req.path())
          && "websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
          connectRequest(req, () -> router.handle(req));
        } else {
          router.handle(req);
        }
      });
    consumer = vertx.eventBus().consumer(address, this::onBusMessage);
    tickTimer = vertx.setPeriodic(Math.max(MIN_TICK_MS, Math.min(TICK_MS, config.resendDelaysMs().get(0) / 2)), t -> tick());
    aliveTimer = vertx.setPeriodic(ALIVE_MS, t -> infra.directory().gatewayAlive(address)
      .onFailure(err -> LOG.warn("gateway {} could not refresh its liveness: {}", address, err.toString())));
    return Future.all(
        consumer.completion(),
        infra.directory().gatewayAlive(address),
        server.listen(config.port(), config.host()))
      .onSuccess(v -> LOG.info("gateway {} listening on ws://{}:{}/ws, push address {}",
        instanceId, config.host(), server.actualPort(), address));
  }

  /**
   * Graceful stop: 99 SHUTDOWN with a spread-out {@code retryAfterMs} to every socket, a drain period, then
   * close 1001 (PROTOCOL.md §5).
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(tickTimer);
    vertx.cancelTimer(aliveTimer);
    List<Connection> all = new ArrayList<>(byId.values());
    long maxRetry = Math.max(5000, all.size() / 2000L * 1000);
    for (Connection c : all) {
      c.notice(NoticeCode.SHUTDOWN, "server shutting down; reconnect after retryAfterMs",
        ThreadLocalRandom.current().nextLong(1000, maxRetry + 1));
    }
    Promise<Void> drained = Promise.promise();
    if (all.isEmpty()) {
      drained.complete();
    } else {
      vertx.setTimer(Math.max(1, config.shutdownDrainMs()), t -> drained.complete());
    }
    return drained.future().compose(v -> {
      for (Connection c : all) {
        c.close(CloseCodes.GOING_AWAY, "server shutdown");
      }
      LOG.info("gateway {} stopped: {} sockets closed", instanceId, all.size());
      metrics.close();
      return Future.join(server.close(), consumer.unregister(),
        infra.directory().gatewayGone(address).recover(err -> {
          LOG.warn("gateway {} could not mark itself gone: {}", instanceId, err.toString());
          return Future.succeededFuture();
        }));
    });
  }

  // ---- handshake -------------------------------------------------------------------------------------------

  private void onConnectRequest(RoutingContext rc) {
    connectRequest(rc.request(), rc::next);
  }

  /** A request on a connect path: a WebSocket handshake, or its plain-GET diagnosis; anything else goes to {@code next}. */
  private void connectRequest(HttpServerRequest req, Runnable next) {
    boolean upgrade = "websocket".equalsIgnoreCase(req.getHeader("Upgrade"));
    // Decode the query locally: req.params() would cache a MultiMap on the request, which Vert.x keeps for the
    // socket's lifetime (memory per held connection).
    Map<String, List<String>> query = new QueryStringDecoder(req.uri()).parameters();
    if (!upgrade && query.isEmpty()) {
      next.run(); // the demo page and other GET handlers
      return;
    }
    if (upgrade) {
      req.pause();
    }
    long now = System.currentTimeMillis();
    if (stopping) {
      refuse(req, 503, ErrorCode.UNAVAILABLE, "server shutting down");
      return;
    }
    if (!handshakeAllowed(req.remoteAddress() == null ? "?" : req.remoteAddress().hostAddress(), now)) {
      refuse(req, 429, ErrorCode.RATE_LIMITED, "too many handshakes from this address");
      return;
    }
    Handshake.Result r = Handshake.check(name -> {
      List<String> v = query.get(name);
      return v == null || v.isEmpty() ? null : v.get(0);
    }, req.getHeader("Origin"), config.apps(), now);
    if (!r.accepted()) {
      refuse(req, r.refusal().status(), r.refusal().code(), r.refusal().message());
      return;
    }
    Handshake.Identity who = r.identity();
    if (!upgrade) {
      accept(req, who, false);
      return;
    }
    if (connecting < config.maxConnecting()) {
      connecting++;
      accept(req, who, true);
    } else if (connectWaiting.size() < config.maxConnectWaiting()) {
      connectWaiting.add(() -> accept(req, who, true)); // the slot passes on from a finished connect
      metrics.connectWaiting(connectWaiting.size());
    } else {
      refuse(req, 503, ErrorCode.UNAVAILABLE, "too many connections in progress; retry later");
    }
  }

  /** Kick record check, then the upgrade and the connect sequence; {@code slot}: holds a connect slot to release. */
  private void accept(HttpServerRequest req, Handshake.Identity who, boolean slot) {
    if (stopping) {
      refuse(req, 503, ErrorCode.UNAVAILABLE, "server shutting down");
      release(slot);
      return;
    }
    infra.kv().get(kickKey(who.app().appId(), who.userId())).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("handshake of {}/{}: kick record unreadable: {}", who.app().appId(), who.userId(), ar.cause().toString());
        refuse(req, 503, ErrorCode.UNAVAILABLE, "store unavailable");
        release(slot);
        return;
      }
      if (ar.result() != null && who.txNo() < Long.parseLong(ar.result())) {
        Handshake.Refusal u = Handshake.unauthorized().refusal();
        refuse(req, u.status(), u.code(), u.message());
        release(slot);
        return;
      }
      if (!slot) {
        req.response().setStatusCode(426).putHeader("content-type", "application/json")
          .end(new JsonObject().put("msgType", 10).put("code", "UPGRADE_REQUIRED")
            .put("message", "this URL would be accepted; connect with a WebSocket upgrade").encode());
        return;
      }
      req.toWebSocket().onSuccess(ws -> onSocket(ws, who))
        .onFailure(err -> {
          LOG.debug("upgrade of {}/{} failed: {}", who.app().appId(), who.userId(), err.toString());
          release(true);
        });
    });
  }

  /** A connect sequence ended: its slot goes to the oldest waiting handshake (or frees up). */
  private void release(boolean slot) {
    if (!slot) {
      return;
    }
    Runnable next = connectWaiting.poll();
    if (next != null) {
      metrics.connectWaiting(connectWaiting.size());
      next.run();
    } else {
      connecting--;
    }
  }

  private void refuse(HttpServerRequest req, int status, ErrorCode code, String message) {
    metrics.handshake(false);
    req.resume();
    req.response().setStatusCode(status).putHeader("content-type", "application/json")
      .end(new JsonObject().put("msgType", 10).put("code", code.name()).put("message", message).encode());
  }

  private boolean handshakeAllowed(String ip, long now) {
    int rate = config.handshakesPerSecondPerAddress();
    return handshakeBuckets.computeIfAbsent(ip, k -> new TokenBucket(rate, rate * 2.0, now)).tryTake(now);
  }

  static String kickKey(String appId, String userId) {
    return "kick:" + appId + ":" + userId;
  }

  private void onSocket(ServerWebSocket ws, Handshake.Identity who) {
    StrictWebSocketWrites.apply(ws); // before any write: every write below happens on this verticle's event loop
    long now = System.currentTimeMillis();
    String connId = instanceId + "-" + seq.incrementAndGet();
    Connection c = new Connection(this, connId, who, ws, now);
    metrics.handshake(true);
    ws.textMessageHandler(c::onText);
    ws.binaryMessageHandler(b -> c.onBinary());
    ws.frameHandler(f -> c.onLife());
    ws.exceptionHandler(err -> LOG.debug("socket {} of {}/{}: {}", connId, c.appId(), c.userId(), err.toString()));
    ws.closeHandler(v -> onClosed(c));
    add(c);
    Route route = new Route(who.deviceId(), connId, address, who.role(), now);
    infra.directory().register(who.app().appId(), who.userId(), route, who.app().maxDevices())
      .compose(reg -> {
        for (Route old : reg.displaced()) {
          kick(old, who.app().appId(), who.userId(), NoticeCode.REPLACED, "replaced by a newer connection");
        }
        LOG.debug("connected {}/{}/{} as {} ({})", who.app().appId(), who.userId(), who.deviceId(), who.role(), connId);
        return connectSequence(c, reg.firstDevice());
      })
      .onComplete(ar -> {
        release(true);
        if (ar.failed()) {
          LOG.warn("connect of {}/{}/{} failed: {}", c.appId(), c.userId(), who.deviceId(), ar.cause().toString());
          c.error(ErrorCode.UNAVAILABLE, "session store unavailable; reconnect later", 0, null);
          c.close(CloseCodes.GOING_AWAY, "unavailable");
          return;
        }
        c.ready();
      });
  }

  /** After the upgrade: 1170 heads + undelivered 140s (chat), 551 / 301 (room), 410 (queue), in that order. */
  private Future<Void> connectSequence(Connection c, boolean firstDevice) {
    JsonObject body = new JsonObject().put("ctx", c.ctx.toJson()).put("firstDevice", firstDevice);
    if (c.who.headsSince() != null) {
      body.put("headsSince", c.who.headsSince());
    }
    return connectStep(c, Addresses.CHAT_CONNECT, body)
      .compose(v -> connectStep(c, Addresses.ROOM_CONNECT, body))
      .compose(v -> connectStep(c, Addresses.QUEUE_CONNECT, body));
  }

  private Future<Void> connectStep(Connection c, String addr, JsonObject body) {
    if (c.isClosed()) {
      return Future.succeededFuture();
    }
    return request(addr, body).map(reply -> {
      var self = reply.getJsonArray(ServiceReply.SELF);
      if (self != null) {
        for (Object o : self) {
          JsonObject p = (JsonObject) o;
          c.pushNow(p.getJsonObject("frame"), p.getBoolean("reliable", false));
        }
      }
      return (Void) null;
    }).recover(err -> {
      if (!(err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS)) {
        LOG.warn("{} for {}/{} failed: {}", addr, c.appId(), c.userId(), err.toString());
      }
      return Future.succeededFuture();
    });
  }

  private void onClosed(Connection c) {
    boolean loggedOut = c.loggedOut;
    c.onClosed();
    remove(c);
    withPending.remove(c);
    if (!loggedOut) {
      disconnect(c, false);
    }
  }

  /** 251 from a device: presence and rooms update at once. */
  void logout(Connection c) {
    c.loggedOut = true;
    remove(c);
    disconnect(c, true);
  }

  private void disconnect(Connection c, boolean logout) {
    infra.directory().unregister(c.appId(), c.userId(), c.who.deviceId(), c.id).onComplete(ar -> {
      boolean last = ar.succeeded() && ar.result();
      if (ar.failed()) {
        LOG.warn("could not remove route of {}/{}/{}: {}", c.appId(), c.userId(), c.who.deviceId(), ar.cause().toString());
      }
      JsonObject body = new JsonObject().put("ctx", c.ctx.toJson()).put("lastDevice", last).put("logout", logout)
        .put("kicked", c.kicked);
      for (String addr : List.of(Addresses.CHAT_DISCONNECT, Addresses.ROOM_DISCONNECT, Addresses.QUEUE_DISCONNECT)) {
        vertx.eventBus().send(addr, body);
      }
      LOG.debug("disconnected {}/{}/{} ({}, last device: {}, logout: {})", c.appId(), c.userId(), c.who.deviceId(), c.id, last, logout);
    });
  }

  private void add(Connection c) {
    byId.put(c.id, c);
    byUser.computeIfAbsent(userKey(c.appId(), c.userId()), k -> new ArrayList<>(2)).add(c);
    metrics.connections(byId.size());
  }

  private void remove(Connection c) {
    if (byId.remove(c.id) == null) {
      return;
    }
    String k = userKey(c.appId(), c.userId());
    List<Connection> l = byUser.get(k);
    if (l != null) {
      l.remove(c);
      if (l.isEmpty()) {
        byUser.remove(k);
      }
    }
    metrics.connections(byId.size());
  }

  private static String userKey(String appId, String userId) {
    return appId + '\n' + userId;
  }

  // ---- pushes from the services ------------------------------------------------------------------------------

  private void onBusMessage(Message<JsonObject> msg) {
    JsonObject m = msg.body();
    if (Pusher.OP_BATCH.equals(m.getString(Pusher.OP))) {
      JsonArray items = m.getJsonArray(Pusher.ITEMS);
      for (int i = 0; i < items.size(); i++) {
        onPushMessage(items.getJsonObject(i));
      }
      return;
    }
    onPushMessage(m);
  }

  private void onPushMessage(JsonObject m) {
    List<Connection> conns = byUser.get(userKey(m.getString("appId"), m.getString("userId")));
    if (conns == null) {
      return;
    }
    String op = m.getString(Pusher.OP);
    if (Pusher.OP_PUSH.equals(op)) {
      String only = m.getString("only");
      String except = m.getString("except");
      JsonObject frame = m.getJsonObject("frame");
      boolean reliable = m.getBoolean("reliable", false);
      for (Connection c : List.copyOf(conns)) {
        if ((only == null || only.equals(c.id)) && !c.id.equals(except)) {
          c.push(frame, reliable);
        }
      }
    } else if (Pusher.OP_KICK.equals(op)) {
      String connId = m.getString("connId");
      NoticeCode code = NoticeCode.valueOf(m.getString("code", NoticeCode.KICKED.name()));
      for (Connection c : List.copyOf(conns)) {
        if (connId == null || connId.equals(c.id)) {
          closeWithNotice(c, code, code == NoticeCode.REPLACED ? "replaced by a newer connection" : "kicked by the service");
        }
      }
    }
  }

  private void kick(Route r, String appId, String userId, NoticeCode code, String why) {
    Connection local = byId.get(r.connId());
    if (local != null) {
      closeWithNotice(local, code, why);
    } else if (!r.gateway().equals(address)) {
      infra.pusher().kick(r.gateway(), appId, userId, r.connId(), code);
    }
  }

  private void closeWithNotice(Connection c, NoticeCode code, String why) {
    LOG.info("closing {}/{}/{} ({}): {}", c.appId(), c.userId(), c.who.deviceId(), c.id, code);
    c.kicked = code == NoticeCode.KICKED;
    c.notice(code, why, null);
    c.close(CloseCodes.REPLACED, code.name().toLowerCase());
  }

  /** HTTP API kick: 99 KICKED to the user's devices anywhere, and older signs refused from now on. */
  Future<Integer> kickUser(String appId, String userId, String deviceId) {
    long ttl = config.apps().get(appId).signTtlSeconds() * 1000L + KICK_RECORD_EXTRA_MS;
    return infra.kv().set(kickKey(appId, userId), Long.toString(System.currentTimeMillis()), ttl)
      .compose(v -> infra.pusher().kickUser(appId, userId, deviceId, NoticeCode.KICKED));
  }

  // ---- periodic work ----------------------------------------------------------------------------------------

  private void tick() {
    long now = System.currentTimeMillis();
    for (Iterator<Connection> it = withPending.iterator(); it.hasNext(); ) {
      Connection c = it.next();
      boolean keep;
      try {
        keep = !c.isClosed() && c.resendDue(now);
      } catch (RuntimeException e) {
        // one broken socket must not stop the resends of the others
        LOG.debug("resend to {}/{} ({}) failed: {}", c.appId(), c.userId(), c.id, e.toString());
        keep = false;
      }
      if (!keep) {
        it.remove();
      }
    }
    for (Connection c : List.copyOf(byId.values())) {
      if (now - c.lastActivity > c.who.app().idleTimeoutSeconds() * 1000L) {
        LOG.debug("closing idle {}/{}/{}", c.appId(), c.userId(), c.who.deviceId());
        c.close(CloseCodes.GOING_AWAY, "idle");
      }
    }
    if (handshakeBuckets.size() > 10_000 || now % 60_000 < TICK_MS) {
      handshakeBuckets.values().removeIf(b -> b.full(now));
    }
    if (now - lastTouch > ROUTE_TOUCH_MS) {
      lastTouch = now;
      Set<String> seen = new HashSet<>();
      for (Connection c : byId.values()) {
        if (seen.add(userKey(c.appId(), c.userId()))) {
          infra.directory().touch(c.appId(), c.userId());
        }
      }
    }
  }

  // ---- used by Connection and HttpApi -------------------------------------------------------------------------

  Future<JsonObject> request(String addr, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(addr, body, new DeliveryOptions().setSendTimeout(config.busTimeoutMs()))
      .map(Message::body);
  }

  /**
   * Acknowledged 140s go to chat as delivered marks; the acks of one event loop turn travel as one bus message
   * ({@code {items:[{ctx, messageIds}, ...]}}).
   */
  void delivered(Connection c, List<Long> messageIds) {
    JsonObject item = new JsonObject().put("ctx", c.ctx.toJson()).put("messageIds", new JsonArray(new ArrayList<>(messageIds)));
    JsonArray batch = deliveredBatches.current(context);
    batch.add(item);
    if (batch.size() >= MAX_DELIVERED_BATCH) {
      deliveredBatches.sendNow(context, batch);
    }
  }

  private void sendDelivered(JsonArray batch) {
    vertx.eventBus().send(Addresses.CHAT_DELIVERED, batch.size() == 1 ? batch.getJsonObject(0) : new JsonObject().put("items", batch));
  }

  void hasPending(Connection c) {
    withPending.add(c);
  }

  String nextUnique() {
    return "s" + instanceId + "-" + seq.incrementAndGet();
  }

  static ErrorCode errorOf(Throwable err) {
    if (err instanceof ProtocolException pe) {
      return pe.code();
    }
    if (err instanceof ReplyException re) {
      return switch (re.failureType()) {
        case TIMEOUT, NO_HANDLERS, ERROR -> ErrorCode.UNAVAILABLE;
        case RECIPIENT_FAILURE -> ErrorCode.fromBusCode(re.failureCode());
      };
    }
    return ErrorCode.UNAVAILABLE;
  }

  static String messageOf(Throwable err, ErrorCode code) {
    if (code == ErrorCode.UNAVAILABLE && err instanceof ReplyException re && re.failureType() != ReplyFailure.RECIPIENT_FAILURE) {
      return "service unavailable; retry with the same unique";
    }
    return err.getMessage() == null ? code.name() : err.getMessage();
  }

  Idempotency idempotency() {
    return idempotency;
  }

  GatewayMetrics metrics() {
    return metrics;
  }

  ServerConfig serverConfig() {
    return config;
  }

  Infra infra() {
    return infra;
  }

  String address() {
    return address;
  }

  String instanceId() {
    return instanceId;
  }

  Collection<Connection> connections() {
    return byId.values();
  }

  /** The actual listening port (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** Number of open sockets on this instance. */
  public int connectionCount() {
    return metrics.connections();
  }

  /** Readiness: false while shutting down. */
  public boolean accepting() {
    return !stopping;
  }
}
