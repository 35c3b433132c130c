package com.seedim.im.chat;

import com.seedim.im.chat.rules.HistoryPaging;
import com.seedim.im.chat.rules.MessageFormatter;
import com.seedim.im.chat.store.ChatMessage;
import com.seedim.im.chat.store.ChatStore;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.AppRegistry;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The read side of chat (PROTOCOL.md §5): 161 history, 102 unread messages, 180 unread totals, and what a new
 * connection replays (1170 heads, undelivered 140s). Nothing here writes.
 */
final class ChatQueries {
  /** 102: at most this many unread items. */
  static final int UNREAD_LIST_MAX = 200;
  /** 180: per-peer counts of at most this many peers. */
  static final int UNREAD_TOP_PEERS = 500;
  private static final String SENDER = "sender";
  private static final String RECEIVE_USER_ID = MessageFormatter.RECEIVE_USER_ID;

  private final AppRegistry apps;
  private final ChatStore store;
  private final Formatters formatters;

  ChatQueries(AppRegistry apps, ChatStore store, Formatters formatters) {
    this.apps = apps;
    this.store = store;
    this.formatters = formatters;
  }

  Future<ServiceReply> onHistory(RequestContext ctx, JsonObject frame) {
    AppConfig app = apps.require(ctx.appId());
    String peer = Frames.optId(frame, SENDER);
    if (peer == null) {
      peer = Frames.optId(frame, RECEIVE_USER_ID);
    }
    if (peer == null) {
      throw ProtocolException.missing(SENDER);
    }
    HistoryPaging paging = HistoryPaging.of(frame);
    MessageFormatter fmt = formatters.of(app);
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
    AppConfig app = apps.require(ctx.appId());
    String peer = Frames.optId(frame, RECEIVE_USER_ID);
    MessageFormatter fmt = formatters.of(app);
    return store.unread(ctx.appId(), ctx.userId(), peer, UNREAD_LIST_MAX).map(u -> {
      JsonArray items = new JsonArray();
      u.messages().forEach(m -> items.add(fmt.item(m, ctx.userId(), 0)));
      return ServiceReply.ok().reply(Frames.frame(MsgType.UNREAD_MESSAGES).put("messages", items).put("total", u.total()));
    });
  }

  Future<ServiceReply> onUnreadTotal(RequestContext ctx, JsonObject frame) {
    apps.require(ctx.appId());
    return store.unreadTotals(ctx.appId(), ctx.userId(), UNREAD_TOP_PEERS).map(t -> {
      JsonObject per = new JsonObject();
      t.perPeer().forEach(per::put);
      return ServiceReply.ok().reply(Frames.frame(MsgType.UNREAD_TOTAL).put("total", t.total()).put("unreadCounts", per));
    });
  }

  /** The {@code self} pushes of a new connection: 1170 heads newest first, then undelivered 140s oldest first. */
  /** What a connect replays (1170 heads, undelivered 140s) and, when {@code firstDevice}, the peers it may tell. */
  record Replay(JsonArray self, List<String> recentPeers) {
  }

  /**
   * One store read for the whole connect: heads, undelivered messages and, for a first device (which may announce
   * 200), its recent peers (the contacts {@link PresenceService} tells).
   */
  Future<Replay> replay(AppConfig app, RequestContext ctx, Long headsSince, boolean firstDevice) {
    MessageFormatter fmt = formatters.of(app);
    long now = System.currentTimeMillis();
    ChatStore.ConnectAsk ask = new ChatStore.ConnectAsk(ctx.appId(), ctx.userId(), headsSince, app.conversationHeads(),
      app.replayMax(), PresenceService.contactsSince(now), firstDevice ? PresenceService.MAX_CONTACTS : 0);
    return store.connectRead(ask).map(read -> {
      JsonArray self = new JsonArray();
      for (ChatStore.Head h : read.heads()) {
        self.add(ServiceReply.push(fmt.head(h.conversation(), h.last(), ctx.userId()), false));
      }
      for (ChatMessage m : read.undelivered()) {
        self.add(ServiceReply.push(fmt.push(m), true));
      }
      return new Replay(self, read.recentPeers());
    });
  }

}
