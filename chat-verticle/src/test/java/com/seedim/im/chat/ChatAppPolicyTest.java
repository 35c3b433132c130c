package com.seedim.im.chat;

import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-app chat settings end to end: sensitivePolicy mask, htmlEscapeContent, legacyFields, requireChatSign false, timeZone. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("chat end to end: per-app policies")
class ChatAppPolicyTest {
  private static TestServer server;

  @BeforeAll
  static void start(Vertx vertx) {
    server = TestServer.builder().vertx(vertx).durable(false).verticle(ChatVerticle::new)
      .app(new JsonObject().put("requireChatSign", false).put("sensitivePolicy", "mask")
        .put("sensitiveWords", new JsonArray().add("secret").add("赌博")).put("htmlEscapeContent", true).put("legacyFields", true)
        .put("timeZone", "UTC"))
      .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("mask: matched code points become '*', the 30 carries the masked text, 140 and history deliver it")
  void mask() {
    TestClient alice = server.connect("mask_alice");
    TestClient bob = server.connect("mask_bob");
    JsonObject ack = alice.request(new JsonObject().put("msgType", 130).put("receiveUserId", bob.userId)
      .put("message", "my ＳＥＣＲＥＴ: 不赌博"));
    assertThat(ack.getInteger("msgType")).as("no chat sign needed").isEqualTo(30);
    assertThat(ack.getString("message")).isEqualTo("my ******: 不**");
    JsonObject p = bob.awaitType(140);
    assertThat(p.getString("message")).isEqualTo("my ******: 不**");
    JsonObject page = bob.query(new JsonObject().put("msgType", 161).put("sender", alice.userId), 162);
    assertThat(page.getJsonArray("messages").getJsonObject(0).getString("message")).isEqualTo("my ******: 不**");
    JsonObject clean = alice.request(new JsonObject().put("msgType", 130).put("receiveUserId", bob.userId).put("message", "fine"));
    assertThat(clean.containsKey("message")).as("nothing masked, nothing echoed").isFalse();
  }

  @Test
  @DisplayName("htmlEscapeContent escapes delivered and listed content; legacyFields adds content, sendUserId, serverTime")
  void escapeAndLegacy() {
    TestClient alice = server.connect("esc_alice");
    TestClient bob = server.connect("esc_bob");
    JsonObject ack = alice.request(new JsonObject().put("msgType", 130).put("receiveUserId", bob.userId)
      .put("message", "<img src=x onerror='alert(1)'> & \"q\"").put("contentType", "card"));
    JsonObject p = bob.awaitType(140);
    assertThat(p.getString("message")).isEqualTo("&lt;img src=x onerror=&#39;alert(1)&#39;&gt; &amp; &quot;q&quot;");
    assertThat(p.getString("contentType")).isEqualTo("card");
    assertThat(p.getString("content")).isEqualTo(p.getString("message"));
    assertThat(p.getString("sendUserId")).isEqualTo(alice.userId);
    assertThat(p.getLong("serverTime")).isEqualTo(ack.getLong("sendTime"));
    assertThat(p.getString("sendTimeDate")).isEqualTo(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
      .withZone(ZoneOffset.UTC).format(Instant.ofEpochMilli(ack.getLong("sendTime"))));
    JsonObject unread = bob.query(new JsonObject().put("msgType", 102), 102);
    JsonObject item = unread.getJsonArray("messages").getJsonObject(0);
    assertThat(item.getString("message")).startsWith("&lt;img");
    assertThat(item.getString("sendUserId")).isEqualTo(alice.userId);
  }
}
