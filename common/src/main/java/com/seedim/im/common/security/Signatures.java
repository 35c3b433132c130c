package com.seedim.im.common.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signatures of PROTOCOL.md: connect (§2), chat permission (§5) and the business HTTP API (§7),
 * in the HMAC-SHA256 form and the legacy MD5 form. Pure functions, no Vert.x.
 */
public final class Signatures {
  private static final HexFormat HEX = HexFormat.of();

  private Signatures() {
  }

  /** §2 connect sign: HMAC over {@code im2-login\n appId\n userId\n loginId\n role\n txNo}. */
  public static String login(String secret, String appId, String userId, String loginId, String role, String txNo) {
    return hmacHex(secret, "im2-login\n" + appId + "\n" + userId + "\n" + nz(loginId) + "\n" + nz(role) + "\n" + txNo);
  }

  /** §2 legacy connect sign: MD5("10" + appId + userId + loginId? + txNo + secret). */
  public static String legacyLogin(String secret, String appId, String userId, String loginId, String txNo) {
    return md5Hex("10" + appId + userId + nz(loginId) + txNo + secret);
  }

  /** §5 chat permission sign bound to sender and receiver. */
  public static String chat(String secret, String appId, String sender, String receiver, long timestamp) {
    return hmacHex(secret, "im2-chat\n" + appId + "\n" + sender + "\n" + receiver + "\n" + timestamp);
  }

  /** §5 legacy chat sign: MD5("130" + appId + receiveUserId + timestamp + secret); does not bind the sender. */
  public static String legacyChat(String secret, String appId, String receiver, long timestamp) {
    return md5Hex("130" + appId + receiver + timestamp + secret);
  }

  /** §7 business API signature. */
  public static String api(String secret, String method, String appId, String pathWithQuery, String timestamp,
                           String nonce, String body) {
    return hmacHex(secret, method + "\n" + appId + "\n" + pathWithQuery + "\n" + timestamp + "\n" + nonce + "\n"
      + (body == null ? "" : body));
  }

  /** Constant-time comparison of two hex signatures (case-insensitive on the presented one). */
  public static boolean matches(String expected, String presented) {
    if (expected == null || presented == null) {
      return false;
    }
    byte[] a = expected.getBytes(StandardCharsets.US_ASCII);
    byte[] b = presented.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(a, b);
  }

  /** {@code Mac.getInstance} looks the provider up each time (about 2 % of a handshake's CPU): one per thread. */
  private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  public static String hmacHex(String secret, String data) {
    try {
      Mac mac = HMAC.get();
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HEX.formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String md5Hex(String data) {
    return digestHex("MD5", data);
  }

  public static String sha256Hex(String data) {
    return digestHex("SHA-256", data);
  }

  private static String digestHex(String alg, String data) {
    try {
      return HEX.formatHex(MessageDigest.getInstance(alg).digest(data.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
