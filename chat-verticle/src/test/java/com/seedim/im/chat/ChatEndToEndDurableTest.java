package com.seedim.im.chat;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("chat end to end: MariaDB + Redis")
class ChatEndToEndDurableTest extends ChatEndToEndContract {

  @BeforeAll
  static void startServer(Vertx vertx) {
    server = start(vertx, true);
  }

  /** The truth recomputed by SQL from chat_messages, for every conversation row of the users. */
  @Override
  protected void assertUnreadTruth(List<String> users) {
    for (String owner : users) {
      for (Row r : server.infra().mysql().preparedQuery("SELECT c.peer, c.unread_count, (SELECT COUNT(*) FROM chat_messages m "
          + "WHERE m.app_id = c.app_id AND m.receiver = c.owner AND m.sender = c.peer AND m.message_id > c.read_message_id "
          + "AND m.retracted = 0) AS truth FROM chat_conversations c WHERE c.owner = ?").execute(Tuple.of(owner)).await()) {
        assertThat(r.getLong("unread_count")).as("unread of %s from %s", owner, r.getString("peer")).isEqualTo(r.getLong("truth"));
      }
    }
  }
}
