package com.seedim.im.chat.rules;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.security.Signatures;

import java.util.concurrent.TimeUnit;

/**
 * The chat-permission sign of PROTOCOL.md §5 step 2. Pure functions: the verticle adds the cache
 * ({@link #cacheKey}, {@link #cacheTtlMs}) and the room-membership exception.
 */
public final class ChatPermission {
  private static final String CACHE_PREFIX = "chatperm|";
  private static final char SEP = '|';

  /** Outcome of checking a presented sign. */
  public enum Verdict {
    /** A valid HMAC sign (binds sender and receiver). */
    VALID,
    /** A valid legacy MD5 sign (binds only the receiver). */
    VALID_LEGACY,
    /** No sign or no timestamp presented. */
    ABSENT,
    /** The sign matches but its timestamp is outside the allowed window. */
    EXPIRED,
    /** The sign does not match. */
    FORGED;

    public boolean valid() {
      return this == VALID || this == VALID_LEGACY;
    }
  }

  private ChatPermission() {
  }

  /**
   * Checks {@code sign} for "sender may message receiver" issued at {@code timestamp} (epoch ms).
   * Valid when it matches the app's sign form and {@code |now - timestamp| <= chatSignTtlSeconds}.
   */
  public static Verdict verify(AppConfig app, String sender, String receiver, String sign, Long timestamp, long nowMs) {
    if (sign == null || sign.isEmpty() || timestamp == null) {
      return Verdict.ABSENT;
    }
    boolean signed = false;
    for (String secret : app.verifyingSecrets(nowMs)) { // the current secret, and the previous one during a rotation
      String expected = app.legacySign()
        ? Signatures.legacyChat(secret, app.appId(), receiver, timestamp)
        : Signatures.chat(secret, app.appId(), sender, receiver, timestamp);
      signed |= Signatures.matches(expected, sign);
    }
    if (!signed) {
      return Verdict.FORGED;
    }
    if (Math.abs(nowMs - timestamp) > TimeUnit.SECONDS.toMillis(app.chatSignTtlSeconds())) {
      return Verdict.EXPIRED;
    }
    return app.legacySign() ? Verdict.VALID_LEGACY : Verdict.VALID;
  }

  /** How long a valid sign's permission is cached: chatPermissionMinutes for HMAC, chatSignTtlSeconds for legacy. */
  public static long cacheTtlMs(AppConfig app, Verdict v) {
    return switch (v) {
      case VALID -> TimeUnit.MINUTES.toMillis(app.chatPermissionMinutes());
      case VALID_LEGACY -> TimeUnit.SECONDS.toMillis(app.chatSignTtlSeconds());
      default -> 0;
    };
  }

  /** The cache key of one direction; {@code |} cannot occur in ids, so keys never collide. */
  public static String cacheKey(String appId, String sender, String receiver) {
    return CACHE_PREFIX + appId + SEP + sender + SEP + receiver;
  }
}
