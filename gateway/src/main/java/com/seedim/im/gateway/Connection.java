package com.seedim.im.gateway;

import com.seedim.im.common.infra.LogContext;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.proto.CloseCodes;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.NoticeCode;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * One client session. Inbound messages wait in a byte-bounded inbox (the socket is paused while it is full) and
 * are handled one after another in arrival order (PROTOCOL.md §1), each through decode and validate
 * ({@link FrameDecoder}) → admit (acks are taken at once, then the rate limit) → dispatch ({@link ConnectionHost#dispatch},
 * or answered here: 20, 251) → write ({@link Replies}: 30, reply, self pushes; all through {@link Outbound}). Runs on its
 * gateway verticle's event loop only.
 */
final class Connection {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
  /** A closed socket whose peer does not complete the closing handshake loses its TCP connection after this. */
  static final long CLOSE_GRACE_MS = 5000;
  static final long SLOW_CLOSE_GRACE_MS = 1000;

  final String id;
  final Handshake.Identity who;
  final RequestContext ctx;
  final long connectedAt;
  private long lastActivity;
  /** Closed by a 99 KICKED (the services tear rooms down with reason {@code kicked}). */
  boolean kicked;
  /** The route registration of this session (the session end waits for it). */
  Future<Void> registration;
  /** Left by a 251 (the services were told already). */
  boolean loggedOut;

  private final ConnectionHost host;
  private final Outbound out;
  private final TokenBucket frames;
  private final AbuseMeter abuse = new AbuseMeter();
  private final SocketReader reader;
  private final Inbox inbox;
  private final SessionMemory memory = new SessionMemory();
  private final Replies replies;
  private final Pushes pushes;
  private boolean paused;
  private ServerWebSocket ws;
  private boolean busy = true;
  private boolean closed;
  /** The socket's close handler ran (its TCP connection is gone). */
  private boolean socketGone;

  /** Makes the connection of an accepted identity (with a fresh id). */
  interface Factory {
    Connection create(Handshake.Identity who);
  }

  Connection(ConnectionHost host, String id, Handshake.Identity who, long now) {
    this.host = host;
    this.id = id;
    this.who = who;
    this.connectedAt = now;
    this.lastActivity = now;
    this.ctx = new RequestContext(who.app().appId(), who.userId(), who.deviceId(), who.role(), id, host.address());
    this.frames = new TokenBucket(who.app().framesPerSecond(), who.app().framesBurst(), now);
    this.reader = new SocketReader(host, abuse, new Reader(), this, now);
    this.out = new Outbound(this, host);
    this.pushes = new Pushes(out, memory, host.limits().maxHeldPushes(), this);
    this.replies = new Replies(out, memory, this::push);
    this.inbox = new Inbox(host.limits().maxInboundBytes(), host.limits().inboundPauseBytes());
  }

  /** How log lines name this socket (built only when a line is written). */
  @Override
  public String toString() {
    return appId() + "/" + userId() + "/" + deviceId() + " (" + id + ")";
  }

  /** This socket's app, user, device and connection id as log fields, for the lines of one statement. */
  LogContext logContext() {
    return LogContext.of(appId(), userId(), deviceId(), id);
  }

  String appId() {
    return who.app().appId();
  }

  String userId() {
    return who.userId();
  }

  String deviceId() {
    return who.deviceId();
  }

  boolean isClosed() {
    return closed;
  }

  Outbound out() {
    return out;
  }

  /** The upgrade succeeded: the socket's messages come here from now on (still queued until {@link #ready}). */
  void attach(ServerWebSocket socket) {
    this.ws = socket;
    out.attach(socket);
    reader.attach(socket);
  }

  // ---- inbound ------------------------------------------------------------------------------------------

  /** What the socket's frame layer finds: life for the idle rule, whole messages, framing errors, control floods. */
  private final class Reader implements SocketReader.Listener {
    @Override
    public boolean alive(long now) {
      lastActivity = now;
      return !closed;
    }

    @Override
    public void message(String textOrBinary) {
      onMessage(textOrBinary);
    }

    @Override
    public void framingError(short code, String reason) {
      if (LOG.isDebugEnabled()) {
        try (LogContext m = logContext()) {
          LOG.debug("closing {}: framing error {} {}", Connection.this, code, reason);
        }
      }
      host.metrics().refused("framing");
      close(code, reason);
    }

    @Override
    public void abusive(String why) {
      Connection.this.abusive(why);
    }
  }

  private void onMessage(String message) {
    if (closed) {
      return;
    }
    lastActivity = System.currentTimeMillis();
    host.metrics().frameIn();
    Inbox.Offer o = inbox.offer(message);
    if (o == Inbox.Offer.OVERFLOW) {
      try (LogContext m = logContext()) {
        LOG.warn("closing {}: {} bytes queued behind a frame in progress", this, inbox.bytes() + message.length());
      }
      host.metrics().refused("inbound_bytes");
      close(CloseCodes.POLICY_VIOLATION, "too much queued input");
      return;
    }
    if (o == Inbox.Offer.QUEUED_PAUSE && busy && !paused && ws != null) {
      paused = true;
      ws.pause(); // TCP backpressure until the inbox drains
    }
    drain();
  }

  /** The connect sequence is over: live pushes held meanwhile go out, queued frames are handled. */
  void ready() {
    if (!closed) {
      pushes.release();
    }
    busy = false;
    drain();
  }

  private void drain() {
    while (!busy && !closed && !inbox.isEmpty()) {
      handle(inbox.poll());
    }
    if (paused && !closed && inbox.canResume()) {
      paused = false;
      ws.resume();
    }
  }

  private void handle(String text) {
    FrameDecoder.Decoded d = decode(text);
    if (d != null && admit(d)) {
      dispatch(d);
    }
  }

  /** Decode and validate (§1, §3); a refused frame is answered with its 10 here. */
  private FrameDecoder.Decoded decode(String text) {
    try {
      if (text == Inbox.BINARY) {
        throw FrameDecoder.binary();
      }
      return FrameDecoder.decode(text, host.config().maxFrameBytes());
    } catch (FrameDecoder.Refused r) {
      error(r.code, r.getMessage(), r.receiveMsgType, r.frame);
      return null;
    }
  }

  /** Acks (31, 141) are taken at once and never limited; every other rate-limited frame takes a token (§3). */
  private boolean admit(FrameDecoder.Decoded d) {
    MsgType type = d.type();
    if (type == MsgType.ACK || type == MsgType.PUSH_ACK) {
      List<Long> delivered = type == MsgType.ACK ? Acks.of31(out, d.frame(), userId()) : Acks.of141(out, d.frame(), userId());
      if (!delivered.isEmpty()) {
        host.delivered(this, delivered);
      }
      return false;
    }
    if (type.rateLimited()) {
      if (!frames.tryTake(System.currentTimeMillis())) {
        error(ErrorCode.RATE_LIMITED, "more than " + who.app().framesPerSecond() + " frames per second", type.code(), d.frame());
        return false;
      }
      abuse.withinRate();
    }
    host.metrics().frameType(type.code());
    return true;
  }

  private void dispatch(FrameDecoder.Decoded d) {
    switch (d.type()) {
      case HEARTBEAT -> replies.heartbeat(d.frame());
      case LOGOUT -> logout(d.frame());
      default -> route(d.type(), d.frame(), d.unique());
    }
  }

  private void logout(JsonObject frame) {
    replies.loggedOut(frame);
    loggedOut = true;
    host.loggedOut(this);
    close(CloseCodes.NORMAL, "logout");
  }

  private void route(MsgType type, JsonObject frame, String unique) {
    busy = true;
    Future<JsonObject> f;
    try {
      f = host.dispatch(ctx, type, frame, unique);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      if (!closed) {
        if (ar.succeeded()) {
          replies.result(type, frame, ar.result());
        } else {
          ErrorCode c = Failures.codeOf(ar.cause());
          host.metrics().busFailure(ar.cause());
          error(c, Failures.messageOf(ar.cause(), c), type.code(), frame);
        }
      }
      busy = false;
      drain();
    });
  }

  /** Writes one 10 error frame and applies the abuse rule (§3). */
  private void error(ErrorCode code, String message, int receiveMsgType, JsonObject frame) {
    replies.error(code, message, receiveMsgType, frame);
    host.metrics().error(code);
    if (abuse.record(code, System.currentTimeMillis())) {
      abusive(AbuseMeter.LIMIT + " abusive errors within " + AbuseMeter.WINDOW_MS / 1000 + " s");
    }
  }

  private void abusive(String why) {
    try (LogContext m = logContext()) {
      LOG.warn("closing {}: {}", this, why);
    }
    host.metrics().refused("abuse");
    close(CloseCodes.POLICY_VIOLATION, "abuse");
  }

  // ---- outbound -------------------------------------------------------------------------------------------

  /** A server push: held while the connect sequence runs (bounded), written at once afterwards. */
  void push(ServerPush p) {
    if (!closed) {
      pushes.push(p);
    }
  }

  /** Writes a push produced by the connect sequence itself (before the held ones). */
  void pushNow(ServerPush p) {
    if (!closed) {
      pushes.write(p);
    }
  }

  /** Redis lost data: this socket is told what of its customer-service state is gone; returns what it was told. */
  List<ServerPush> storeLost() {
    return pushes.storeLost(System.currentTimeMillis());
  }

  boolean attached() {
    return ws != null;
  }

  /** Sends a 99 notice. */
  void notice(NoticeCode code, String message, Long retryAfterMs) {
    replies.notice(code, message, host.nextUnique(), retryAfterMs);
  }

  /** 99 REPLACED or KICKED, then close 4001 (clients must not reconnect automatically). */
  void closeWithNotice(NoticeCode code, String why) {
    try (LogContext m = logContext()) {
      LOG.info("closing {}: {}", this, code);
    }
    kicked = code == NoticeCode.KICKED;
    notice(code, why, null);
    close(CloseCodes.REPLACED, code.name().toLowerCase());
  }

  /**
   * Closes with a close frame. A peer that does not answer within {@link #CLOSE_GRACE_MS} (or, for a slow consumer,
   * {@link #SLOW_CLOSE_GRACE_MS}: its close frame waits behind unsent data) loses its TCP connection; a socket closed
   * for abuse or a limit is no longer read meanwhile.
   */
  void close(short code, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    inbox.clear();
    if (ws == null) {
      return;
    }
    boolean hostile = code == CloseCodes.POLICY_VIOLATION || code == CloseCodes.TOO_BIG || code == CloseCodes.SLOW_CONSUMER
      || code == CloseCodes.PROTOCOL_ERROR || code == CloseCodes.INVALID_DATA;
    if (hostile && !paused) {
      paused = true;
      ws.pause();
    }
    ws.close(code, reason);
    ServerWebSocket socket = ws;
    host.later(code == CloseCodes.SLOW_CONSUMER ? SLOW_CLOSE_GRACE_MS : CLOSE_GRACE_MS, () -> {
      if (!socketGone) {
        socket.resume(); // a paused socket would keep its close event queued behind unread frames
        WebSocketInternals.abort(socket);
      }
    });
  }

  /** Called from the socket's close handler (or when a connect sequence is abandoned). */
  void onClosed() {
    closed = true;
    socketGone = true;
    inbox.clear();
    out.clear();
    pushes.clear();
  }

  /** Periodic: idle rule (§2), slow consumer. */
  void tick(long now) {
    if (closed || ws == null) {
      return;
    }
    if (now - lastActivity > who.app().idleTimeoutSeconds() * 1000L) {
      if (LOG.isDebugEnabled()) {
        try (LogContext m = logContext()) {
          LOG.debug("closing idle {}/{}/{}", appId(), userId(), deviceId());
        }
      }
      close(CloseCodes.GOING_AWAY, "idle");
      return;
    }
    out.checkSlow(now);
  }
}
