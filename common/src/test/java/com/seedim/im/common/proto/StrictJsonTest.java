package com.seedim.im.common.proto;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrictJsonTest {
  private static void refused(String text, String reason) {
    assertThatThrownBy(() -> StrictJson.parseObject(text)).isInstanceOf(ProtocolException.class)
      .hasMessageContaining(reason)
      .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.INVALID_JSON);
  }

  @Test
  @DisplayName("RFC 8259 objects parse into the same JsonObject Vert.x would build")
  void parses() {
    String text = "{\"msgType\":130,\"unique\":\"u1\",\"mark\":{\"a\":[1,2.5,true,null,\"x\"]},\"big\":12345678901234567890}";
    assertThat(StrictJson.parseObject(text)).isEqualTo(new JsonObject(text));
  }

  @Test
  @DisplayName("comments, duplicate keys, non-object top levels and trailing content are INVALID_JSON")
  void refusesWhatIsNotJson() {
    refused("{/*\"msgType\":20*/\"msgType\":130}", "comments");
    refused("{\"msgType\":31,\"msgType\":130}", "duplicate key");
    refused("{\"mark\":{\"a\":1,\"a\":2},\"msgType\":20}", "duplicate key");
    refused("[{\"msgType\":20}]", "top level");
    refused("\"msgType\"", "top level");
    refused("", "empty");
    refused("{\"msgType\":20} {\"msgType\":130}", "trailing");
    refused("{\"msgType\":20,}", "malformed");
    refused("{'msgType':20}", "malformed");
    refused("{\"msgType\":NaN}", "malformed");
  }

  @Test
  @DisplayName("nesting deeper than MAX_DEPTH and absurd numbers are refused")
  void limits() {
    String deep = "{\"a\":" + "[".repeat(StrictJson.MAX_DEPTH + 1) + "]".repeat(StrictJson.MAX_DEPTH + 1) + "}";
    refused(deep, "nested deeper");
    String ok = "{\"a\":" + "[".repeat(StrictJson.MAX_DEPTH - 2) + "]".repeat(StrictJson.MAX_DEPTH - 2) + "}";
    assertThat(StrictJson.parseObject(ok).getJsonArray("a")).isNotNull();
    refused("{\"a\":" + "9".repeat(StrictJson.MAX_NUMBER_CHARS + 1) + "}", "number longer");
  }
}
