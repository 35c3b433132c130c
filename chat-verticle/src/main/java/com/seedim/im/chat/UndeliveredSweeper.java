package com.seedim.im.chat;

import com.seedim.im.chat.store.ChatMessage;
import com.seedim.im.chat.store.ChatStore;
import com.seedim.im.common.id.IdGenerator;
import com.seedim.im.common.infra.Infra;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PROTOCOL.md §4: re-pushes undelivered messages older than {@link ChatConfig#sweepMinAgeMs()} to receivers that
 * are online, in case a node died between the 30 and the push. Looks back {@link #MAX_AGE_MS} (older ones reach the
 * receiver through the connect replay); each message is claimed once cluster-wide in the key-value store,
 * so several chat nodes do not push it several times.
 */
final class UndeliveredSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(UndeliveredSweeper.class);
  static final long MAX_AGE_MS = 10 * 60_000;
  static final int BATCH = 500;
  /**
   * Pages one sweep reads at most. The window is read in message-id order page after page (a cursor), so messages
   * to offline receivers, which stay undelivered, never hide a newer one to an online receiver (audit M7).
   */
  static final int MAX_PAGES = 40;
  private static final String CLAIM_PREFIX = "chatsweep|";

  private final Infra infra;
  private final ChatStore store;
  private final ChatService chat;
  private boolean running;

  UndeliveredSweeper(Infra infra, ChatStore store, ChatService chat) {
    this.infra = infra;
    this.store = store;
    this.chat = chat;
  }

  /** One sweep; overlapping calls are skipped. Completes with the number of messages re-pushed. */
  Future<Integer> sweep(long nowMs, long minAgeMs) {
    synchronized (this) {
      if (running) {
        return Future.succeededFuture(0);
      }
      running = true;
    }
    long from = IdGenerator.firstIdAt(nowMs - MAX_AGE_MS);
    long to = IdGenerator.firstIdAt(nowMs - minAgeMs) - 1;
    return page(from, to, 0, 0)
      .onComplete(ar -> {
        synchronized (this) {
          running = false;
        }
        if (ar.failed()) {
          LOG.warn("undelivered sweep failed: {}", ar.cause().toString());
        } else if (ar.result() > 0) {
          LOG.info("undelivered sweep re-pushed {} messages", ar.result());
        }
      });
  }

  private Future<Integer> page(long from, long to, int pages, int pushed) {
    if (from > to || pages >= MAX_PAGES) {
      return Future.succeededFuture(pushed);
    }
    return store.undeliveredBetween(from, to, BATCH).compose(messages -> repushOnline(messages).compose(n -> {
      if (messages.size() < BATCH) {
        return Future.succeededFuture(pushed + n);
      }
      long last = messages.stream().mapToLong(ChatMessage::messageId).max().orElse(to);
      return page(last + 1, to, pages + 1, pushed + n);
    }));
  }

  private Future<Integer> repushOnline(List<ChatMessage> messages) {
    Map<String, List<ChatMessage>> byReceiver = new LinkedHashMap<>();
    for (ChatMessage m : messages) {
      byReceiver.computeIfAbsent(m.appId() + '|' + m.receiver(), k -> new ArrayList<>()).add(m);
    }
    List<Future<Integer>> all = new ArrayList<>();
    for (List<ChatMessage> list : byReceiver.values()) {
      ChatMessage first = list.get(0);
      all.add(infra.directory().routes(first.appId(), first.receiver()).compose(routes -> {
        if (routes.isEmpty()) {
          return Future.succeededFuture(0);
        }
        List<Future<Integer>> pushed = new ArrayList<>();
        for (ChatMessage m : list) {
          pushed.add(infra.kv().setIfAbsent(CLAIM_PREFIX + m.appId() + '|' + m.messageId(), "1", MAX_AGE_MS)
            .compose(claimed -> claimed ? chat.repush(m).map(1) : Future.succeededFuture(0)));
        }
        return Future.all(pushed).map(v -> pushed.stream().mapToInt(Future::result).sum());
      }));
    }
    return Future.all(all).map(v -> all.stream().mapToInt(Future::result).sum());
  }
}
