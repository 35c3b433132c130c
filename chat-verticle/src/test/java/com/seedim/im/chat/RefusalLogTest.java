package com.seedim.im.chat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Audit L7: refused 130s must not write one INFO line per frame. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RefusalLogTest {
  @Test
  @DisplayName("L7: 40 refused 130s of one user write at most a couple of INFO lines")
  void refusalsAreNotLoggedPerFrame(Vertx vertx) {
    Logger log = (Logger) LoggerFactory.getLogger(ChatService.class);
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.start();
    log.addAppender(seen);
    try (TestServer s = TestServer.builder().vertx(vertx).verticle(ChatVerticle::new)
      .app(new JsonObject().put("requireChatSign", true).put("sensitiveWords", new JsonArray().add("badword"))).start()) {
      TestClient a = s.connect("alice");
      for (int i = 0; i < 20; i++) {
        // no chat permission
        a.request(new JsonObject().put("msgType", 130).put("receiveUserId", "bob").put("message", "hi " + i));
        // sensitive word (with a valid sign)
        a.request(new JsonObject().put("msgType", 130).put("receiveUserId", "carol").put("message", "badword " + i)
          .mergeIn(TestServer.chatSign("alice", "carol")));
      }
    } finally {
      log.detachAppender(seen);
    }
    long info = seen.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
      .filter(e -> e.getFormattedMessage().contains("refused")).count();
    assertThat(info).as("INFO lines about refused 130s").isLessThanOrEqualTo(2);
  }
}
