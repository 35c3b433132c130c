package com.seedim.im.chat;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

import java.util.List;


@DisplayName("chat end to end: MariaDB + Redis")
class ChatEndToEndDurableTest extends ChatEndToEndContract {

  @BeforeAll
  static void startServer(Vertx vertx) {
    server = start(vertx, true);
  }

  /** The truth recomputed by SQL from chat_messages, for every conversation row of the users. */
  @Override
  protected void assertUnreadTruth(List<String> users) {
    assertUnreadTruthBySql(users);
  }
}
