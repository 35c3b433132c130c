package com.seedim.im.common.proto;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FramesTest {
  @Test
  @DisplayName("numbers come as integers or strings of up to 16 digits")
  void numbers() {
    JsonObject f = new JsonObject().put("a", 130).put("b", "130").put("c", "-5").put("d", "1.5").put("e", "12345678901234567");
    assertThat(Frames.reqLong(f, "a")).isEqualTo(130);
    assertThat(Frames.reqLong(f, "b")).isEqualTo(130);
    assertThat(Frames.reqLong(f, "c")).isEqualTo(-5);
    assertThatThrownBy(() -> Frames.reqLong(f, "d")).isInstanceOf(ProtocolException.class)
      .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.INVALID_FIELD);
    assertThatThrownBy(() -> Frames.reqLong(f, "e")).isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> Frames.reqLong(f, "zz")).extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.MISSING_FIELD);
  }

  @Test
  @DisplayName("L2: msgType outside the int range is INVALID_FIELD, not truncated (4294967426 is not 130)")
  void msgTypeRange() {
    assertThat(Frames.msgType(new JsonObject().put("msgType", 130))).isEqualTo(130);
    assertThat(Frames.msgType(new JsonObject().put("msgType", "130"))).isEqualTo(130);
    assertThat(Frames.msgType(new JsonObject().put("msgType", (long) Integer.MAX_VALUE))).isEqualTo(Integer.MAX_VALUE);
    assertThat(Frames.msgType(new JsonObject().put("msgType", (long) Integer.MIN_VALUE))).isEqualTo(Integer.MIN_VALUE);
    for (Object bad : new Object[] {4294967426L, "4294967426", (long) Integer.MAX_VALUE + 1, (long) Integer.MIN_VALUE - 1,
      -4294967166L, 4294967426.0, "12345678901234567", "99999999999999999999", new BigInteger("18446744073709551746")}) {
      assertThatThrownBy(() -> Frames.msgType(new JsonObject().put("msgType", bad))).as("msgType %s", bad)
        .isInstanceOf(ProtocolException.class)
        .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.INVALID_FIELD);
    }
  }

  @Test
  @DisplayName("ids: pattern enforced, integers taken in decimal form")
  void ids() {
    JsonObject f = new JsonObject().put("u", 4805).put("v", "a b").put("w", "x".repeat(65)).put("ok", "a.b@c:d-e_f");
    assertThat(Frames.reqId(f, "u")).isEqualTo("4805");
    assertThat(Frames.reqId(f, "ok")).isEqualTo("a.b@c:d-e_f");
    assertThatThrownBy(() -> Frames.reqId(f, "v")).isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> Frames.reqId(f, "w")).isInstanceOf(ProtocolException.class);
    // the hand-written check agrees with the documented pattern on every ASCII character and on lengths 0, 64, 65
    Pattern documented = Pattern.compile("[A-Za-z0-9_.@:-]{1,64}");
    for (char c = 0; c < 256; c++) {
      String one = String.valueOf(c);
      assertThat(Frames.isValidId(one)).as("char %d", (int) c).isEqualTo(documented.matcher(one).matches());
    }
    assertThat(Frames.isValidId("")).isFalse();
    assertThat(Frames.isValidId("a".repeat(64))).isTrue();
    assertThat(Frames.isValidId("a".repeat(65))).isFalse();
    assertThat(Frames.isValidId("\u00e9t\u00e9")).isFalse();
    assertThat(Frames.ids(new JsonObject().put("l", new JsonArray().add("a").add(7)), "l", 3)).containsExactly("a", "7");
    assertThatThrownBy(() -> Frames.ids(new JsonObject().put("l", new JsonArray().add("a").add("b")), "l", 1))
      .isInstanceOf(ProtocolException.class);
  }

  @Test
  @DisplayName("unique, contentType, message ids, echo")
  void misc() {
    assertThat(Frames.unique(new JsonObject().put("unique", "abc"))).isEqualTo("abc");
    assertThat(Frames.unique(new JsonObject())).isNull();
    assertThatThrownBy(() -> Frames.unique(new JsonObject().put("unique", "é"))).isInstanceOf(ProtocolException.class);
    assertThat(Frames.contentType(new JsonObject())).isEqualTo("text");
    assertThatThrownBy(() -> Frames.contentType(new JsonObject().put("contentType", "Text"))).isInstanceOf(ProtocolException.class);
    assertThat(Frames.reqMessageId(new JsonObject().put("m", "123"), "m")).isEqualTo(123);
    assertThatThrownBy(() -> Frames.reqMessageId(new JsonObject().put("m", "9007199254740992"), "m")).isInstanceOf(ProtocolException.class);
    JsonObject echoed = Frames.echo(new JsonObject(), new JsonObject().put("unique", "u").put("mark", new JsonObject().put("k", 1)));
    assertThat(echoed.getString("unique")).isEqualTo("u");
    assertThat(echoed.getJsonObject("mark").getInteger("k")).isEqualTo(1);
  }

  @Test
  @DisplayName("the registry routes every client msgType to one address of its service")
  void registry() {
    for (MsgType t : MsgType.routed()) {
      assertThat(t.address()).startsWith(t.service().prefix() + ".");
      assertThat(MsgType.byAddress(t.address())).isEqualTo(t);
    }
    assertThat(MsgType.of(130).address()).isEqualTo("im.chat.send");
    assertThat(MsgType.of(20).rateLimited()).isFalse();
    assertThat(MsgType.of(140).reliablePush()).isTrue();
    assertThat(MsgType.of(9999)).isNull();
  }
}
