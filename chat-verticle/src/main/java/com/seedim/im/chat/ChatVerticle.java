package com.seedim.im.chat;

import com.seedim.im.chat.store.ChatStore;
import com.seedim.im.chat.store.MemoryChatStore;
import com.seedim.im.chat.store.MySqlChatStore;
import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.Handlers;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The chat service (PROTOCOL.md §5) on the event bus: client frames 101, 102, 130, 160, 161, 180, 190, 198, the
 * session lifecycle (connect replay, presence), 141 acks, and the chat HTTP API. Starts only after the schema
 * migration ran and every consumer is registered.
 */
public class ChatVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ChatVerticle.class);
  /** PUT /api/v1/sensitive-words: at most this many words of at most this many characters. */
  static final int MAX_WORDS = 10_000;
  static final int MAX_WORD_CHARS = 100;

  private final Infra infra;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private ChatStore store;
  private SensitiveWords words;
  private ChatService chat;
  private PresenceService presence;
  private UndeliveredSweeper sweeper;
  private long sweepTimer = -1;

  public ChatVerticle(Infra infra) {
    this.infra = infra;
  }

  @Override
  public Future<?> start() {
    store = infra.durable() ? new MySqlChatStore(infra.mysql()) : infra.shared(MemoryChatStore.class, MemoryChatStore::new);
    words = new SensitiveWords(store);
    chat = new ChatService(infra, store, words);
    presence = new PresenceService(infra, store);
    sweeper = new UndeliveredSweeper(infra, store, chat);
    return store.migrate()
      .compose(v -> words.loadAll(infra.config().apps().all()))
      .compose(v -> register())
      .onSuccess(v -> {
        // chat.sweepPeriodMs / chat.sweepMinAgeMs: the protocol's 30 s by default; lowered by tests that wait for a sweep
        JsonObject chatCfg = infra.config().raw().getJsonObject("chat", new JsonObject());
        long minAge = chatCfg.getLong("sweepMinAgeMs", UndeliveredSweeper.MIN_AGE_MS);
        sweepTimer = vertx.setPeriodic(chatCfg.getLong("sweepPeriodMs", UndeliveredSweeper.PERIOD_MS),
          t -> sweeper.sweep(System.currentTimeMillis(), minAge));
        LOG.info("chat service started ({} store) on {}", infra.durable() ? "MySQL" : "memory", addresses());
      });
  }

  private Future<Void> register() {
    frame(MsgType.ONLINE_STATUS, (ctx, f) -> presence.onQuery(chat.app(ctx.appId()), ctx, f));
    frame(MsgType.UNREAD_MESSAGES, chat::onUnread);
    frame(MsgType.SEND, chat::onSend);
    frame(MsgType.VIEW_PEER, chat::onView);
    frame(MsgType.HISTORY, chat::onHistory);
    frame(MsgType.UNREAD_TOTAL, chat::onUnreadTotal);
    frame(MsgType.RETRACT, chat::onRetract);
    frame(MsgType.READ, chat::onRead);
    json(Addresses.CHAT_CONNECT, this::onConnect);
    json(Addresses.CHAT_DISCONNECT, this::onDisconnect);
    json(Addresses.CHAT_DELIVERED, chat::onDelivered);
    json(Addresses.CHAT_API_SEND, chat::onApiSend);
    json(Addresses.CHAT_API_PRESENCE, body -> {
      chat.app(body.getString("appId"));
      return presence.onApiQuery(body);
    });
    json(Addresses.CHAT_API_WORDS, this::onWords);
    json(Addresses.CHAT_API_REVOKE, chat::onRevoke);
    consume(Addresses.CHAT_WORDS_CHANGED, this::onWordsChanged);
    List<Future<Void>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    return Future.all(ready).mapEmpty();
  }

  private void frame(MsgType type, Handlers.FrameHandler h) {
    consume(type.address(), Handlers.frame("chat." + type.code(), h));
  }

  private void json(String address, Handlers.JsonHandler h) {
    consume(address, Handlers.json(address, h));
  }

  private <T> void consume(String address, Handler<Message<T>> h) {
    consumers.add(vertx.eventBus().consumer(address, h));
  }

  private List<String> addresses() {
    return consumers.stream().map(MessageConsumer::address).toList();
  }

  /** {ctx, firstDevice, headsSince?} → {self: [1170..., 140...]}; a first device also announces 200. */
  private Future<JsonObject> onConnect(JsonObject body) {
    RequestContext ctx = RequestContext.of(body);
    AppConfig app = chat.app(ctx.appId());
    Long headsSince = Frames.optLong(body, "headsSince");
    boolean first = body.getBoolean("firstDevice", false);
    return chat.replay(app, ctx, headsSince).map(self -> {
      presence.onConnect(app, ctx.userId(), first);
      return ServiceReply.ok().self(self).toJson();
    });
  }

  /** {ctx, lastDevice, logout}: the last device gone → 210 after the grace (at once for a logout). */
  private Future<JsonObject> onDisconnect(JsonObject body) {
    RequestContext ctx = RequestContext.of(body);
    AppConfig app = chat.app(ctx.appId());
    presence.onDisconnect(app, ctx.userId(), body.getBoolean("lastDevice", false), body.getBoolean("logout", false));
    return Future.succeededFuture(new JsonObject());
  }

  /** PUT /api/v1/sensitive-words: {appId, words} → persisted, applied here, then published to every chat node. */
  private Future<JsonObject> onWords(JsonObject body) {
    AppConfig app = chat.app(body.getString("appId"));
    Object raw = body.getValue("words");
    if (raw == null) {
      throw ProtocolException.missing("words");
    }
    if (!(raw instanceof JsonArray arr)) {
      throw ProtocolException.invalid("words", "expected an array of strings");
    }
    if (arr.size() > MAX_WORDS) {
      throw ProtocolException.invalid("words", "at most " + MAX_WORDS + " words");
    }
    List<String> list = new ArrayList<>(arr.size());
    for (Object o : arr) {
      if (!(o instanceof String w) || w.isBlank() || Frames.codePoints(w) > MAX_WORD_CHARS) {
        throw ProtocolException.invalid("words", "each word is a non-blank string of at most " + MAX_WORD_CHARS + " characters");
      }
      list.add(w);
    }
    return store.saveSensitiveWords(app.appId(), list)
      .compose(v -> words.reload(app))
      .map(v -> {
        vertx.eventBus().publish(Addresses.CHAT_WORDS_CHANGED, new JsonObject().put("appId", app.appId()));
        LOG.info("app {}: sensitive words replaced ({} words)", app.appId(), list.size());
        return new JsonObject().put("appId", app.appId()).put("count", list.size());
      });
  }

  private void onWordsChanged(Message<JsonObject> msg) {
    AppConfig app = infra.config().apps().get(msg.body().getString("appId"));
    if (app != null) {
      words.reload(app).onFailure(err -> LOG.warn("reloading sensitive words of {} failed: {}", app.appId(), err.toString()));
    }
  }

  /** Runs one undelivered sweep now (tests). */
  Future<Integer> sweepNow(long minAgeMs) {
    return sweeper.sweep(System.currentTimeMillis(), minAgeMs);
  }

  @Override
  public Future<?> stop() {
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    if (presence != null) {
      presence.close();
    }
    List<Future<Void>> all = new ArrayList<>();
    consumers.forEach(c -> all.add(c.unregister()));
    consumers.clear();
    return Future.join(all);
  }
}
