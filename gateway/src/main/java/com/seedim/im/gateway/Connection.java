package com.seedim.im.gateway;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.proto.CloseCodes;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.NoticeCode;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * One client session. Inbound messages wait in a byte-bounded inbox (the socket is paused while it is full) and
 * are handled one after another in arrival order (PROTOCOL.md §1), each through decode → validate
 * ({@link FrameDecoder}) → rate limit → route ({@link ConnectionHost#dispatch}, or answered here: 20, 31, 141, 251)
 * → write (30, reply, self pushes, through {@link Outbound}). Runs on its gateway verticle's event loop only.
 */
final class Connection {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
  static final int MAX_ACK_IDS = 200;
  /** A closed socket whose peer does not complete the closing handshake loses its TCP connection after this. */
  static final long CLOSE_GRACE_MS = 5000;
  static final long SLOW_CLOSE_GRACE_MS = 1000;

  final String id;
  final Handshake.Identity who;
  final RequestContext ctx;
  final long connectedAt;
  long lastActivity;
  /** Closed by a 99 KICKED (the services tear rooms down with reason {@code kicked}). */
  boolean kicked;
  /** The route registration of this session (the session end waits for it). */
  io.vertx.core.Future<Void> registration;
  /** Left by a 251 (the services were told already). */
  boolean loggedOut;

  private final ConnectionHost host;
  private final Outbound out;
  private final TokenBucket frames;
  private final TokenBucket controls;
  private final AbuseMeter abuse = new AbuseMeter();
  private final Inbox inbox;
  private final MessageAssembler assembler;
  private final SessionMemory memory = new SessionMemory();
  private final MessageAssembler.Sink sink = new MessageAssembler.Sink() {
    @Override
    public void message(String textOrNull) {
      onMessage(textOrNull == null ? Inbox.BINARY : textOrNull);
    }

    @Override
    public void tooBig() {
      hostileClose(CloseCodes.TOO_BIG, "message too big");
    }
  };
  private boolean paused;
  private ServerWebSocket ws;
  private List<Object[]> held = new ArrayList<>();
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
    this.controls = new TokenBucket(host.limits().controlFramesPerSecond(), host.limits().controlFramesBurst(), now);
    this.out = new Outbound(this, host);
    this.inbox = new Inbox(host.limits().maxInboundBytes(), host.limits().inboundPauseBytes());
    this.assembler = new MessageAssembler(host.limits().wsMessageLimit(host.config().maxFrameBytes()));
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
    // frames, not messages: the gateway reassembles fragments itself (bounded by the message limit), because Vert.x
    // 5.0.7's aggregator drops an over-long message silently and wedges on an empty first fragment
    socket.frameHandler(this::onFrame);
    socket.exceptionHandler(this::onSocketError);
  }

  // ---- inbound ------------------------------------------------------------------------------------------

  /**
   * A framing error Netty found (RFC 6455 §7.4: 1002 protocol, 1007 invalid data, 1009 too big): Vert.x closes the
   * TCP connection right after this without a close frame, so the close code is written here first.
   */
  private void onSocketError(Throwable err) {
    if (err instanceof io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException c && c.closeStatus() != null) {
      hostileClose((short) c.closeStatus().code(), c.closeStatus().reasonText());
    } else {
      LOG.debug("socket {} of {}/{}: {}", id, appId(), userId(), err.toString());
    }
  }

  private void hostileClose(short code, String reason) {
    LOG.debug("closing {}/{}/{} ({}): framing error {} {}", appId(), userId(), deviceId(), id, code, reason);
    host.metrics().refused("framing");
    close(code, reason);
  }

  /**
   * Every frame, data and control: life for the idle rule; a text or binary message is reassembled from its fragments
   * (Netty has checked their order and UTF-8) up to the message limit, beyond which the socket is closed 1009;
   * pings and pongs beyond their rate count as abuse.
   */
  private void onFrame(WebSocketFrame f) {
    long now = System.currentTimeMillis();
    lastActivity = now;
    if (closed) {
      return;
    }
    if (f.isText() || f.isBinary() || f.isContinuation()) {
      assembler.onData(f, sink);
      return;
    }
    if ((f.isPing() || f.type() == io.vertx.core.http.WebSocketFrameType.PONG) && !controls.tryTake(now) && !closed) {
      host.metrics().error(ErrorCode.RATE_LIMITED);
      if (abuse.controlFlood(now)) {
        abusive("control frames beyond " + host.limits().controlFramesPerSecond() + " per second");
      }
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
      LOG.warn("closing {}/{}/{} ({}): {} bytes queued behind a frame in progress", appId(), userId(), deviceId(), id,
        inbox.bytes() + message.length());
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
    List<Object[]> h = held;
    held = null;
    if (h != null) {
      for (Object[] p : h) {
        push((JsonObject) p[0], (Boolean) p[1]);
      }
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
    FrameDecoder.Decoded d;
    try {
      if (text == Inbox.BINARY) {
        throw FrameDecoder.binary();
      }
      d = FrameDecoder.decode(text, host.config().maxFrameBytes());
    } catch (FrameDecoder.Refused r) {
      error(r.code, r.getMessage(), r.receiveMsgType, r.frame);
      return;
    }
    MsgType type = d.type();
    if (type == MsgType.ACK) {
      ack31(d.frame());
      return;
    }
    if (type == MsgType.PUSH_ACK) {
      ack141(d.frame());
      return;
    }
    if (type.rateLimited()) {
      if (!frames.tryTake(System.currentTimeMillis())) {
        error(ErrorCode.RATE_LIMITED, "more than " + who.app().framesPerSecond() + " frames per second", type.code(), d.frame());
        return;
      }
      abuse.withinRate();
    }
    host.metrics().frameType(type.code());
    switch (type) {
      case HEARTBEAT -> out.write(Frames.echo(Frames.frame(MsgType.HEARTBEAT_REPLY).put(Frames.TIMESTAMP, System.currentTimeMillis()), d.frame()));
      case LOGOUT -> logout(d.frame());
      default -> route(type, d.frame(), d.unique());
    }
  }

  private void logout(JsonObject frame) {
    writeAck(MsgType.LOGOUT, frame, null);
    out.write(Frames.echo(Frames.frame(MsgType.LOGOUT_REPLY), frame));
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
          writeResult(type, frame, ar.result());
        } else {
          ErrorCode c = Failures.codeOf(ar.cause());
          error(c, Failures.messageOf(ar.cause(), c), type.code(), frame);
        }
      }
      busy = false;
      drain();
    });
  }

  private void writeResult(MsgType type, JsonObject frame, JsonObject result) {
    if (!result.getBoolean(ServiceReply.NO_ACK, false)) {
      writeAck(type, frame, result.getJsonObject(ServiceReply.ACK));
    }
    JsonObject reply = result.getJsonObject(ServiceReply.REPLY);
    if (reply != null) {
      memory.observe(reply);
      out.write(Frames.echo(reply.copy(), frame));
    }
    if (type == MsgType.QUEUE_LEAVE) {
      memory.leftQueue();
    }
    JsonArray self = result.getJsonArray(ServiceReply.SELF);
    if (self != null) {
      for (Object o : self) {
        JsonObject p = (JsonObject) o;
        push(p.getJsonObject("frame"), p.getBoolean("reliable", false));
      }
    }
  }

  private void writeAck(MsgType type, JsonObject frame, JsonObject extra) {
    JsonObject ack = Frames.frame(MsgType.RECEIVED).put(Frames.RECEIVE_MSG_TYPE, type.code());
    if (extra != null) {
      ack.mergeIn(extra);
    }
    out.write(Frames.echo(ack, frame));
  }

  /** Writes one 10 error frame and applies the abuse rule (§3). */
  void error(ErrorCode code, String message, int receiveMsgType, JsonObject frame) {
    JsonObject err = Frames.error(code, message, receiveMsgType);
    if (frame != null) {
      Frames.echo(err, frame);
    }
    out.write(err);
    host.metrics().error(code);
    if (abuse.record(code, System.currentTimeMillis())) {
      abusive(AbuseMeter.LIMIT + " abusive errors within " + AbuseMeter.WINDOW_MS / 1000 + " s");
    }
  }

  private void abusive(String why) {
    LOG.warn("closing {}/{}/{} ({}): {}", appId(), userId(), deviceId(), id, why);
    host.metrics().refused("abuse");
    close(CloseCodes.POLICY_VIOLATION, "abuse");
  }

  // ---- acks -----------------------------------------------------------------------------------------------

  private void ack31(JsonObject frame) {
    Object u = frame.getValue(Frames.UNIQUE);
    if (u == null) {
      return;
    }
    Long delivered = out.ack(String.valueOf(u), userId());
    if (delivered != null) {
      host.delivered(this, List.of(delivered));
    }
  }

  private void ack141(JsonObject frame) {
    List<Long> ids;
    try {
      JsonArray arr = frame.getValue("messageIds") instanceof JsonArray a ? a : null;
      if (arr != null) {
        ids = Frames.messageIds(arr, "messageIds", MAX_ACK_IDS);
      } else {
        Long one = Frames.optMessageId(frame, "messageId");
        ids = one == null ? List.of() : List.of(one);
      }
    } catch (ProtocolException e) {
      return; // acks never get a reply
    }
    List<Long> delivered = out.ackMessages(ids, userId());
    if (!delivered.isEmpty()) {
      host.delivered(this, delivered);
    }
  }

  // ---- outbound -------------------------------------------------------------------------------------------

  /** A server push: held while the connect sequence runs (bounded), written at once afterwards. */
  void push(JsonObject frame, boolean reliable) {
    if (closed) {
      return;
    }
    if (held != null) {
      if (held.size() < host.limits().maxHeldPushes()) {
        held.add(new Object[] {frame, reliable});
      } else {
        LOG.debug("dropping a push for {}/{} ({}): {} held during its connect sequence", appId(), userId(), id, held.size());
      }
      return;
    }
    memory.observe(frame);
    out.push(frame, reliable);
  }

  /** Writes a push produced by the connect sequence itself (before the held ones). */
  void pushNow(JsonObject frame, boolean reliable) {
    if (!closed) {
      memory.observe(frame);
      out.push(frame, reliable);
    }
  }

  /**
   * Redis lost data: the queue place and the room this socket was told of are gone; it is told so (431
   * {@code waitIndex: -1}, 560 {@code reason: "lost"}). Returns what it was told.
   */
  List<SessionMemory.Push> storeLost() {
    List<SessionMemory.Push> lost = memory.lost(System.currentTimeMillis());
    for (SessionMemory.Push p : lost) {
      out.push(p.frame(), p.reliable());
    }
    return lost;
  }

  boolean attached() {
    return ws != null;
  }

  /** Sends a 99 notice. */
  void notice(NoticeCode code, String message, Long retryAfterMs) {
    JsonObject n = Frames.frame(MsgType.NOTICE).put(Frames.CODE, code.name()).put(Frames.MESSAGE, message)
      .put(Frames.UNIQUE, host.nextUnique()).put(Frames.TIMESTAMP, System.currentTimeMillis());
    if (retryAfterMs != null) {
      n.put("retryAfterMs", retryAfterMs);
    }
    out.write(n);
  }

  /** 99 REPLACED or KICKED, then close 4001 (clients must not reconnect automatically). */
  void closeWithNotice(NoticeCode code, String why) {
    LOG.info("closing {}/{}/{} ({}): {}", appId(), userId(), deviceId(), id, code);
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
    held = null;
  }

  /** Periodic: idle rule (§2), slow consumer. */
  void tick(long now) {
    if (closed || ws == null) {
      return;
    }
    if (now - lastActivity > who.app().idleTimeoutSeconds() * 1000L) {
      LOG.debug("closing idle {}/{}/{}", appId(), userId(), deviceId());
      close(CloseCodes.GOING_AWAY, "idle");
      return;
    }
    out.checkSlow(now);
  }
}
