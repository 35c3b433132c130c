package com.seedim.im.chat;

import com.seedim.im.chat.rules.ChatPermission;
import com.seedim.im.chat.rules.HistoryPaging;
import com.seedim.im.chat.rules.MessageFormatter;
import com.seedim.im.chat.rules.SensitiveWordFilter;
import com.seedim.im.chat.store.ChatMessage;
import com.seedim.im.chat.store.ChatStore;
import com.seedim.im.chat.store.NewMessage;
import com.seedim.im.common.bus.Outbox;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.RoomMembership;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The chat frames of PROTOCOL.md §5 (130 pipeline, 141 → 131, 160/198 → 199, 190 → 191/192, 161, 102, 180),
 * the connect replay (1170 heads, undelivered 140s) and the HTTP send/revoke. Persist first, then push (§4).
 */
final class ChatService {
  private static final Logger LOG = LoggerFactory.getLogger(ChatService.class);
  /** Refusals (L7): at most one INFO line per user per this interval, the rest at DEBUG. */
  static final long REFUSAL_LOG_INTERVAL_MS = 60_000;
  private static final int REFUSAL_LOG_USERS = 10_000;
  private final java.util.Map<String, Long> refusalLogged = new java.util.concurrent.ConcurrentHashMap<>();

  /** Logs a refused frame at INFO once per user per {@link #REFUSAL_LOG_INTERVAL_MS}, otherwise at DEBUG (audit L7). */
  private void logRefusal(String appId, String userId, String format, Object... args) {
    long now = System.currentTimeMillis();
    String key = appId + '\n' + userId;
    Long last = refusalLogged.get(key);
    if (last != null && now - last < REFUSAL_LOG_INTERVAL_MS) {
      LOG.debug(format, args);
      return;
    }
    if (refusalLogged.size() >= REFUSAL_LOG_USERS) {
      refusalLogged.clear();
    }
    refusalLogged.put(key, now);
    LOG.info(format + " (further refusals of this user for a minute at DEBUG)", args);
  }
  /** §4: a repeated 130 {@code unique} is the same message within this window. */
  static final long DEDUPE_WINDOW_MS = TimeUnit.HOURS.toMillis(24);
  /** 102: at most this many unread items. */
  static final int UNREAD_LIST_MAX = 200;
  /** 180: per-peer counts of at most this many peers. */
  static final int UNREAD_TOP_PEERS = 500;
  /** Device id recorded for messages sent through the HTTP API (not a valid device id, so never a collision). */
  static final String API_DEVICE = "";

  static final String RECEIVE_USER_ID = MessageFormatter.RECEIVE_USER_ID;
  static final String MESSAGE_ID = MessageFormatter.MESSAGE_ID;
  static final String RECEIVE_SIGN = "receiveSign";
  static final String RECEIVE_SIGN_TIME = "receiveSignTime";
  static final String SENDER = "sender";

  private final Infra infra;
  private final ChatStore store;
  private final RoomMembership rooms;
  private final SensitiveWords words;
  private final Map<String, MessageFormatter> formatters = new ConcurrentHashMap<>();

  ChatService(Infra infra, ChatStore store, SensitiveWords words) {
    this.infra = infra;
    this.rooms = RoomMembership.overBus(infra.vertx().eventBus(), infra.config().busTimeoutMs());
    this.store = store;
    this.words = words;
  }

  /** What a 130 (or POST /api/v1/messages) asks for, validated (§5 pipeline step 1). */
  record SendRequest(String receiver, String message, String contentType) {
    JsonObject echo(MsgType type) {
      return Frames.frame(type).put(RECEIVE_USER_ID, receiver).put(Frames.MESSAGE, message).put("contentType", contentType);
    }
  }

  AppConfig app(String appId) {
    AppConfig app = infra.config().apps().get(appId);
    if (app == null) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "unknown app");
    }
    return app;
  }

  MessageFormatter formatter(AppConfig app) {
    return formatters.computeIfAbsent(app.appId(), k -> new MessageFormatter(app));
  }

  SendRequest parseSend(RequestContext ctx, JsonObject frame) {
    String receiver = Frames.reqId(frame, RECEIVE_USER_ID);
    if (receiver.equals(ctx.userId())) {
      throw ProtocolException.invalid(RECEIVE_USER_ID, "cannot send a message to yourself");
    }
    Object raw = frame.getValue(Frames.MESSAGE);
    if (raw == null) {
      throw ProtocolException.missing(Frames.MESSAGE);
    }
    if (!(raw instanceof String message)) {
      throw ProtocolException.invalid(Frames.MESSAGE, "expected a string");
    }
    if (message.isEmpty()) {
      throw ProtocolException.invalid(Frames.MESSAGE, "must not be empty");
    }
    int max = infra.config().maxMessageChars();
    if (Frames.codePoints(message) > max) {
      throw new ProtocolException(ErrorCode.TOO_LARGE, "message is longer than " + max + " characters");
    }
    return new SendRequest(receiver, message, Frames.contentType(frame));
  }

  // ---- 130 -------------------------------------------------------------------------------------------------

  Future<ServiceReply> onSend(RequestContext ctx, JsonObject frame) {
    AppConfig app = app(ctx.appId());
    SendRequest req = parseSend(ctx, frame);
    String unique = Frames.unique(frame);
    return permitted(app, ctx.userId(), req.receiver(), frame).compose(allowed -> {
      if (!allowed) {
        logRefusal(ctx.appId(), ctx.userId(), "130 from {}/{} to {} refused: no chat permission", ctx.appId(), ctx.userId(),
          req.receiver());
        return Future.succeededFuture(ServiceReply.refused(req.echo(MsgType.CHAT_SIGN_EXPIRED)));
      }
      SensitiveWordFilter.Match match = words.filter(app).check(req.message());
      if (match.found() && !AppConfig.POLICY_MASK.equals(app.sensitivePolicy())) {
        logRefusal(ctx.appId(), ctx.userId(), "130 from {}/{} to {} refused: {} sensitive words", ctx.appId(), ctx.userId(),
          req.receiver(), match.words().size());
        JsonObject reply = req.echo(MsgType.SENSITIVE_WORD);
        if (app.revealSensitiveWords()) {
          reply.put("words", new JsonArray(new ArrayList<>(match.words())));
        }
        return Future.succeededFuture(ServiceReply.refused(reply));
      }
      return persistAndDeliver(ctx, app, req, match.masked(), unique)
        .map(sent -> ServiceReply.ok().ack(sent.ack()).self(sent.self()));
    });
  }

  /** Outcome of storing and pushing one message: the 30's extra fields and the pushes for the sending socket. */
  record Sent(JsonObject ack, JsonArray self) {
  }

  private Future<Sent> persistAndDeliver(RequestContext ctx, AppConfig app, SendRequest req, String content, String unique) {
    long now = System.currentTimeMillis();
    String device = ctx.deviceId() == null ? API_DEVICE : ctx.deviceId();
    NewMessage nm = new NewMessage(ctx.appId(), infra.ids().next(), ctx.userId(), req.receiver(), device, unique,
      NewMessage.hash(req.receiver(), req.contentType(), req.message()), content, req.contentType(), now);
    return store.insert(nm, now - DEDUPE_WINDOW_MS).compose(res -> {
      ChatMessage m = res.message();
      MessageFormatter fmt = formatter(app);
      JsonObject ack = new JsonObject().put(MESSAGE_ID, Long.toString(m.messageId()))
        .put(MessageFormatter.SEND_TIME, m.sendTime());
      if (!m.content().equals(req.message())) {
        ack.put(Frames.MESSAGE, fmt.content(m.content()));
      }
      if (res.duplicate()) {
        LOG.info("130 from {}/{}/{} is a repeat of message {}", ctx.appId(), ctx.userId(), device, m.messageId());
        return Future.succeededFuture(new Sent(ack, new JsonArray()));
      }
      Outbox out = new Outbox(infra.pusher(), ctx);
      JsonObject push = fmt.push(m);
      out.toUser(m.receiver(), push);
      out.toOthers(m.sender(), push.copy());
      JsonArray self = out.self();
      return out.flush()
        .recover(err -> {
          LOG.warn("message {} stored but its push failed (the sweeper retries): {}", m.messageId(), err.toString());
          return Future.succeededFuture();
        })
        .map(v -> new Sent(ack, self));
    });
  }

  /** §5 step 2: a valid sign (cached), a cached permission, or membership of one room. */
  private Future<Boolean> permitted(AppConfig app, String sender, String receiver, JsonObject frame) {
    if (!app.requireChatSign()) {
      return Future.succeededFuture(true);
    }
    String sign = Frames.optString(frame, RECEIVE_SIGN);
    Long ts = Frames.optLong(frame, Frames.TIMESTAMP);
    if (ts == null) {
      ts = Frames.optLong(frame, RECEIVE_SIGN_TIME);
    }
    ChatPermission.Verdict v = ChatPermission.verify(app, sender, receiver, sign, ts, System.currentTimeMillis());
    String key = ChatPermission.cacheKey(app.appId(), sender, receiver);
    if (v.valid()) {
      return infra.kv().set(key, "1", ChatPermission.cacheTtlMs(app, v)).map(true);
    }
    if (v != ChatPermission.Verdict.ABSENT) {
      logRefusal(app.appId(), sender, "chat sign of {}/{} for {}: {}", app.appId(), sender, receiver, v);
    }
    return infra.kv().get(key).compose(cached -> cached != null ? Future.succeededFuture(true)
      : rooms.shareRoom(app.appId(), sender, receiver));
  }

  /** POST /api/v1/messages: {ctx (sender), frame} → {messageId, sendTime}; no chat sign; reject → SENSITIVE_WORD. */
  Future<JsonObject> onApiSend(JsonObject body) {
    RequestContext ctx = RequestContext.of(body);
    JsonObject frame = body.getJsonObject("frame", new JsonObject());
    AppConfig app = app(ctx.appId());
    SendRequest req = parseSend(ctx, frame);
    SensitiveWordFilter.Match match = words.filter(app).check(req.message());
    if (match.found() && !AppConfig.POLICY_MASK.equals(app.sensitivePolicy())) {
      String detail = app.revealSensitiveWords() ? ": " + String.join(", ", match.words()) : "";
      throw new ProtocolException(ErrorCode.SENSITIVE_WORD, "the message contains sensitive words" + detail);
    }
    return persistAndDeliver(ctx, app, req, match.masked(), Frames.unique(frame)).map(Sent::ack);
  }

  // ---- 141 → 131 -------------------------------------------------------------------------------------------

  /** {ctx, messageIds} from a device that acked 140s: the receiver's acks mark delivered and tell the senders (131). */
  Future<JsonObject> onDelivered(JsonObject body) {
    JsonArray items = body.getJsonArray("items");
    if (items == null) {
      return deliveredOne(body);
    }
    List<Future<JsonObject>> all = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      all.add(deliveredOne(items.getJsonObject(i)));
    }
    return Future.join(all).transform(ar -> {
      int n = 0;
      for (Future<JsonObject> f : all) {
        n += f.succeeded() ? f.result().getInteger("delivered", 0) : 0;
      }
      return Future.succeededFuture(new JsonObject().put("delivered", n));
    });
  }

  /** One connection's acked 140s ({ctx, messageIds}): marked delivered, then 131 to each sender. */
  private Future<JsonObject> deliveredOne(JsonObject body) {
    RequestContext ctx = RequestContext.of(body);
    List<Long> ids = new ArrayList<>();
    JsonArray raw = body.getJsonArray("messageIds", new JsonArray());
    JsonObject probe = new JsonObject();
    for (Object o : raw) {
      try {
        Long id = Frames.optMessageId(probe.put(MESSAGE_ID, o), MESSAGE_ID);
        if (id != null) {
          ids.add(id);
        }
      } catch (ProtocolException e) {
        LOG.debug("ignoring malformed acked id {} from {}/{}", o, ctx.appId(), ctx.userId());
      }
    }
    return store.markDelivered(ctx.appId(), ctx.userId(), ids).compose(done -> {
      List<Future<Integer>> sent = new ArrayList<>(done.size());
      for (ChatMessage m : done) {
        sent.add(infra.pusher().toUser(ctx.appId(), m.sender(), MessageFormatter.delivered(m.messageId(), m.receiver())));
      }
      return Future.join(sent).otherwiseEmpty().map(v -> new JsonObject().put("delivered", done.size()));
    });
  }

  // ---- 198 / 160 → 199 -------------------------------------------------------------------------------------

  Future<ServiceReply> onRead(RequestContext ctx, JsonObject frame) {
    app(ctx.appId());
    long id = Frames.reqMessageId(frame, MESSAGE_ID);
    String named = Frames.optId(frame, RECEIVE_USER_ID);
    return store.message(ctx.appId(), id).compose(m -> {
      if (m == null || !m.involves(ctx.userId()) || (named != null && !named.equals(m.peerOf(ctx.userId())))) {
        throw new ProtocolException(ErrorCode.NOT_FOUND, "no such message in this conversation");
      }
      return markRead(ctx, m.peerOf(ctx.userId()), id);
    });
  }

  Future<ServiceReply> onView(RequestContext ctx, JsonObject frame) {
    app(ctx.appId());
    String peer = Frames.reqId(frame, RECEIVE_USER_ID);
    if (peer.equals(ctx.userId())) {
      throw ProtocolException.invalid(RECEIVE_USER_ID, "is yourself");
    }
    return markRead(ctx, peer, null);
  }

  private Future<ServiceReply> markRead(RequestContext ctx, String peer, Long upTo) {
    return store.markRead(ctx.appId(), ctx.userId(), peer, upTo, System.currentTimeMillis()).compose(r -> {
      if (!r.advanced()) {
        return Future.succeededFuture(ServiceReply.ok());
      }
      JsonObject notice = MessageFormatter.read(ctx.userId(), peer, r.readMessageId());
      Outbox out = new Outbox(infra.pusher(), ctx);
      out.toOthers(ctx.userId(), notice);
      out.toUser(peer, notice.copy());
      JsonArray self = out.self();
      return out.flush().otherwiseEmpty().map(v -> ServiceReply.ok().self(self));
    });
  }

  // ---- 190 → 191 / 192 -------------------------------------------------------------------------------------

  Future<ServiceReply> onRetract(RequestContext ctx, JsonObject frame) {
    AppConfig app = app(ctx.appId());
    long id = Frames.reqMessageId(frame, MESSAGE_ID);
    Frames.optId(frame, RECEIVE_USER_ID);
    return store.retract(ctx.appId(), ctx.userId(), id, System.currentTimeMillis(), app.retractSeconds()).compose(r -> {
      if (!r.changed()) {
        return Future.succeededFuture(ServiceReply.ok());
      }
      ChatMessage m = r.message();
      LOG.info("message {} of {}/{} retracted", m.messageId(), ctx.appId(), m.sender());
      Outbox out = new Outbox(infra.pusher(), ctx);
      out.toUser(m.sender(), MessageFormatter.retractedForSender(m.messageId(), m.receiver()));
      out.toUser(m.receiver(), MessageFormatter.retractedForReceiver(m.messageId(), m.sender()));
      JsonArray self = out.self();
      return out.flush().otherwiseEmpty().map(v -> ServiceReply.ok().self(self));
    });
  }

  // ---- queries: 161, 102, 180 ------------------------------------------------------------------------------

  Future<ServiceReply> onHistory(RequestContext ctx, JsonObject frame) {
    AppConfig app = app(ctx.appId());
    String peer = Frames.optId(frame, SENDER);
    if (peer == null) {
      peer = Frames.optId(frame, RECEIVE_USER_ID);
    }
    if (peer == null) {
      throw ProtocolException.missing(SENDER);
    }
    HistoryPaging paging = HistoryPaging.of(frame);
    MessageFormatter fmt = formatter(app);
    return store.history(ctx.appId(), ctx.userId(), peer, paging.beforeMessageId(), paging.offset(), paging.pageSize())
      .map(h -> {
        JsonArray items = new JsonArray();
        h.messages().forEach(m -> items.add(fmt.item(m, ctx.userId(), h.peerReadMessageId())));
        return ServiceReply.ok().reply(Frames.frame(MsgType.HISTORY_PAGE).put("messages", items).put("total", h.total())
          .put(HistoryPaging.PAGE_INDEX, paging.pageIndex()).put(HistoryPaging.PAGE_SIZE, paging.pageSize())
          .put("hasMore", h.hasMore()));
      });
  }

  Future<ServiceReply> onUnread(RequestContext ctx, JsonObject frame) {
    AppConfig app = app(ctx.appId());
    String peer = Frames.optId(frame, RECEIVE_USER_ID);
    MessageFormatter fmt = formatter(app);
    return store.unread(ctx.appId(), ctx.userId(), peer, UNREAD_LIST_MAX).map(u -> {
      JsonArray items = new JsonArray();
      u.messages().forEach(m -> items.add(fmt.item(m, ctx.userId(), 0)));
      return ServiceReply.ok().reply(Frames.frame(MsgType.UNREAD_MESSAGES).put("messages", items).put("total", u.total()));
    });
  }

  Future<ServiceReply> onUnreadTotal(RequestContext ctx, JsonObject frame) {
    app(ctx.appId());
    return store.unreadTotals(ctx.appId(), ctx.userId(), UNREAD_TOP_PEERS).map(t -> {
      JsonObject per = new JsonObject();
      t.perPeer().forEach(per::put);
      return ServiceReply.ok().reply(Frames.frame(MsgType.UNREAD_TOTAL).put("total", t.total()).put("unreadCounts", per));
    });
  }

  // ---- connect replay ----------------------------------------------------------------------------------------

  /** The {@code self} pushes of a new connection: 1170 heads newest first, then undelivered 140s oldest first. */
  Future<JsonArray> replay(AppConfig app, RequestContext ctx, Long headsSince) {
    MessageFormatter fmt = formatter(app);
    Future<List<ChatStore.Head>> heads = store.heads(ctx.appId(), ctx.userId(), headsSince, app.conversationHeads());
    Future<List<ChatMessage>> pending = store.undelivered(ctx.appId(), ctx.userId(), app.replayMax());
    return Future.all(heads, pending).map(v -> {
      JsonArray self = new JsonArray();
      for (ChatStore.Head h : heads.result()) {
        self.add(ServiceReply.push(fmt.head(h.conversation(), h.last(), ctx.userId()), false));
      }
      for (ChatMessage m : pending.result()) {
        self.add(ServiceReply.push(fmt.push(m), true));
      }
      return self;
    });
  }

  // ---- HTTP: chat permission revoke ------------------------------------------------------------------------

  /** DELETE /api/v1/chat-permission: {appId, userId, receiveUserId}. */
  Future<JsonObject> onRevoke(JsonObject body) {
    String appId = body.getString("appId");
    app(appId);
    String sender = Frames.reqId(body, "userId");
    String receiver = Frames.reqId(body, RECEIVE_USER_ID);
    return infra.kv().delete(ChatPermission.cacheKey(appId, sender, receiver)).map(v -> {
      LOG.info("chat permission {}/{} → {} revoked", appId, sender, receiver);
      return new JsonObject().put("revoked", true);
    });
  }

  // ---- sweeper ---------------------------------------------------------------------------------------------

  /** Re-pushes one undelivered message to its receiver (the sweeper). */
  Future<Integer> repush(ChatMessage m) {
    AppConfig app = infra.config().apps().get(m.appId());
    if (app == null) {
      return Future.succeededFuture(0);
    }
    return infra.pusher().toUser(m.appId(), m.receiver(), formatter(app).push(m), true, null);
  }
}
