package com.seedim.im.chat;

import com.seedim.im.chat.store.ChatMigrations;
import com.seedim.im.chat.store.ChatStore;
import com.seedim.im.chat.store.MemoryChatStore;
import com.seedim.im.chat.store.MessageEvents;
import com.seedim.im.chat.store.MySqlChatStore;
import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.Handlers;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.bus.msg.ApiQueries.PermissionRevoke;
import com.seedim.im.common.bus.msg.ApiQueries.PresenceQuery;
import com.seedim.im.common.bus.msg.ApiQueries.WordsChanged;
import com.seedim.im.common.bus.msg.ApiQueries.WordsUpdate;
import com.seedim.im.common.bus.msg.BusMessage;
import com.seedim.im.common.bus.msg.BusMessages;
import com.seedim.im.common.bus.msg.DeliveredAcks;
import com.seedim.im.common.bus.msg.FrameRequest;
import com.seedim.im.common.bus.msg.SessionClosed;
import com.seedim.im.common.bus.msg.SessionOpened;
import com.seedim.im.common.bus.msg.TranscriptQuery;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.AppRegistry;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.events.EventType;
import com.seedim.im.common.events.Events;
import com.seedim.im.common.events.EventsConfig;
import com.seedim.im.common.events.WebhookPoster;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The chat service (PROTOCOL.md §5) on the event bus: client frames 101, 102, 130, 160, 161, 180, 190, 198, the
 * session lifecycle (connect replay, presence), 141 acks, the chat HTTP API, and desk transcripts for the room
 * service (§14.5). Starts only after the schema
 * migration ran and every consumer is registered.
 */
public class ChatVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ChatVerticle.class);
  /** PUT /api/v1/sensitive-words: at most this many words of at most this many characters. */
  static final int MAX_WORDS = 10_000;
  static final int MAX_WORD_CHARS = 100;
  /** How often the node holding the undelivered-scan lease looks for messages that became undelivered. */
  static final long UNDELIVERED_SCAN_MS = 1000;

  private final Infra infra;
  private final AppRegistry apps;
  private final ChatConfig config;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private ChatStore store;
  private SensitiveWords words;
  private ChatService chat;
  private ChatQueries queries;
  private Transcripts transcripts;
  private DeliveryReceipts receipts;
  private PresenceService presence;
  private UndeliveredSweeper sweeper;
  private long sweepTimer = -1;
  private UndeliveredEvents undeliveredEvents;
  private long scanTimer = -1;
  private WebhookPoster poster;

  public ChatVerticle(Infra infra) {
    this.infra = infra;
    this.apps = infra.config().apps();
    this.config = ChatConfig.of(infra.config());
  }

  /** How many instances the launcher deploys ({@code chat.instances}, default one per core). */
  public static int instances(ServerConfig config) {
    return ChatConfig.of(config).instances();
  }

  /**
   * The one chat instance of a process that runs the undelivered sweeper (each message is claimed cluster-wide anyway;
   * this saves the other instances the reads). Released on stop, so a redeployed instance takes it over.
   */
  static final class SweeperClaim {
    private final AtomicReference<ChatVerticle> owner = new AtomicReference<>();

    boolean claim(ChatVerticle v) {
      return owner.compareAndSet(null, v);
    }

    void release(ChatVerticle v) {
      owner.compareAndSet(v, null);
    }

    boolean claimed() {
      return owner.get() != null;
    }
  }

  @Override
  public Future<?> start() {
    // one store per process, whatever the number of chat instances: one group commit, one memory in dev mode
    // message events are recorded by the store, in the transaction of each change (docs/webhooks.md)
    Events events = Events.of(infra);
    MessageEvents messageEvents = new MessageEvents(events.recorder());
    store = infra.durable()
      ? infra.shared(MySqlChatStore.class, () -> new MySqlChatStore(infra.mysql(), MySqlChatStore.DEFAULT_DEADLINE_MS, messageEvents))
      : infra.shared(MemoryChatStore.class, () -> new MemoryChatStore(messageEvents, events.store()));
    words = new SensitiveWords(store);
    Formatters formatters = new Formatters();
    poster = new WebhookPoster(vertx);
    chat = new ChatService(infra, store, words, formatters, infra.shared(PermissionCache.class, PermissionCache::new),
      new BeforeMessageHook(poster, infra.config().maxMessageChars()));
    EventsConfig eventsConfig = EventsConfig.of(infra.config());
    undeliveredEvents = new UndeliveredEvents(store, events.store(), events.recorder(),
      eventsConfig.undeliveredAfterSeconds() * 1000L, eventsConfig.leaseMs());
    queries = new ChatQueries(apps, store, formatters);
    transcripts = new Transcripts(apps, store, formatters);
    presence = new PresenceService(infra, store);
    receipts = new DeliveryReceipts(infra, store);
    sweeper = new UndeliveredSweeper(infra, store, chat);
    return migrate()
      .compose(v -> words.loadAll(apps.all()))
      .compose(v -> register())
      .onSuccess(v -> {
        if (infra.shared(SweeperClaim.class, SweeperClaim::new).claim(this)) {
          sweepTimer = vertx.setPeriodic(config.sweepPeriodMs(),
            t -> sweeper.sweep(System.currentTimeMillis(), config.sweepMinAgeMs()));
          boolean anyRecords = apps.all().stream().anyMatch(a -> a.webhooks().records(EventType.MESSAGE_UNDELIVERED));
          if (anyRecords) {
            scanTimer = vertx.setPeriodic(UNDELIVERED_SCAN_MS,
              t -> undeliveredEvents.tick(System.currentTimeMillis(), true));
          }
        }
        LOG.info("chat service started ({} store) on {}", infra.durable() ? "MySQL" : "memory", addresses());
      });
  }

  /** Durable: the schema's migrations, off the event loop, before anything is served (dev mode has no schema). */
  private Future<Void> migrate() {
    return ChatMigrations.migrate(vertx, infra);
  }

  /** Every consumer, named by its address (the {@link Handlers} naming rule). */
  private Future<Void> register() {
    frame(MsgType.ONLINE_STATUS, (ctx, f) -> presence.onQuery(apps.require(ctx.appId()), ctx, f));
    frame(MsgType.UNREAD_MESSAGES, queries::onUnread);
    frame(MsgType.SEND, chat::onSend);
    frame(MsgType.VIEW_PEER, chat::onView);
    frame(MsgType.HISTORY, queries::onHistory);
    frame(MsgType.UNREAD_TOTAL, queries::onUnreadTotal);
    frame(MsgType.RETRACT, chat::onRetract);
    frame(MsgType.READ, chat::onRead);
    message(Addresses.CHAT_CONNECT, SessionOpened.class, SessionOpened::fromJson, this::onConnect);
    message(Addresses.CHAT_DISCONNECT, SessionClosed.class, SessionClosed::fromJson, this::onDisconnect);
    message(Addresses.CHAT_DELIVERED, DeliveredAcks.class, DeliveredAcks::fromJson, receipts::onDelivered);
    message(Addresses.CHAT_API_SEND, FrameRequest.class, FrameRequest::fromJson, chat::onApiSend);
    message(Addresses.CHAT_API_PRESENCE, PresenceQuery.class, PresenceQuery::fromJson,
      q -> presence.onApiQuery(apps.require(q.appId()), q));
    message(Addresses.CHAT_API_WORDS, WordsUpdate.class, WordsUpdate::fromJson, this::onWords);
    message(Addresses.CHAT_TRANSCRIPT, TranscriptQuery.class, TranscriptQuery::fromJson, transcripts::onQuery);
    message(Addresses.CHAT_API_REVOKE, PermissionRevoke.class, PermissionRevoke::fromJson, chat::onRevoke);
    consume(Addresses.CHAT_PERMISSION_REVOKED, msg -> chat.onRevoked(BusMessages.read(msg.body(),
      PermissionRevoke.class, PermissionRevoke::fromJson)));
    consume(Addresses.CHAT_WORDS_CHANGED, msg -> onWordsChanged(BusMessages.read(msg.body(), WordsChanged.class,
      WordsChanged::fromJson)));
    List<Future<Void>> ready = new ArrayList<>();
    consumers.forEach(c -> ready.add(c.completion()));
    return Future.all(ready).mapEmpty();
  }

  private void frame(MsgType type, Handlers.FrameHandler h) {
    consume(type.address(), Handlers.frame(type.address(), h));
  }

  private <T extends BusMessage, R> void message(String address, Class<T> type, Function<JsonObject, T> fromJson,
                                                 Handlers.MessageHandler<T, R> h) {
    consume(address, Handlers.message(address, type, fromJson, h));
  }

  private void consume(String address, Handler<Message<Object>> h) {
    consumers.add(vertx.eventBus().consumer(address, h));
  }

  private List<String> addresses() {
    return consumers.stream().map(MessageConsumer::address).toList();
  }

  /** A device connected: its 1170 heads and undelivered 140s to replay; a first device also announces 200. */
  private Future<ServiceReply> onConnect(SessionOpened opened) {
    RequestContext ctx = opened.ctx();
    AppConfig app = apps.require(ctx.appId());
    return queries.replay(app, ctx, opened.headsSince(), opened.firstDevice()).map(r -> {
      presence.onConnect(app, ctx.userId(), opened.firstDevice(), r.recentPeers(), opened.leftAgoMs());
      return ServiceReply.ok().self(r.self());
    });
  }

  /** A device gone: the last one → 210 after the grace (at once for a logout). */
  private Future<JsonObject> onDisconnect(SessionClosed closed) {
    RequestContext ctx = closed.ctx();
    AppConfig app = apps.require(ctx.appId());
    presence.onDisconnect(app, ctx.userId(), closed.lastDevice(), closed.logout());
    return Future.succeededFuture(new JsonObject());
  }

  /** PUT /api/v1/sensitive-words: the app's list, persisted, applied here, then published to every chat node. */
  private Future<JsonObject> onWords(WordsUpdate update) {
    AppConfig app = apps.require(update.appId());
    List<String> list = update.words();
    if (list.size() > MAX_WORDS) {
      throw ProtocolException.invalid("words", "at most " + MAX_WORDS + " words");
    }
    for (String w : list) {
      if (w.isBlank() || Frames.codePoints(w) > MAX_WORD_CHARS) {
        throw ProtocolException.invalid("words", "each word is a non-blank string of at most " + MAX_WORD_CHARS + " characters");
      }
    }
    return store.saveSensitiveWords(app.appId(), list)
      .compose(v -> words.reload(app))
      .map(v -> {
        vertx.eventBus().publish(Addresses.CHAT_WORDS_CHANGED, new WordsChanged(app.appId()));
        LOG.info("app {}: sensitive words replaced ({} words)", app.appId(), list.size());
        return new JsonObject().put("appId", app.appId()).put("count", list.size());
      });
  }

  private void onWordsChanged(WordsChanged changed) {
    AppConfig app = apps.get(changed.appId());
    if (app != null) {
      words.reload(app).onFailure(err -> LOG.warn("reloading sensitive words of {} failed: {}", app.appId(), err.toString()));
    }
  }

  /** Runs one undelivered-events scan now (tests). */
  Future<Integer> scanUndeliveredNow() {
    return undeliveredEvents.tick(System.currentTimeMillis(), true);
  }

  /** Runs one undelivered sweep now (tests). */
  Future<Integer> sweepNow(long minAgeMs) {
    return sweeper.sweep(System.currentTimeMillis(), minAgeMs);
  }

  @Override
  public Future<?> stop() {
    List<Future<?>> closing = new ArrayList<>();
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
      infra.shared(SweeperClaim.class, SweeperClaim::new).release(this);
    }
    if (scanTimer >= 0) {
      vertx.cancelTimer(scanTimer);
      closing.add(undeliveredEvents.release().otherwiseEmpty());
    }
    if (poster != null) {
      closing.add(poster.close().otherwiseEmpty());
    }
    if (presence != null) {
      presence.close();
    }
    consumers.forEach(c -> closing.add(c.unregister()));
    consumers.clear();
    return Future.join(closing);
  }
}
