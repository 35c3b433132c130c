package com.seedim.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Signer: every vector of docs/signing-vectors.json (protocol §11)")
class SignerTest {

  @Test
  @DisplayName("canonical strings and signatures of the login, legacy-login, chat, legacy-chat and api vectors")
  void vectors() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(Files.readString(Path.of("../docs/signing-vectors.json")));
    int checked = 0;
    for (JsonNode v : doc.get("vectors")) {
      JsonNode in = v.get("inputs");
      String secret = in.get("secret").asText();
      String canonical;
      String sign;
      switch (v.get("scheme").asText()) {
        case "login" -> {
          canonical = Signer.loginCanonical(s(in, "appId"), s(in, "userId"), s(in, "loginId"), s(in, "role"), s(in, "txNo"));
          sign = Signer.login(secret, s(in, "appId"), s(in, "userId"), s(in, "loginId"), s(in, "role"), s(in, "txNo"));
        }
        case "legacy-login" -> {
          canonical = Signer.legacyLoginCanonical(secret, s(in, "appId"), s(in, "userId"), s(in, "loginId"), s(in, "txNo"));
          sign = Signer.legacyLogin(secret, s(in, "appId"), s(in, "userId"), s(in, "loginId"), s(in, "txNo"));
        }
        case "chat" -> {
          canonical = Signer.chatCanonical(s(in, "appId"), s(in, "sender"), s(in, "receiveUserId"), s(in, "timestamp"));
          sign = Signer.chat(secret, s(in, "appId"), s(in, "sender"), s(in, "receiveUserId"), Long.parseLong(s(in, "timestamp")));
        }
        case "legacy-chat" -> {
          canonical = Signer.legacyChatCanonical(secret, s(in, "appId"), s(in, "receiveUserId"), s(in, "timestamp"));
          sign = Signer.legacyChat(secret, s(in, "appId"), s(in, "receiveUserId"), Long.parseLong(s(in, "timestamp")));
        }
        case "api" -> {
          canonical = Signer.apiCanonical(s(in, "method"), s(in, "appId"), s(in, "pathWithQuery"), s(in, "timestamp"),
            s(in, "nonce"), s(in, "body"));
          sign = Signer.api(secret, s(in, "method"), s(in, "appId"), s(in, "pathWithQuery"), s(in, "timestamp"),
            s(in, "nonce"), s(in, "body"));
        }
        default -> throw new AssertionError("unknown scheme " + v.get("scheme"));
      }
      assertThat(canonical).as(v.get("id").asText() + " canonical").isEqualTo(v.get("canonical").asText());
      assertThat(sign).as(v.get("id").asText() + " signature").isEqualTo(v.get("signature").asText());
      checked++;
    }
    assertThat(checked).as("vectors checked").isGreaterThanOrEqualTo(20);
  }

  @Test
  @DisplayName("connectUrl: parameters as sent, absent loginId/role signed as empty lines")
  void connectUrl() {
    String url = Signer.connectUrl("ws://h:1/ws", "k", "app", "a b", null, null);
    assertThat(url).startsWith("ws://h:1/ws?appId=app&userId=a+b&msgType=10&txNo=");
    String txNo = url.replaceAll(".*txNo=([0-9]+).*", "$1");
    assertThat(url).endsWith("&sign=" + Signer.hmacHex("k", "im2-login\napp\na b\n\n\n" + txNo));
  }

  private static String s(JsonNode in, String field) {
    return in.get(field).asText();
  }
}
