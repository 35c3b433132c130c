package com.seedim.im.common.config;

import com.seedim.im.common.events.EventType;
import com.seedim.im.common.events.WebhookConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code apps[].webhooks} and {@code events}: what an app records, where it goes, and the refusals of a bad section. */
class WebhookConfigTest {
  static AppConfig app(JsonObject webhooks) {
    JsonObject c = ConfigValidatorTest.prod();
    ConfigValidatorTest.app(c).put("webhooks", webhooks);
    return ServerConfig.fromJson(c, Map.of()).apps().require("1");
  }

  static JsonObject endpoint(String url) {
    return new JsonObject().put("url", url);
  }

  @Test
  @DisplayName("no webhooks: nothing recorded; an empty section: every type but presence.changed, no endpoint")
  void defaults() {
    AppConfig none = ServerConfig.fromJson(ConfigValidatorTest.prod(), Map.of()).apps().require("1");
    assertThat(none.webhooks().recorded()).isEmpty();
    AppConfig empty = app(new JsonObject());
    assertThat(empty.webhooks().recorded()).hasSize(EventType.values().length - 1).doesNotContain(EventType.PRESENCE_CHANGED);
    assertThat(empty.webhooks().endpoints()).isEmpty();
    assertThat(empty.webhooks().retentionHours()).isEqualTo(WebhookConfig.DEFAULT_RETENTION_HOURS);
    assertThat(empty.webhooks().beforeMessage()).isNull();
  }

  @Test
  @DisplayName("a single endpoint is named default; an endpoint's filter is cut to the recorded types; signing covers path and query")
  void endpoints() {
    AppConfig one = app(new JsonObject().put("endpoints", new JsonArray().add(endpoint("https://crm.example.com/hooks/im?tenant=7"))));
    WebhookConfig.Endpoint e = one.webhooks().endpoints().get(0);
    assertThat(e.name()).isEqualTo(WebhookConfig.DEFAULT_ENDPOINT);
    assertThat(e.pathWithQuery()).isEqualTo("/hooks/im?tenant=7");
    assertThat(e.maxBatch()).isEqualTo(WebhookConfig.DEFAULT_MAX_BATCH);
    assertThat(one.webhooks().endpointsFor(EventType.MESSAGE_CREATED)).containsExactly("default");
    assertThat(one.webhooks().endpointsFor(EventType.PRESENCE_CHANGED)).as("not recorded").isEmpty();

    AppConfig two = app(new JsonObject().put("events", new JsonArray().add("message.created").add("room.closed"))
      .put("endpoints", new JsonArray()
        .add(endpoint("https://a.example.com/").put("name", "crm").put("events", new JsonArray().add("room.closed").add("call.ended")))
        .add(endpoint("https://b.example.com/").put("name", "push"))));
    assertThat(two.webhooks().endpointsFor(EventType.ROOM_CLOSED)).containsExactly("crm", "push");
    assertThat(two.webhooks().endpointsFor(EventType.MESSAGE_CREATED)).containsExactly("push");
    assertThat(two.webhooks().endpoint("crm").events()).as("call.ended is not recorded").containsExactly(EventType.ROOM_CLOSED);
  }

  @Test
  @DisplayName("refused: an unknown event type, a URL that is not http(s), a missing url, unnamed or twice-named endpoints, a hook timeout over 2.5 s")
  void refusals() {
    assertThat(ConfigValidatorTest.refusal(withHooks(new JsonObject().put("events", new JsonArray().add("message.sent"))),
      "apps[0].webhooks.events")).contains("message.created");
    assertThat(ConfigValidatorTest.refusal(withHooks(new JsonObject().put("endpoints", new JsonArray()
      .add(endpoint("ftp://x.example.com/")))), "apps[0].webhooks.endpoints[0].url")).contains("http");
    assertThat(ConfigValidatorTest.refusal(withHooks(new JsonObject().put("endpoints", new JsonArray()
      .add(new JsonObject().put("maxBatch", 10)))), "apps[0].webhooks.endpoints[0].url")).isNotEmpty();
    assertThat(ConfigValidatorTest.refusal(withHooks(new JsonObject().put("beforeMessage", new JsonObject()
      .put("url", "https://m.example.com/").put("timeoutMs", 5000))), "apps[0].webhooks.beforeMessage.timeoutMs")).isNotEmpty();
    assertThatThrownBy(() -> app(new JsonObject().put("endpoints", new JsonArray().add(endpoint("https://a.example.com/"))
      .add(endpoint("https://b.example.com/"))))).hasMessageContaining("name");
    assertThatThrownBy(() -> app(new JsonObject().put("endpoints", new JsonArray()
      .add(endpoint("https://a.example.com/").put("name", "x")).add(endpoint("https://b.example.com/").put("name", "x")))))
      .hasMessageContaining("two webhook endpoints are named x");
  }

  @Test
  @DisplayName("the hook's timeout and the store's deadline fit in the bus timeout")
  void hookTimeoutUnderTheBusTimeout() {
    JsonObject c = withHooks(new JsonObject().put("beforeMessage", new JsonObject().put("url", "https://m.example.com/")
      .put("timeoutMs", 1500))).put("busTimeoutMs", 5000);
    assertThatThrownBy(() -> ServerConfig.fromJson(c, Map.of()))
      .hasMessageContaining("apps[0].webhooks.beforeMessage.timeoutMs").hasMessageContaining("under busTimeoutMs");
    assertThat(ServerConfig.fromJson(c.put("busTimeoutMs", 6000), Map.of()).apps().require("1").webhooks().beforeMessage()
      .timeoutMs()).isEqualTo(1500);
  }

  private static JsonObject withHooks(JsonObject webhooks) {
    JsonObject c = ConfigValidatorTest.prod();
    ConfigValidatorTest.app(c).put("webhooks", webhooks);
    return c;
  }
}
