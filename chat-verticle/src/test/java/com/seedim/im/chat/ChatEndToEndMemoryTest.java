package com.seedim.im.chat;

import com.seedim.im.chat.store.ChatMessage;
import com.seedim.im.chat.store.ChatStore;
import com.seedim.im.chat.store.MemoryChatStore;
import com.seedim.im.common.config.ServerConfig;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("chat end to end: dev (memory) stores")
class ChatEndToEndMemoryTest extends ChatEndToEndContract {

  @BeforeAll
  static void startServer(Vertx vertx) {
    server = start(vertx, false);
  }

  @Override
  protected void assertUnreadTruth(List<String> users) {
    MemoryChatStore store = server.infra().shared(MemoryChatStore.class, MemoryChatStore::new);
    String app = ServerConfig.DEV_APP_ID;
    for (String owner : users) {
      long total = 0;
      for (ChatStore.Head h : store.heads(app, owner, null, 1000).await()) {
        String peer = h.conversation().peer();
        long truth = 0;
        ChatStore.HistoryResult all = store.history(app, owner, peer, null, 0, 100_000).await();
        for (ChatMessage m : all.messages()) {
          if (m.receiver().equals(owner) && !m.retracted() && m.messageId() > h.conversation().readMessageId()) {
            truth++;
          }
        }
        assertThat(h.conversation().unreadCount()).as("unread of %s from %s", owner, peer).isEqualTo(truth);
        total += truth;
      }
      assertThat(store.unreadTotals(app, owner, 500).await().total()).isEqualTo(total);
    }
  }
}
