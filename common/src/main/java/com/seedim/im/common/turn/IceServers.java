package com.seedim.im.common.turn;

import com.seedim.im.common.config.TurnConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Mints short-lived TURN credentials with the TURN REST API scheme (draft-uberti-behave-turn-rest-00) that coturn's
 * {@code use-auth-secret} / {@code static-auth-secret} checks: {@code username = <expiry epoch seconds>:<userId>},
 * {@code credential = base64(HMAC-SHA1(secret, username))}. coturn recomputes the credential from the username and
 * refuses it once the expiry has passed. Also builds the {@code iceServers} array as {@code RTCPeerConnection} takes
 * it: {@code [{urls:[stun...]}, {urls:[turn...], username, credential}]}, each entry only when configured.
 * A plain class: no clock of its own (the caller passes the time), no Vert.x beyond its JSON types.
 */
public final class IceServers {
  private final TurnConfig turn;

  public IceServers(TurnConfig turn) {
    this.turn = turn;
  }

  public TurnConfig config() {
    return turn;
  }

  /** A credential pair: the TURN username and password. */
  public record Credential(String username, String credential, long expiresAt) {
    /** Passwords stay out of logs. */
    @Override
    public String toString() {
      return "Credential[username=" + username + "]";
    }
  }

  /** The credential of {@code userId} valid until {@code nowEpochSeconds + ttlSeconds}. */
  public Credential mint(String userId, long nowEpochSeconds) {
    if (turn.secret() == null) {
      throw new IllegalStateException("no turn.secret configured");
    }
    long expiry = nowEpochSeconds + turn.ttlSeconds();
    String username = expiry + ":" + userId;
    return new Credential(username, sign(turn.secret(), username), expiry);
  }

  /** base64(HMAC-SHA1(secret, username)): the password coturn expects for a TURN REST API username. */
  public static String sign(String secret, String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 unavailable", e);
    }
  }

  /** The {@code iceServers} for {@code userId} now (empty when nothing is configured). */
  public JsonArray forUser(String userId) {
    return forUser(userId, System.currentTimeMillis() / 1000);
  }

  /** The {@code iceServers} for {@code userId}, credentials minted at {@code nowEpochSeconds}. */
  public JsonArray forUser(String userId, long nowEpochSeconds) {
    JsonArray out = new JsonArray();
    if (!turn.stunUrls().isEmpty()) {
      out.add(new JsonObject().put("urls", new JsonArray(new java.util.ArrayList<>(turn.stunUrls()))));
    }
    if (turn.configured()) {
      Credential c = mint(userId, nowEpochSeconds);
      out.add(new JsonObject().put("urls", new JsonArray(new java.util.ArrayList<>(turn.urls()))).put("username", c.username())
        .put("credential", c.credential()));
    }
    return out;
  }
}
