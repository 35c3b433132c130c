package com.seedim.im.common.security;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SignaturesTest {
  @Test
  @DisplayName("login HMAC separates fields: the original's 4805+7abc vs 48057+abc collision is gone")
  void loginFieldsUnambiguous() {
    String a = Signatures.login("s", "1", "4805", "7abc", "", "100");
    String b = Signatures.login("s", "1", "48057", "abc", "", "100");
    assertThat(a).isNotEqualTo(b).hasSize(64).matches("[0-9a-f]+");
    // while the legacy MD5 collides, which is why legacy apps restrict ids
    assertThat(Signatures.legacyLogin("s", "1", "4805", "7abc", "100"))
      .isEqualTo(Signatures.legacyLogin("s", "1", "48057", "abc", "100"));
  }

  @Test
  @DisplayName("known vectors: HMAC-SHA256 and MD5 forms")
  void knownVectors() {
    // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog")
    assertThat(Signatures.hmacHex("key", "The quick brown fox jumps over the lazy dog"))
      .isEqualTo("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
    assertThat(Signatures.md5Hex("")).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
    assertThat(Signatures.legacyChat("sec", "app", "bob", 123)).isEqualTo(Signatures.md5Hex("130appbob123sec"));
    assertThat(Signatures.chat("sec", "app", "alice", "bob", 5))
      .isEqualTo(Signatures.hmacHex("sec", "im2-chat\napp\nalice\nbob\n5"));
    assertThat(Signatures.api("sec", "POST", "app", "/api/v1/sign?x=1", "9", "n", "{}"))
      .isEqualTo(Signatures.hmacHex("sec", "POST\napp\n/api/v1/sign?x=1\n9\nn\n{}"));
  }

  @Test
  @DisplayName("matches is case-insensitive on the presented sign and refuses null or different lengths")
  void matches() {
    String s = Signatures.login("s", "1", "u", "", "", "1");
    assertThat(Signatures.matches(s, s.toUpperCase())).isTrue();
    assertThat(Signatures.matches(s, s.substring(1))).isFalse();
    assertThat(Signatures.matches(s, null)).isFalse();
  }
}
