package com.seedim.im.chat;

import com.seedim.im.chat.rules.ChatPermission;
import com.seedim.im.chat.rules.MessageFormatter;
import com.seedim.im.chat.rules.SensitiveWordFilter;
import com.seedim.im.chat.store.ChatMessage;
import com.seedim.im.chat.store.ChatStore;
import com.seedim.im.chat.store.NewMessage;
import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.Outbox;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.RoomMembership;
import com.seedim.im.common.store.DeskGrants;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.bus.msg.ApiQueries;
import com.seedim.im.common.bus.msg.FrameRequest;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.AppRegistry;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The chat frames of PROTOCOL.md §5 that write (130 pipeline, 160/198 → 199, 190 → 191/192), the HTTP send and revoke,
 * and the sweeper's re-push. Persist first, then push (§4). Reads are {@link ChatQueries}', 141 → 131
 * {@link DeliveryReceipts}'.
 */
final class ChatService {
  private static final Logger LOG = LoggerFactory.getLogger(ChatService.class);
  /** Refusals (L7): at most one INFO line per user per this interval, the rest at DEBUG. */
  static final long REFUSAL_LOG_INTERVAL_MS = 60_000;
  private static final int REFUSAL_LOG_USERS = 10_000;
  private final Map<String, Long> refusalLogged = new ConcurrentHashMap<>();

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
  static final String RECEIVE_USER_ID = MessageFormatter.RECEIVE_USER_ID;
  static final String MESSAGE_ID = MessageFormatter.MESSAGE_ID;
  static final String RECEIVE_SIGN = "receiveSign";
  static final String RECEIVE_SIGN_TIME = "receiveSignTime";

  private final Infra infra;
  private final AppRegistry apps;
  private final ChatStore store;
  private final RoomMembership rooms;
  private final SensitiveWords words;
  private final Formatters formatters;
  private final PermissionCache permissions;
  private final BeforeMessageHook hook;

  ChatService(Infra infra, ChatStore store, SensitiveWords words, Formatters formatters, PermissionCache permissions,
              BeforeMessageHook hook) {
    this.permissions = permissions;
    this.hook = hook;
    this.infra = infra;
    this.apps = infra.config().apps();
    this.rooms = RoomMembership.overBus(infra.vertx().eventBus(), infra.config().busTimeoutMs());
    this.store = store;
    this.words = words;
    this.formatters = formatters;
  }

  /** What a 130 (or POST /api/v1/messages) asks for, validated (§5 pipeline step 1). */
  record SendRequest(String receiver, String message, String contentType) {
    JsonObject echo(MsgType type) {
      return Frames.frame(type).put(RECEIVE_USER_ID, receiver).put(Frames.MESSAGE, message).put("contentType", contentType);
    }
  }

  SendRequest parseSend(RequestContext ctx, JsonObject frame) {
    String receiver = Frames.reqId(frame, RECEIVE_USER_ID);
    if (receiver.equals(ctx.userId())) {
      throw ProtocolException.invalid(RECEIVE_USER_ID, "cannot send a message to yourself");
    }
    String message = Frames.reqText(frame, Frames.MESSAGE, infra.config().maxMessageChars(), "a message");
    return new SendRequest(receiver, message, Frames.contentType(frame));
  }

  // ---- 130 -------------------------------------------------------------------------------------------------

  Future<ServiceReply> onSend(RequestContext ctx, JsonObject frame) {
    AppConfig app = apps.require(ctx.appId());
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
      // the app's own check last, on what would be stored (docs/webhooks.md, "before.message")
      return hook.ask(app, ctx, req.receiver(), match.masked(), req.contentType(), unique)
        .compose(verdict -> persistAndDeliver(ctx, app, req, verdict.content(), unique))
        .map(sent -> ServiceReply.ok().ack(sent.ack()).self(sent.self()));
    });
  }

  /** Outcome of storing and pushing one message: the 30's extra fields and the pushes for the sending socket. */
  record Sent(JsonObject ack, JsonArray self) {
  }

  private Future<Sent> persistAndDeliver(RequestContext ctx, AppConfig app, SendRequest req, String content, String unique) {
    long now = System.currentTimeMillis();
    String device = ctx.deviceId();
    NewMessage nm = new NewMessage(ctx.appId(), infra.ids().next(), ctx.userId(), req.receiver(), device, unique,
      NewMessage.hash(req.receiver(), req.contentType(), req.message()), content, req.contentType(), now);
    return store.insert(nm, now - DEDUPE_WINDOW_MS).compose(res -> {
      ChatMessage m = res.message();
      MessageFormatter fmt = formatters.of(app);
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
    long now = System.currentTimeMillis();
    ChatPermission.Verdict v = ChatPermission.verify(app, sender, receiver, sign, ts, now);
    String key = ChatPermission.cacheKey(app.appId(), sender, receiver);
    if (v.valid()) {
      long ttl = ChatPermission.cacheTtlMs(app, v);
      if (!permissions.needsWrite(key, now, ttl)) {
        return Future.succeededFuture(true);
      }
      return infra.kv().set(key, "1", ttl).map(x -> {
        permissions.confirmed(key, now + ttl, now);
        return true;
      });
    }
    if (v != ChatPermission.Verdict.ABSENT) {
      logRefusal(app.appId(), sender, "chat sign of {}/{} for {}: {}", app.appId(), sender, receiver, v);
    }
    if (permissions.allowed(key, now)) {
      return Future.succeededFuture(true);
    }
    String reply = DeskGrants.replyKey(app.appId(), sender, receiver);
    if (permissions.allowed(reply, now)) {
      return Future.succeededFuture(true);
    }
    return infra.kv().get(key).compose(cached -> {
      if (cached != null) {
        permissions.confirmed(key, now + PermissionCache.CONFIRM_MS, now);
        return Future.succeededFuture(true);
      }
      // a left message this agent took (§14.4): chat both ways for leftMessageReplyDays
      return infra.kv().get(reply).compose(granted -> {
        if (granted != null) {
          permissions.confirmed(reply, now + PermissionCache.CONFIRM_MS, now);
          return Future.succeededFuture(true);
        }
        return rooms.shareRoom(app.appId(), sender, receiver);
      });
    });
  }

  /**
   * POST /api/v1/messages: the sender's context ({@code RequestContext.API_DEVICE}) and the body as a 130 →
   * {messageId, sendTime}; no chat sign; reject → SENSITIVE_WORD.
   */
  Future<JsonObject> onApiSend(FrameRequest request) {
    RequestContext ctx = request.ctx();
    JsonObject frame = request.frame();
    AppConfig app = apps.require(ctx.appId());
    SendRequest req = parseSend(ctx, frame);
    SensitiveWordFilter.Match match = words.filter(app).check(req.message());
    if (match.found() && !AppConfig.POLICY_MASK.equals(app.sensitivePolicy())) {
      String detail = app.revealSensitiveWords() ? ": " + String.join(", ", match.words()) : "";
      throw new ProtocolException(ErrorCode.SENSITIVE_WORD, "the message contains sensitive words" + detail);
    }
    return persistAndDeliver(ctx, app, req, match.masked(), Frames.unique(frame)).map(Sent::ack);
  }

  // ---- 198 / 160 → 199 -------------------------------------------------------------------------------------

  Future<ServiceReply> onRead(RequestContext ctx, JsonObject frame) {
    apps.require(ctx.appId());
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
    apps.require(ctx.appId());
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
    AppConfig app = apps.require(ctx.appId());
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

  // ---- HTTP: chat permission revoke ------------------------------------------------------------------------

  /** DELETE /api/v1/chat-permission: the ids were checked by the gateway's API. */
  Future<JsonObject> onRevoke(ApiQueries.PermissionRevoke revoke) {
    String appId = apps.require(revoke.appId()).appId();
    String sender = revoke.userId();
    String receiver = revoke.receiveUserId();
    String key = ChatPermission.cacheKey(appId, sender, receiver);
    permissions.revoked(key);
    return infra.kv().delete(key).map(v -> {
      permissions.revoked(key); // a send that read the record before the delete may have confirmed it meanwhile
      infra.vertx().eventBus().publish(Addresses.CHAT_PERMISSION_REVOKED, revoke);
      LOG.info("chat permission {}/{} → {} revoked", appId, sender, receiver);
      return new JsonObject().put("revoked", true);
    });
  }

  /** Another chat node (or instance) revoked a permission: forget this process's copy. */
  void onRevoked(ApiQueries.PermissionRevoke revoke) {
    permissions.revoked(ChatPermission.cacheKey(revoke.appId(), revoke.userId(), revoke.receiveUserId()));
  }

  // ---- sweeper ---------------------------------------------------------------------------------------------

  /** Re-pushes one undelivered message to its receiver (the sweeper). */
  Future<Integer> repush(ChatMessage m) {
    AppConfig app = apps.get(m.appId());
    if (app == null) {
      return Future.succeededFuture(0);
    }
    return infra.pusher().toUser(m.appId(), m.receiver(), formatters.of(app).push(m), true, null);
  }
}
