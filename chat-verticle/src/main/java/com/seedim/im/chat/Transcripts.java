package com.seedim.im.chat;

import com.seedim.im.chat.rules.MessageFormatter;
import com.seedim.im.chat.store.ChatMessage;
import com.seedim.im.chat.store.ChatStore;
import com.seedim.im.common.bus.msg.TranscriptQuery;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.AppRegistry;
import com.seedim.im.common.id.IdGenerator;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A desk room's transcript for the room service (protocol §14.5, {@code Addresses.CHAT_TRANSCRIPT}): the messages
 * between the room's customer and each of its agents within the room's lifetime, as §6.7 history items (the app's
 * {@code htmlEscapeContent} and {@code legacyFields} applied; no {@code delivered}/{@code read}, which belong to a
 * viewer's own history). Message ids are time-ordered, so the lifetime is an id range of each pair's conversation.
 */
final class Transcripts {
  /** §14.5: a transcript lists at most this many messages. */
  static final int MAX_MESSAGES = 500;
  /** No viewer: the items carry no viewer-specific fields. */
  private static final String NO_VIEWER = "";

  private final AppRegistry apps;
  private final ChatStore store;
  private final Formatters formatters;

  Transcripts(AppRegistry apps, ChatStore store, Formatters formatters) {
    this.apps = apps;
    this.store = store;
    this.formatters = formatters;
  }

  Future<JsonObject> onQuery(TranscriptQuery q) {
    AppConfig app = apps.require(q.appId());
    int limit = Math.max(0, Math.min(q.limit(), MAX_MESSAGES));
    long fromId = IdGenerator.firstIdAt(q.fromMs());
    long toId = q.toMs() == null ? Long.MAX_VALUE : IdGenerator.firstIdAt(q.toMs() + 1) - 1;
    Set<String> agents = new LinkedHashSet<>(q.agents());
    agents.remove(q.customerId());
    List<Future<List<ChatMessage>>> pairs = new ArrayList<>();
    for (String agent : agents) {
      pairs.add(store.between(q.appId(), q.customerId(), agent, fromId, toId, limit));
    }
    MessageFormatter fmt = formatters.of(app);
    return Future.all(pairs).map(cf -> {
      List<ChatMessage> all = new ArrayList<>();
      pairs.forEach(p -> all.addAll(p.result()));
      all.sort(Comparator.comparingLong(ChatMessage::messageId));
      JsonArray items = new JsonArray();
      for (int i = 0; i < all.size() && i < limit; i++) {
        items.add(fmt.item(all.get(i), NO_VIEWER, 0));
      }
      return new JsonObject().put("messages", items);
    });
  }
}
