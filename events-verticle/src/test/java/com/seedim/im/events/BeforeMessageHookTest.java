package com.seedim.im.events;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.common.events.Events;
import com.seedim.im.testkit.Http;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.hooks.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("before.message (protocol §6.2): the app's service allows, rejects or rewrites a 130 before it is stored")
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class BeforeMessageHookTest {
  static final long HOOK_TIMEOUT_MS = 400;

  static TestServer server(Vertx vertx, WebhookReceiver hook, boolean failOpen) {
    JsonObject webhooks = new JsonObject().put("beforeMessage", new JsonObject().put("url", hook.beforeUrl())
      .put("timeoutMs", HOOK_TIMEOUT_MS).put("failOpen", failOpen));
    return TestServer.builder().vertx(vertx).durable(true)
      .app(new JsonObject().put("requireChatSign", false).put("webhooks", webhooks))
      .verticle(ChatVerticle::new).verticle(EventsVerticle::new).start();
  }

  static JsonObject send(TestClient c, String to, String text, String unique) {
    return c.request(new JsonObject().put("msgType", 130).put("receiveUserId", to).put("message", text).put("unique", unique));
  }

  static List<JsonObject> created(TestServer s) {
    return Events.store(s.infra()).replay(TestServer.APP_ID, 0, Long.MAX_VALUE, java.util.Set.of("message.created"), 100)
      .await();
  }

  @Test
  @DisplayName("allow stores as sent; reject answers 10 MESSAGE_REJECTED with the reason and stores nothing; rewrite stores and delivers the new text; the hook is signed; API sends skip it")
  void verdicts(Vertx vertx) {
    try (WebhookReceiver hook = new WebhookReceiver(vertx, TestServer.SECRET).before(q -> {
      String text = q.getJsonObject("message").getString("message");
      if (text.contains("http://")) {
        return new JsonObject().put("action", "reject").put("reason", "no links, please");
      }
      if (text.contains("darn")) {
        return new JsonObject().put("action", "rewrite").put("message", text.replace("darn", "****"));
      }
      return new JsonObject().put("action", "allow");
    }, 200, 0); TestServer s = server(vertx, hook, true)) {
      TestClient alice = s.connect("alice");
      TestClient bob = s.connect("bob");

      JsonObject ok = send(alice, "bob", "hello", "v1");
      assertThat(ok.getInteger("msgType")).isEqualTo(30);
      assertThat(bob.await(f -> f.getInteger("msgType") == 140).getString("message")).isEqualTo("hello");

      JsonObject no = send(alice, "bob", "see http://spam.example", "v2");
      assertThat(no.getInteger("msgType")).as(no.encode()).isEqualTo(10);
      assertThat(no.getString("code")).isEqualTo("MESSAGE_REJECTED");
      assertThat(no.getString("message")).isEqualTo("no links, please");
      assertThat(no.getInteger("receiveMsgType")).isEqualTo(130);

      JsonObject re = send(alice, "bob", "darn it", "v3");
      assertThat(re.getInteger("msgType")).isEqualTo(30);
      assertThat(re.getString("message")).as("the 30 tells the sender what was stored").isEqualTo("**** it");
      JsonObject pushed = bob.await(f -> f.getInteger("msgType") == 140 && re.getString("messageId").equals(f.getString("messageId")));
      assertThat(pushed.getString("message")).isEqualTo("**** it");
      bob.assertNone(f -> f.getInteger("msgType") == 140 && String.valueOf(f.getString("message")).contains("spam"),
        Duration.ofMillis(300));

      List<WebhookReceiver.Received> calls = hook.received();
      assertThat(calls).hasSize(3).allSatisfy(c -> {
        assertThat(c.path()).isEqualTo(WebhookReceiver.BEFORE_PATH);
        assertThat(c.signatureValid()).isTrue();
      });
      JsonObject body = new JsonObject(calls.get(0).body());
      assertThat(body.getString("type")).isEqualTo("before.message");
      assertThat(body.getString("appId")).isEqualTo(TestServer.APP_ID);
      assertThat(body.getJsonObject("message").getMap()).containsEntry("userId", "alice").containsEntry("receiveUserId", "bob")
        .containsEntry("message", "hello").containsEntry("contentType", "text").containsEntry("unique", "v1")
        .containsKey("deviceId");

      // the business server's own sends do not ask its hook
      Http.Response api = Http.api(s.port(), "POST", "/api/v1/messages",
        new JsonObject().put("userId", "system").put("receiveUserId", "bob").put("message", "http://shop.example/order").encode());
      assertThat(api.status()).as(api.body()).isEqualTo(200);
      assertThat(hook.received()).hasSize(3);

      assertThat(created(s)).extracting(e -> e.getJsonObject("data").getString("message"))
        .containsExactly("hello", "**** it", "http://shop.example/order");
    }
  }

  @Test
  @DisplayName("a hook that does not answer in time: failOpen stores the message as sent, within the hook's timeout")
  void failOpen(Vertx vertx) {
    try (WebhookReceiver hook = new WebhookReceiver(vertx, TestServer.SECRET)
      .before(q -> new JsonObject().put("action", "reject"), 200, 3000); TestServer s = server(vertx, hook, true)) {
      TestClient alice = s.connect("alice");
      long t0 = System.nanoTime();
      JsonObject r = send(alice, "bob", "slow hook", "o1");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(r.getInteger("msgType")).isEqualTo(30);
      assertThat(ms).isLessThan(HOOK_TIMEOUT_MS + 1500);
      assertThat(created(s)).hasSize(1);
    }
  }

  @Test
  @DisplayName("failOpen false: a failing hook answers UNAVAILABLE and stores nothing; the retry with the same unique is stored once the hook answers")
  void failClosed(Vertx vertx) {
    try (WebhookReceiver hook = new WebhookReceiver(vertx, TestServer.SECRET)
      .before(q -> new JsonObject().put("action", "allow"), 500, 0); TestServer s = server(vertx, hook, false)) {
      TestClient alice = s.connect("alice");
      JsonObject r = send(alice, "bob", "while the hook fails", "c1");
      assertThat(r.getInteger("msgType")).isEqualTo(10);
      assertThat(r.getString("code")).isEqualTo("UNAVAILABLE");
      hook.before(q -> new JsonObject().put("action", "maybe"), 200, 0);
      assertThat(send(alice, "bob", "while the hook fails", "c1").getString("code")).as("an answer that is no verdict")
        .isEqualTo("UNAVAILABLE");
      assertThat(created(s)).isEmpty();
      hook.before(q -> new JsonObject().put("action", "allow"), 200, 0);
      JsonObject again = send(alice, "bob", "while the hook fails", "c1");
      assertThat(again.getInteger("msgType")).isEqualTo(30);
      assertThat(created(s)).hasSize(1);
    }
  }
}
