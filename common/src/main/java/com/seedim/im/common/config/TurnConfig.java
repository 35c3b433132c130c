package com.seedim.im.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The server-wide {@code turn} object: STUN and TURN URIs handed to call members as {@code iceServers}, and the
 * secret shared with the TURN server (coturn's {@code static-auth-secret}) from which short-lived credentials are
 * minted ({@link com.seedim.im.common.turn.IceServers}). Not configured = no {@code urls}: then only the STUN URIs (if
 * any) are handed out, and calls work only where both peers reach each other directly.
 */
public record TurnConfig(List<String> urls, List<String> stunUrls, String secret, int ttlSeconds) {
  /**
   * Lifetime of a minted credential: one day. SeedIM puts no limit on a call's length, and coturn checks the expiry on
   * every authenticated request of an allocation (its refreshes too), so a credential must outlive any ordinary call;
   * a reconnect hands out a fresh one (551 of the connect sequence).
   */
  public static final int DEFAULT_TTL_SECONDS = 86_400;
  static final int MIN_TTL_SECONDS = 60;
  static final int MAX_TTL_SECONDS = 7 * 86_400;
  /** The TURN section when none is configured. */
  public static final TurnConfig NONE = new TurnConfig(List.of(), List.of(), null, DEFAULT_TTL_SECONDS);

  public TurnConfig {
    urls = List.copyOf(urls);
    stunUrls = List.copyOf(stunUrls);
  }

  /** True when TURN URIs and a secret are configured: credentials are minted. */
  public boolean configured() {
    return !urls.isEmpty() && secret != null;
  }

  /** The {@code turn} object of a config (validated by {@link ConfigValidator} already), or {@link #NONE}. */
  public static TurnConfig fromJson(JsonObject turn) {
    if (turn == null) {
      return NONE;
    }
    String secret = turn.getString("secret");
    return new TurnConfig(strings(turn.getJsonArray("urls")), strings(turn.getJsonArray("stunUrls")),
      secret == null || secret.isEmpty() ? null : secret, turn.getInteger("ttlSeconds", DEFAULT_TTL_SECONDS));
  }

  /** The {@code turn} section of a parsed server config. */
  public static TurnConfig of(ServerConfig c) {
    return c.raw() == null ? NONE : fromJson(c.raw().getJsonObject("turn"));
  }

  /**
   * What is wrong with the section (null when fine): TURN URIs without a secret (or the reverse) in any mode; outside
   * dev mode a secret shorter than {@link ServerConfig#MIN_SECRET_BYTES} or a known placeholder.
   */
  public String problem(boolean dev) {
    if (!urls.isEmpty() && secret == null) {
      return "turn.urls is set but turn.secret is not (or IM_TURN_SECRET): TURN credentials cannot be minted";
    }
    if (urls.isEmpty() && secret != null) {
      return "turn.secret is set but turn.urls is not (or IM_TURN_URLS): no TURN server to hand out";
    }
    if (!dev && secret != null && (secret.getBytes(StandardCharsets.UTF_8).length < ServerConfig.MIN_SECRET_BYTES
      || ConfigRules.isPlaceholder(secret))) {
      return "turn.secret: outside dev mode the TURN secret must be at least " + ServerConfig.MIN_SECRET_BYTES
        + " bytes and not a placeholder (e.g. openssl rand -hex 32; the same value as coturn's static-auth-secret)";
    }
    return null;
  }

  static String uriCheck(Object v, String... schemes) {
    for (Object o : (JsonArray) v) {
      if (!(o instanceof String s) || !hasScheme(s, schemes) || s.chars().anyMatch(ch -> ch <= ' ')) {
        return "each a " + String.join(" or ", schemes) + " URI (RFC 7064/7065) without spaces";
      }
    }
    return null;
  }

  private static boolean hasScheme(String s, String... schemes) {
    for (String scheme : schemes) {
      if (s.startsWith(scheme) && s.length() > scheme.length()) {
        return true;
      }
    }
    return false;
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    if (a != null) {
      for (Object o : a) {
        out.add((String) o);
      }
    }
    return out;
  }

  /** The secret stays out of logs. */
  @Override
  public String toString() {
    return "TurnConfig[urls=" + urls + ", stunUrls=" + stunUrls + ", ttlSeconds=" + ttlSeconds + "]";
  }
}
