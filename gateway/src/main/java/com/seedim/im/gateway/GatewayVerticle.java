package com.seedim.im.gateway;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.msg.BusMessage;
import com.seedim.im.common.bus.msg.BusMessages;
import com.seedim.im.common.bus.msg.RedisReset;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.CloseCodes;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.NoticeCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway: terminates client WebSockets (PROTOCOL.md §2–§4) and the business HTTP API (§7), and delivers pushes
 * from the services that arrive on its own bus address ({@link Addresses#gateway}). This class only wires the
 * parts and runs the lifecycle: {@link Admission} (the door), {@link Handshakes} (connect requests),
 * {@link ConnectSequence} (session start and end), {@link SessionTable}, {@link PushInbox}, {@link Connection}
 * (one socket's pipeline, through the narrow {@link ConnectionHost}) with {@link Dispatcher} (the route step),
 * {@link GatewayTick} (periodic work), {@link StoreRecovery}, {@link KickRecords}, and {@link HttpApi} (through the
 * narrow {@link ApiPort}). One instance holds its sockets on one event loop; several instances (and nodes) scale it out.
 */
public class GatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  /** How often this instance tells the directory it is alive (its routes are dropped when it stops doing so). */
  static final long ALIVE_MS = 5000;
  /** Vert.x's own wait for a peer's answer to a close frame (the gateway's is {@link Connection#CLOSE_GRACE_MS}). */
  static final int WS_CLOSING_TIMEOUT_SECONDS = 5;

  private final Infra infra;
  private final ServerConfig config;
  private final GatewayLimits limits;
  private final String instanceId = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private final String address = Addresses.gateway(instanceId);
  private final AtomicLong seq = new AtomicLong();
  private final GatewayMetrics metrics = new GatewayMetrics(instanceId);
  private final SessionTable sessions = new SessionTable(metrics);
  private GatewayTick tick;
  private Dispatcher dispatcher;
  private ConnectSequence sequence;
  private Admission admission;
  private StoreRecovery recovery;
  private KickRecords kicks;
  private MessageConsumer<Object> resets;
  private HttpServer server;
  private MessageConsumer<Object> consumer;
  private long tickTimer = -1;
  private long aliveTimer = -1;
  private boolean stopping;

  public GatewayVerticle(Infra infra) {
    this.infra = infra;
    this.config = infra.config();
    this.limits = GatewayLimits.of(config);
  }

  @Override
  public Future<?> start() {
    dispatcher = new Dispatcher(vertx, config, new Idempotency(vertx, infra.kv(), config.busTimeoutMs()));
    sequence = new ConnectSequence(vertx, infra, sessions, dispatcher, address);
    admission = new Admission(vertx, config, limits, metrics);
    tick = new GatewayTick(sessions, admission, infra.directory());
    ConnectionHost host = new Host();
    Connection.Factory factory = who -> new Connection(host, instanceId + "-" + seq.incrementAndGet(), who, System.currentTimeMillis());
    kicks = new KickRecords(vertx, infra);
    Handshakes handshakes = new Handshakes(infra, kicks, admission, sessions, sequence, metrics, factory, () -> stopping);
    Router router = Router.router(vertx);
    for (String path : Handshake.PATHS) {
      router.get(path).handler(rc -> handshakes.onRequest(rc.request(), rc::next));
    }
    HttpApi.mount(router, config, limits, new Api());
    int wsLimit = limits.wsMessageLimit(config.maxFrameBytes());
    server = vertx.createHttpServer(new HttpServerOptions()
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(wsLimit)
        .setMaxWebSocketMessageSize(wsLimit)
        .setWebSocketClosingTimeout(WS_CLOSING_TIMEOUT_SECONDS)
        // Every request, response and socket write of a connection happens on its verticle's event loop, so the
        // HTTP connection needs no cross-thread outbound queue: strict mode saves its 1,024-slot MPSC queue
        // (about 4 KB) that Vert.x otherwise keeps for each upgraded WebSocket's lifetime.
        .setStrictThreadMode(true)
        .setHttp2ClearTextEnabled(false) // h2c would carry 100 streams per connection past the per-connection limits
        .setUseProxyProtocol(limits.proxyProtocol())
        .setIdleTimeout(limits.httpIdleSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS))
      .connectionHandler(admission::onConnection)
      .invalidRequestHandler(ApiResponses::invalidRequest)
      // WebSocket upgrades on the connect paths skip the router (its RoutingContext was ~9 % of a handshake's CPU)
      .requestHandler(req -> {
        admission.onRequest(req);
        if (req.method() == HttpMethod.GET && Handshake.PATHS.contains(req.path())
          && "websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
          handshakes.onRequest(req, () -> router.handle(req));
        } else {
          router.handle(req);
        }
      });
    recovery = new StoreRecovery(infra, sessions, address);
    resets = vertx.eventBus().localConsumer(Addresses.LOCAL_REDIS_RESET,
      m -> recovery.onReset(BusMessages.read(m.body(), RedisReset.class, RedisReset::fromJson).noticedAt()));
    PushInbox inbox = new PushInbox(sessions);
    consumer = vertx.eventBus().consumer(address, inbox::onMessage);
    tickTimer = vertx.setPeriodic(GatewayTick.periodMs(config.resendDelaysMs().get(0)), t -> tick.run(System.currentTimeMillis()));
    aliveTimer = vertx.setPeriodic(ALIVE_MS, t -> infra.directory().gatewayAlive(address)
      .onFailure(err -> LOG.warn("gateway {} could not refresh its liveness: {}", address, err.toString())));
    return Future.all(
        consumer.completion(),
        kicks.start(),
        infra.directory().gatewayAlive(address),
        server.listen(config.port(), config.host()))
      .onSuccess(v -> LOG.info("gateway {} listening on ws://{}:{}/ws, push address {}, limits {}",
        instanceId, config.host(), server.actualPort(), address, limits));
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
    List<Connection> all = new ArrayList<>(sessions.all());
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
      kicks.stop();
      return Future.join(server.close(), consumer.unregister(), resets.unregister(),
        infra.directory().gatewayGone(address).recover(err -> {
          LOG.warn("gateway {} could not mark itself gone: {}", instanceId, err.toString());
          return Future.succeededFuture();
        }));
    });
  }

  /** What a connection may ask of this gateway. */
  private final class Host implements ConnectionHost {
    @Override
    public ServerConfig config() {
      return config;
    }

    @Override
    public GatewayLimits limits() {
      return limits;
    }

    @Override
    public GatewayMetrics metrics() {
      return metrics;
    }

    @Override
    public String address() {
      return address;
    }

    @Override
    public Future<JsonObject> dispatch(RequestContext ctx, MsgType type, JsonObject frame, String unique) {
      return dispatcher.dispatch(ctx, type, frame, unique);
    }

    @Override
    public void delivered(Connection c, List<Long> messageIds) {
      dispatcher.delivered(context, c.ctx, messageIds);
    }

    @Override
    public void hasPending(Connection c) {
      tick.hasPending(c);
    }

    @Override
    public String nextUnique() {
      return "s" + instanceId + "-" + seq.incrementAndGet();
    }

    @Override
    public void later(long delayMs, Runnable task) {
      vertx.setTimer(delayMs, t -> task.run());
    }

    @Override
    public void loggedOut(Connection c) {
      tick.forget(c);
      sequence.loggedOut(c);
    }
  }

  /** What the HTTP API may ask of this gateway. */
  private final class Api implements ApiPort {
    @Override
    public Future<JsonObject> request(String address, BusMessage body) {
      return dispatcher.request(address, body);
    }

    @Override
    public Future<Integer> kickUser(String appId, String userId, String deviceId) {
      return kicks.kickUser(appId, userId, deviceId);
    }

    @Override
    public Future<Boolean> claimNonce(String appId, String nonce, long windowMs) {
      return infra.kv().setIfAbsent("nonce:" + appId + ":" + nonce, "1", windowMs);
    }

    @Override
    public long storeLossNoticedAt() {
      return recovery.lossNoticedAt();
    }

    @Override
    public String wsUrl() {
      return config.publicWsUrl() != null ? config.publicWsUrl() : "ws://" + config.host() + ":" + server.actualPort() + "/ws";
    }
  }

  /** This instance's push address (tests send it {@code GatewayMessage}s as JSON, as an older node would). */
  String address() {
    return address;
  }

  /** The actual listening port (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  /** Number of open sockets on this instance (the hostile tests wait on it). */
  public int connectionCount() {
    return metrics.connections();
  }

  /** Readiness: false while shutting down. */
  public boolean accepting() {
    return !stopping;
  }
}
