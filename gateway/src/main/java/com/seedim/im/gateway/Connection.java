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
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One client socket: frames are handled one after another in arrival order (PROTOCOL.md §1), each through
 * decode → validate → rate limit → local answer or bus request → 30 / reply / self pushes. Also holds the
 * socket's unacked reliable pushes (§4). Runs on the gateway verticle's event loop only.
 */
final class Connection {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
  /** Frames queued behind one in progress before the connection is considered abusive. */
  static final int MAX_QUEUED_FRAMES = 1000;
  /** How long a push stays ackable after its last resend. */
  static final long LAST_ACK_GRACE_MS = 10_000;
  static final int MAX_ACK_IDS = 200;

  private record Inbound(String text, boolean binary, boolean withinRate) {
  }

  private static final class Pending {
    final String unique;
    final String text;
    final long firstSent;
    final Long messageId;
    final String receiver;
    int resends;
    long nextAt;

    Pending(String unique, String text, long firstSent, Long messageId, String receiver, long nextAt) {
      this.unique = unique;
      this.text = text;
      this.firstSent = firstSent;
      this.messageId = messageId;
      this.receiver = receiver;
      this.nextAt = nextAt;
    }
  }

  final String id;
  final Handshake.Identity who;
  final RequestContext ctx;
  final ServerWebSocket ws;
  final long connectedAt;
  long lastActivity;
  boolean loggedOut;
  /** Closed by a 99 KICKED (the services tear rooms down with reason {@code kicked}). */
  boolean kicked;

  private final GatewayVerticle gw;
  private final TokenBucket bucket;
  private final AbuseMeter abuse = new AbuseMeter();
  private final ArrayDeque<Inbound> inbox = new ArrayDeque<>();
  private final LinkedHashMap<String, Pending> unacked = new LinkedHashMap<>();
  private final Map<Long, String> unackedByMessage = new HashMap<>();
  private List<Object[]> held = new ArrayList<>();
  private boolean busy = true;
  private boolean closed;

  Connection(GatewayVerticle gw, String id, Handshake.Identity who, ServerWebSocket ws, long now) {
    this.gw = gw;
    this.id = id;
    this.who = who;
    this.ws = ws;
    this.connectedAt = now;
    this.lastActivity = now;
    this.ctx = new RequestContext(who.app().appId(), who.userId(), who.deviceId(), who.role(), id, gw.address());
    this.bucket = new TokenBucket(who.app().framesPerSecond(), who.app().framesBurst(), now);
  }

  String appId() {
    return who.app().appId();
  }

  String userId() {
    return who.userId();
  }

  boolean isClosed() {
    return closed;
  }

  // ---- inbound ------------------------------------------------------------------------------------------

  void onText(String text) {
    onInbound(text, false);
  }

  void onBinary() {
    onInbound(null, true);
  }

  void onLife() {
    lastActivity = System.currentTimeMillis();
  }

  private void onInbound(String text, boolean binary) {
    if (closed) {
      return;
    }
    long now = System.currentTimeMillis();
    lastActivity = now;
    gw.metrics().frameIn();
    // Acks and heartbeats are not counted; a cheap look at the type is enough to know.
    boolean within = !countsForRate(text) || bucket.tryTake(now);
    if (inbox.size() >= MAX_QUEUED_FRAMES) {
      LOG.warn("closing {}/{}/{}: {} frames queued behind a slow request", appId(), userId(), who.deviceId(), inbox.size());
      close(CloseCodes.POLICY_VIOLATION, "too many queued frames");
      return;
    }
    inbox.add(new Inbound(text, binary, within));
    drain();
  }

  private static boolean countsForRate(String text) {
    if (text == null || text.length() > 256) {
      return true;
    }
    int i = text.indexOf("\"msgType\"");
    if (i < 0) {
      return true;
    }
    int j = text.indexOf(':', i);
    if (j < 0) {
      return true;
    }
    int k = j + 1;
    while (k < text.length() && (text.charAt(k) == ' ' || text.charAt(k) == '"')) {
      k++;
    }
    int end = k;
    while (end < text.length() && Character.isDigit(text.charAt(end))) {
      end++;
    }
    if (end == k || end - k > 4) {
      return true;
    }
    MsgType t = MsgType.of(Integer.parseInt(text.substring(k, end)));
    return t == null || t.rateLimited();
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
  }

  private void handle(Inbound in) {
    if (in.binary) {
      error(ErrorCode.INVALID_JSON, "binary frames are not accepted; send JSON text frames", 0, null);
      return;
    }
    int max = gw.serverConfig().maxFrameBytes();
    if (in.text.length() > max || (in.text.length() * 3L > max && in.text.getBytes(StandardCharsets.UTF_8).length > max)) {
      error(ErrorCode.TOO_LARGE, "frame larger than " + max + " bytes", 0, null);
      return;
    }
    JsonObject frame;
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(in.text);
      if (!(parsed instanceof JsonObject o)) {
        error(ErrorCode.INVALID_JSON, "a frame must be one JSON object", 0, null);
        return;
      }
      frame = o;
    } catch (DecodeException e) {
      error(ErrorCode.INVALID_JSON, "malformed JSON", 0, null);
      return;
    }
    int code;
    String unique;
    try {
      code = Frames.msgType(frame);
    } catch (ProtocolException e) {
      error(e.code(), e.getMessage(), 0, frame);
      return;
    }
    MsgType type = MsgType.of(code);
    if (type == MsgType.ACK) {
      ack31(frame);
      return;
    }
    if (type == MsgType.PUSH_ACK) {
      ack141(frame);
      return;
    }
    if (type == null || !type.fromClient()) {
      error(ErrorCode.UNKNOWN_MSG_TYPE, "unknown msgType " + code, code, frame);
      return;
    }
    try {
      unique = Frames.unique(frame);
    } catch (ProtocolException e) {
      error(e.code(), e.getMessage(), code, frame);
      return;
    }
    if (type.rateLimited()) {
      if (!in.withinRate) {
        error(ErrorCode.RATE_LIMITED, "more than " + who.app().framesPerSecond() + " frames per second", code, frame);
        return;
      }
      abuse.withinRate();
    }
    gw.metrics().frameType(code);
    switch (type) {
      case HEARTBEAT -> write(Frames.echo(Frames.frame(MsgType.HEARTBEAT_REPLY).put(Frames.TIMESTAMP, System.currentTimeMillis()), frame));
      case LOGOUT -> logout(frame, unique);
      default -> route(type, frame, unique);
    }
  }

  private void logout(JsonObject frame, String unique) {
    writeAck(MsgType.LOGOUT, frame, null);
    write(Frames.echo(Frames.frame(MsgType.LOGOUT_REPLY), frame));
    gw.logout(this);
    close(CloseCodes.NORMAL, "logout");
  }

  private void route(MsgType type, JsonObject frame, String unique) {
    busy = true;
    Future<JsonObject> f = type.idempotent() && type != MsgType.SEND && unique != null
      ? gw.idempotency().run(ctx, type, unique, () -> gw.request(type.address(), ctx.request(frame)))
      : gw.request(type.address(), ctx.request(frame));
    f.onComplete(ar -> {
      if (!closed) {
        if (ar.succeeded()) {
          writeResult(type, frame, ar.result());
        } else {
          ErrorCode c = GatewayVerticle.errorOf(ar.cause());
          error(c, GatewayVerticle.messageOf(ar.cause(), c), type.code(), frame);
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
      write(Frames.echo(reply.copy(), frame));
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
    write(Frames.echo(ack, frame));
  }

  /** Writes one 10 error frame and applies the abuse rule. */
  void error(ErrorCode code, String message, int receiveMsgType, JsonObject frame) {
    JsonObject err = Frames.error(code, message, receiveMsgType);
    if (frame != null) {
      Frames.echo(err, frame);
    }
    write(err);
    gw.metrics().error(code);
    if (abuse.record(code, System.currentTimeMillis())) {
      LOG.warn("closing {}/{}/{}: {} abusive errors within {} s", appId(), userId(), who.deviceId(), AbuseMeter.LIMIT,
        AbuseMeter.WINDOW_MS / 1000);
      close(CloseCodes.POLICY_VIOLATION, "abuse");
    }
  }

  // ---- acks -----------------------------------------------------------------------------------------------

  private void ack31(JsonObject frame) {
    Object u = frame.getValue(Frames.UNIQUE);
    if (u == null) {
      return;
    }
    Pending p = unacked.remove(String.valueOf(u));
    if (p != null && p.messageId != null) {
      unackedByMessage.remove(p.messageId);
      if (userId().equals(p.receiver)) {
        gw.delivered(this, List.of(p.messageId));
      }
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
    List<Long> delivered = new ArrayList<>(ids.size());
    for (Long id : ids) {
      String u = unackedByMessage.remove(id);
      if (u == null) {
        continue;
      }
      Pending p = unacked.remove(u);
      if (p != null && userId().equals(p.receiver)) {
        delivered.add(id);
      }
    }
    if (!delivered.isEmpty()) {
      gw.delivered(this, delivered);
    }
  }

  // ---- outbound -------------------------------------------------------------------------------------------

  /** Writes a server push with a fresh unique; reliable pushes are kept until acked (§4). */
  void push(JsonObject frame, boolean reliable) {
    if (closed) {
      return;
    }
    if (held != null) {
      held.add(new Object[] {frame, reliable});
      return;
    }
    pushNow(frame, reliable);
  }

  /** Writes a push during the connect sequence (not held). */
  void pushNow(JsonObject frame, boolean reliable) {
    if (closed) {
      return;
    }
    String unique = gw.nextUnique();
    JsonObject f = frame.copy().put(Frames.UNIQUE, unique);
    String text = f.encode();
    ws.writeTextMessage(text);
    gw.metrics().frameOut();
    if (reliable) {
      long now = System.currentTimeMillis();
      Long messageId = null;
      String receiver = null;
      if (f.getInteger(Frames.MSG_TYPE, 0) == MsgType.PUSH.code()) {
        try {
          messageId = Frames.optMessageId(f, "messageId");
          receiver = f.getString("receiveUserId");
        } catch (ProtocolException | ClassCastException e) {
          messageId = null;
        }
      }
      unacked.put(unique, new Pending(unique, text, now, messageId, receiver, now + gw.serverConfig().resendDelaysMs().get(0)));
      if (messageId != null) {
        unackedByMessage.put(messageId, unique);
      }
      gw.hasPending(this);
      if (unacked.size() > gw.serverConfig().maxUnackedPushes()) {
        LOG.warn("closing {}/{}/{}: {} unacked pushes (slow consumer)", appId(), userId(), who.deviceId(), unacked.size());
        close(CloseCodes.SLOW_CONSUMER, "slow consumer");
      }
    }
  }

  /** Resends due pushes; returns true while any remain unacked. */
  boolean resendDue(long now) {
    if (closed || ws.isClosed()) {
      return false; // the peer closed it; the close handler is on its way and forgets the pending pushes
    }
    List<Long> delays = gw.serverConfig().resendDelaysMs();
    for (Iterator<Pending> it = unacked.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (now < p.nextAt) {
        continue;
      }
      if (p.resends >= delays.size()) {
        it.remove();
        if (p.messageId != null) {
          unackedByMessage.remove(p.messageId);
        }
        continue;
      }
      if (!ws.writeQueueFull()) {
        ws.writeTextMessage(p.text);
        gw.metrics().resend();
      }
      p.resends++;
      p.nextAt = p.resends < delays.size() ? p.firstSent + delays.get(p.resends) : now + LAST_ACK_GRACE_MS;
    }
    return !unacked.isEmpty();
  }

  int unackedCount() {
    return unacked.size();
  }

  void write(JsonObject frame) {
    if (!closed) {
      ws.writeTextMessage(frame.encode());
      gw.metrics().frameOut();
    }
  }

  /** Sends a 99 notice. */
  void notice(NoticeCode code, String message, Long retryAfterMs) {
    JsonObject n = Frames.frame(MsgType.NOTICE).put(Frames.CODE, code.name()).put(Frames.MESSAGE, message)
      .put(Frames.UNIQUE, gw.nextUnique()).put(Frames.TIMESTAMP, System.currentTimeMillis());
    if (retryAfterMs != null) {
      n.put("retryAfterMs", retryAfterMs);
    }
    write(n);
  }

  void close(short code, String reason) {
    if (!closed) {
      closed = true;
      inbox.clear();
      ws.close(code, reason);
    }
  }

  /** Called from the socket's close handler. */
  void onClosed() {
    closed = true;
    inbox.clear();
    unacked.clear();
    unackedByMessage.clear();
    held = null;
  }
}
