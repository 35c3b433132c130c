package com.seedim.im.queue;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.cs.store.LeftMessages.LeftMessage;
import com.seedim.im.testkit.Codes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("left-message rules without I/O (§14.4)")
class LeftMessageRulesTest {
  private static final AppConfig APP = AppConfig.fromJson(new JsonObject().put("appId", "a").put("secret", "s")
    .put("leftMessageReplyDays", 3)
    .put("queues", new JsonArray().add(new JsonObject().put("id", "vip").put("agents", new JsonArray().add("ag1")))
      .add(new JsonObject().put("id", "default"))), false);
  private static final RequestContext AGENT = new RequestContext("a", "ag2", "d", "agent", "c", "g");
  private static final RequestContext OTHER_DEVICE = new RequestContext("a", "ag2", "d2", "agent", "c2", "g");
  private static final RequestContext USER = new RequestContext("a", "u1", "d", "user", "c", "g");
  private static final RequestContext ADMIN = new RequestContext("a", "boss", "d", "admin", "c", "g");

  private static JsonObject withMessage(Object m) {
    return new JsonObject().put("msgType", 630).put("message", m);
  }

  @Test
  @DisplayName("630: customers only; message required, a non-empty string of at most 2000 characters (code points)")
  void leave() {
    assertThat(Codes.of(() -> LeftMessageRules.requireCustomer(AGENT))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(Codes.of(() -> LeftMessageRules.requireCustomer(ADMIN))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(Codes.of(() -> LeftMessageRules.requireCustomer(USER))).isNull();
    assertThat(Codes.of(() -> LeftMessageRules.message(new JsonObject()))).isEqualTo(ErrorCode.MISSING_FIELD);
    assertThat(Codes.of(() -> LeftMessageRules.message(withMessage("")))).isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(Codes.of(() -> LeftMessageRules.message(withMessage(7)))).isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(Codes.of(() -> LeftMessageRules.message(withMessage("x".repeat(2001))))).isEqualTo(ErrorCode.TOO_LARGE);
    assertThat(LeftMessageRules.message(withMessage("x".repeat(2000)))).hasSize(2000);
    assertThat(LeftMessageRules.message(withMessage("\uD83D\uDE00".repeat(2000)))).hasSize(4000);
  }

  @Test
  @DisplayName("630 queue: the one named, else the one waited in, else default; unknown NOT_FOUND")
  void queueOfLeave() {
    assertThat(LeftMessageRules.queueOf630(APP, "vip", "default")).isEqualTo("vip");
    assertThat(LeftMessageRules.queueOf630(APP, null, "vip")).isEqualTo("vip");
    assertThat(LeftMessageRules.queueOf630(APP, null, null)).isEqualTo("default");
    assertThat(Codes.of(() -> LeftMessageRules.queueOf630(APP, "nope", null))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  @DisplayName("640: agents only; a named queue must exist and be served")
  void take() {
    assertThat(Codes.of(() -> LeftMessageRules.checkTake(APP, USER, null))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(Codes.of(() -> LeftMessageRules.checkTake(APP, ADMIN, null))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(Codes.of(() -> LeftMessageRules.checkTake(APP, AGENT, "nope"))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(Codes.of(() -> LeftMessageRules.checkTake(APP, AGENT, "vip"))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(Codes.of(() -> LeftMessageRules.checkTake(APP, AGENT, "default"))).isNull();
    assertThat(Codes.of(() -> LeftMessageRules.checkTake(APP, AGENT, null))).isNull();
  }

  @Test
  @DisplayName("claim token: the same for a repeat of one frame, different per device and unique, random without unique")
  void claimToken() {
    String t = LeftMessageRules.claimToken(AGENT, "mt-1");
    assertThat(t).hasSizeLessThanOrEqualTo(64).isEqualTo(LeftMessageRules.claimToken(AGENT, "mt-1"));
    assertThat(LeftMessageRules.claimToken(OTHER_DEVICE, "mt-1")).isNotEqualTo(t);
    assertThat(LeftMessageRules.claimToken(AGENT, "mt-2")).isNotEqualTo(t);
    assertThat(LeftMessageRules.claimToken(AGENT, null)).isNotEqualTo(LeftMessageRules.claimToken(AGENT, null));
  }

  @Test
  @DisplayName("the grant lasts leftMessageReplyDays; 631 and 641 carry the stored fields")
  void framesAndGrant() {
    assertThat(LeftMessageRules.grantMs(APP)).isEqualTo(3 * 86_400_000L);
    assertThat(LeftMessageRules.left("12", "vip").encode())
      .isEqualTo("{\"msgType\":631,\"messageId\":\"12\",\"queueId\":\"vip\"}");
    LeftMessage m = new LeftMessage("12", "a", "vip", "u1", "hi", 5L, "ag1", 9L);
    assertThat(LeftMessageRules.taken(m).encode())
      .isEqualTo("{\"msgType\":641,\"messageId\":\"12\",\"queueId\":\"vip\",\"userId\":\"u1\",\"message\":\"hi\",\"createdAt\":5}");
  }
}
