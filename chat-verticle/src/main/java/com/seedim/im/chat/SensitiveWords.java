package com.seedim.im.chat;

import com.seedim.im.chat.rules.SensitiveWordFilter;
import com.seedim.im.chat.store.ChatStore;
import com.seedim.im.common.config.AppConfig;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sensitive-word matcher of each app on this node: the list persisted through the HTTP API when there is one,
 * else the app's configured {@code sensitiveWords}. Reloaded when {@code CHAT_WORDS_CHANGED} is published.
 */
final class SensitiveWords {
  private static final Logger LOG = LoggerFactory.getLogger(SensitiveWords.class);

  private final ChatStore store;
  private final Map<String, SensitiveWordFilter> filters = new ConcurrentHashMap<>();

  SensitiveWords(ChatStore store) {
    this.store = store;
  }

  /** The matcher of an app (empty until loaded). */
  SensitiveWordFilter filter(AppConfig app) {
    SensitiveWordFilter f = filters.get(app.appId());
    return f != null ? f : SensitiveWordFilter.of(app.sensitiveWords());
  }

  Future<Void> loadAll(Collection<AppConfig> apps) {
    List<Future<Void>> all = new ArrayList<>();
    for (AppConfig a : apps) {
      all.add(reload(a));
    }
    return Future.all(all).mapEmpty();
  }

  Future<Void> reload(AppConfig app) {
    return store.sensitiveWords(app.appId()).map(persisted -> {
      List<String> words = persisted != null ? persisted : app.sensitiveWords();
      SensitiveWordFilter f = SensitiveWordFilter.of(words);
      filters.put(app.appId(), f);
      LOG.info("app {}: {} sensitive words loaded ({})", app.appId(), f.size(), persisted != null ? "persisted" : "config");
      return null;
    });
  }
}
