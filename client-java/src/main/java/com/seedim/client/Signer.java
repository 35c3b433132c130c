package com.seedim.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature schemes of docs/protocol.md §11, for tests and for business servers written in Java. Only a
 * server may hold the app secret: an app on a phone gets its signed URLs and chat signs from its backend.
 * Pass {@code ""} for an absent {@code loginId} / {@code role} or an empty body, and sign values exactly as
 * they are sent.
 */
public final class Signer {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Signer() {
  }

  /** §2.2 / §11.1 connect sign: {@code "im2-login" LF appId LF userId LF loginId LF role LF txNo}. */
  public static String login(String secret, String appId, String userId, String loginId, String role, String txNo) {
    return hmacHex(secret, loginCanonical(appId, userId, loginId, role, txNo));
  }

  public static String loginCanonical(String appId, String userId, String loginId, String role, String txNo) {
    return String.join("\n", "im2-login", appId, userId, nz(loginId), nz(role), txNo);
  }

  /** §11.2 legacy connect sign (apps with {@code legacySign: true}): MD5 of {@code "10" appId userId loginId txNo secret}. */
  public static String legacyLogin(String secret, String appId, String userId, String loginId, String txNo) {
    return md5Hex(legacyLoginCanonical(secret, appId, userId, loginId, txNo));
  }

  public static String legacyLoginCanonical(String secret, String appId, String userId, String loginId, String txNo) {
    return "10" + appId + userId + nz(loginId) + txNo + secret;
  }

  /** §6.2 / §11.3 chat permission: {@code "im2-chat" LF appId LF sender LF receiveUserId LF timestamp}. */
  public static String chat(String secret, String appId, String sender, String receiveUserId, long timestamp) {
    return hmacHex(secret, chatCanonical(appId, sender, receiveUserId, Long.toString(timestamp)));
  }

  public static String chatCanonical(String appId, String sender, String receiveUserId, String timestamp) {
    return String.join("\n", "im2-chat", appId, sender, receiveUserId, timestamp);
  }

  /** §11.3 legacy chat permission: MD5 of {@code "130" appId receiveUserId timestamp secret}. */
  public static String legacyChat(String secret, String appId, String receiveUserId, long timestamp) {
    return md5Hex(legacyChatCanonical(secret, appId, receiveUserId, Long.toString(timestamp)));
  }

  public static String legacyChatCanonical(String secret, String appId, String receiveUserId, String timestamp) {
    return "130" + appId + receiveUserId + timestamp + secret;
  }

  /**
   * §10.1 / §11.4 HTTP API {@code X-Signature}:
   * {@code METHOD LF appId LF pathWithQuery LF timestamp LF nonce LF body} (body exactly as sent, "" when none).
   */
  public static String api(String secret, String method, String appId, String pathWithQuery, String timestamp,
                           String nonce, String body) {
    return hmacHex(secret, apiCanonical(method, appId, pathWithQuery, timestamp, nonce, body));
  }

  public static String apiCanonical(String method, String appId, String pathWithQuery, String timestamp, String nonce,
                                    String body) {
    return String.join("\n", method, appId, pathWithQuery, timestamp, nonce, nz(body));
  }

  /**
   * A signed connect URL (§2.1), issued now: {@code base} is e.g. {@code ws://host:port/ws}; a null
   * {@code loginId} or {@code role} leaves the parameter out (and signs it as "").
   */
  public static String connectUrl(String base, String secret, String appId, String userId, String loginId, String role) {
    String txNo = Long.toString(System.currentTimeMillis());
    StringBuilder u = new StringBuilder(base).append("?appId=").append(enc(appId)).append("&userId=").append(enc(userId));
    if (loginId != null) {
      u.append("&loginId=").append(enc(loginId));
    }
    if (role != null) {
      u.append("&role=").append(enc(role));
    }
    return u.append("&msgType=10&txNo=").append(txNo)
      .append("&sign=").append(login(secret, appId, userId, loginId, role, txNo)).toString();
  }

  /** Lowercase hex HMAC-SHA256 of the UTF-8 text, keyed with the secret's UTF-8 bytes. */
  public static String hmacHex(String secret, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return hex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Lowercase hex MD5 of the UTF-8 text (legacy schemes only). */
  public static String md5Hex(String text) {
    try {
      return hex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("MD5 unavailable", e);
    }
  }

  private static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX[bytes[i] & 0xF];
    }
    return new String(out);
  }

  private static String enc(String s) {
    try {
      return URLEncoder.encode(s, "UTF-8"); // the Charset overload is Java 10 (Android API 33)
    } catch (java.io.UnsupportedEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
