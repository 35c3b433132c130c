package com.seedim.im.chat.rules;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.security.Signatures;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static com.seedim.im.chat.rules.ChatPermission.Verdict.ABSENT;
import static com.seedim.im.chat.rules.ChatPermission.Verdict.EXPIRED;
import static com.seedim.im.chat.rules.ChatPermission.Verdict.FORGED;
import static com.seedim.im.chat.rules.ChatPermission.Verdict.VALID;
import static com.seedim.im.chat.rules.ChatPermission.Verdict.VALID_LEGACY;
import static org.assertj.core.api.Assertions.assertThat;

class ChatPermissionTest {
  private static final String SECRET = "permission-test-secret-0123456789abcdef";
  private static final long NOW = 1_750_000_000_000L;
  private static final AppConfig HMAC = AppConfig.fromJson(new JsonObject().put("appId", "app1").put("secret", SECRET)
    .put("chatSignTtlSeconds", 120).put("chatPermissionMinutes", 60), false);
  private static final AppConfig LEGACY = AppConfig.fromJson(new JsonObject().put("appId", "app1").put("secret", SECRET)
    .put("legacySign", true).put("chatSignTtlSeconds", 120), false);

  @Test
  @DisplayName("a fresh HMAC sign bound to sender and receiver is valid, in upper case too")
  void valid() {
    String sign = Signatures.chat(SECRET, "app1", "alice", "bob", NOW - 1000);
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", sign, NOW - 1000, NOW)).isEqualTo(VALID);
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", sign.toUpperCase(), NOW - 1000, NOW)).isEqualTo(VALID);
  }

  @Test
  @DisplayName("during a secret rotation a sign made with the previous secret is valid until previousSecretUntil, then forged")
  void rotation() {
    String old = "permission-test-old-secret-0123456789abcdef";
    AppConfig rotating = AppConfig.fromJson(new JsonObject().put("appId", "app1").put("secret", SECRET)
      .put("previousSecret", old).put("previousSecretUntil", java.time.Instant.ofEpochMilli(NOW + 1).toString()), false);
    String byOld = Signatures.chat(old, "app1", "alice", "bob", NOW);
    assertThat(ChatPermission.verify(rotating, "alice", "bob", byOld, NOW, NOW)).isEqualTo(VALID);
    assertThat(ChatPermission.verify(rotating, "alice", "bob", Signatures.chat(SECRET, "app1", "alice", "bob", NOW), NOW, NOW))
      .isEqualTo(VALID);
    assertThat(ChatPermission.verify(rotating, "alice", "bob", byOld, NOW, NOW + 1)).as("the window has ended").isEqualTo(FORGED);
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", byOld, NOW, NOW)).as("no rotation configured").isEqualTo(FORGED);
  }

  @Test
  @DisplayName("a sign for another sender, receiver, app or time is forged")
  void forged() {
    String sign = Signatures.chat(SECRET, "app1", "alice", "bob", NOW);
    assertThat(ChatPermission.verify(HMAC, "mallory", "bob", sign, NOW, NOW)).isEqualTo(FORGED);
    assertThat(ChatPermission.verify(HMAC, "alice", "carol", sign, NOW, NOW)).isEqualTo(FORGED);
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", sign, NOW + 1, NOW)).isEqualTo(FORGED);
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", Signatures.chat("other-secret", "app1", "alice", "bob", NOW),
      NOW, NOW)).isEqualTo(FORGED);
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", "00", NOW, NOW)).isEqualTo(FORGED);
  }

  @Test
  @DisplayName("|now - timestamp| beyond chatSignTtlSeconds is expired, on both sides; the boundary is valid")
  void expired() {
    long old = NOW - 120_001;
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", Signatures.chat(SECRET, "app1", "alice", "bob", old), old, NOW))
      .isEqualTo(EXPIRED);
    long future = NOW + 120_001;
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", Signatures.chat(SECRET, "app1", "alice", "bob", future), future,
      NOW)).isEqualTo(EXPIRED);
    long edge = NOW - 120_000;
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", Signatures.chat(SECRET, "app1", "alice", "bob", edge), edge, NOW))
      .isEqualTo(VALID);
  }

  @Test
  @DisplayName("no sign or no timestamp is absent")
  void absent() {
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", null, NOW, NOW)).isEqualTo(ABSENT);
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", "", NOW, NOW)).isEqualTo(ABSENT);
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", "abc", null, NOW)).isEqualTo(ABSENT);
  }

  @Test
  @DisplayName("legacy apps take the MD5 form (not bound to the sender) and refuse the HMAC form")
  void legacy() {
    String md5 = Signatures.legacyChat(SECRET, "app1", "bob", NOW);
    assertThat(md5).isEqualTo(Signatures.md5Hex("130app1bob" + NOW + SECRET));
    assertThat(ChatPermission.verify(LEGACY, "alice", "bob", md5, NOW, NOW)).isEqualTo(VALID_LEGACY);
    assertThat(ChatPermission.verify(LEGACY, "anyone", "bob", md5, NOW, NOW)).isEqualTo(VALID_LEGACY);
    assertThat(ChatPermission.verify(LEGACY, "alice", "bob", Signatures.chat(SECRET, "app1", "alice", "bob", NOW), NOW, NOW))
      .isEqualTo(FORGED);
    assertThat(ChatPermission.verify(HMAC, "alice", "bob", md5, NOW, NOW)).isEqualTo(FORGED);
  }

  @Test
  @DisplayName("cache: HMAC for chatPermissionMinutes, legacy only for chatSignTtlSeconds; keys cannot collide")
  void cache() {
    assertThat(ChatPermission.cacheTtlMs(HMAC, VALID)).isEqualTo(60 * 60_000L);
    assertThat(ChatPermission.cacheTtlMs(LEGACY, VALID_LEGACY)).isEqualTo(120_000L);
    assertThat(ChatPermission.cacheTtlMs(HMAC, FORGED)).isZero();
    assertThat(ChatPermission.cacheKey("a", "b:c", "d")).isNotEqualTo(ChatPermission.cacheKey("a", "b", "c:d"));
    assertThat(ChatPermission.cacheKey("a", "b", "c")).isNotEqualTo(ChatPermission.cacheKey("a", "c", "b"));
  }
}
