package com.seedim.im.gateway;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.AppRegistry;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.security.Signatures;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The connect check of PROTOCOL.md §2 without I/O: parameters (400), app, sign window and signature (401),
 * Origin (403). The kick record and the handshake rate limit need stores and are checked by the gateway.
 */
public final class Handshake {
  /** Accepted connect paths. */
  public static final Set<String> PATHS = Set.of("/ws", "/login", "/");
  public static final String DEFAULT_DEVICE = "default";
  static final long CLOCK_SKEW_MS = 30_000;
  /**
   * Canonical decimal {@code txNo}: no leading zero. The legacy MD5 string has no separators, so a zero moved
   * from the end of userId to the front of txNo ("10" + "T" = "1" + "0T") kept a sign valid for another user.
   */
  private static final Pattern CANONICAL = Pattern.compile("[1-9][0-9]{0,15}");
  /** Legacy-sign apps: txNo is epoch milliseconds, exactly 13 digits. */
  private static final Pattern LEGACY_TX_NO = Pattern.compile("[1-9][0-9]{12}");
  /** {@code headsSince}: canonical decimal, or 0. */
  private static final Pattern HEADS_SINCE = Pattern.compile("0|[1-9][0-9]{0,15}");
  /** What a legacy-sign app accepts as loginId (PROTOCOL.md §2). */
  private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Map<String, String> ROLES = Map.of(
    "user", RequestContext.ROLE_USER,
    "agent", RequestContext.ROLE_AGENT, "custom", RequestContext.ROLE_AGENT, "kefu", RequestContext.ROLE_AGENT,
    "admin", RequestContext.ROLE_ADMIN, "administrator", RequestContext.ROLE_ADMIN);

  /** The role a {@code role} parameter names (any case, with its aliases): {@code user} when absent, null when unknown. */
  static String canonicalRole(String raw) {
    return raw == null || raw.isEmpty() ? RequestContext.ROLE_USER : ROLES.get(raw.toLowerCase(Locale.ROOT));
  }

  /** Whether {@code s} is a UUID (8-4-4-4-12 hex digits): the only loginId a legacy-sign app accepts. */
  static boolean isUuid(String s) {
    return UUID.matcher(s).matches();
  }

  /** An accepted identity. */
  public record Identity(AppConfig app, String userId, String deviceId, String role, long txNo, Long headsSince) {
  }

  /** A refusal: HTTP status, §3 code and a message. */
  public record Refusal(int status, ErrorCode code, String message) {
  }

  /** Either an identity or a refusal. */
  public record Result(Identity identity, Refusal refusal) {
    static Result ok(Identity i) {
      return new Result(i, null);
    }

    static Result refuse(int status, ErrorCode code, String message) {
      return new Result(null, new Refusal(status, code, message));
    }

    public boolean accepted() {
      return identity != null;
    }
  }

  private Handshake() {
  }

  /**
   * The query parameters of a connect URL, decoded as the signature expects them; null when the query is malformed
   * (e.g. a bad percent escape, which Netty's decoder refuses with an exception): answered 400.
   */
  public static Map<String, List<String>> query(String uri) {
    try {
      return new QueryStringDecoder(uri).parameters();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The refusal of a malformed query. */
  public static Result malformedQuery() {
    return Result.refuse(400, ErrorCode.INVALID_FIELD, "malformed query string (bad percent escape)");
  }

  /**
   * Checks a connect request.
   *
   * @param param  the decoded query parameters (first value of each)
   * @param origin the Origin header or null
   */
  public static Result check(Function<String, String> param, String origin, AppRegistry apps, long now) {
    String appId = param.apply("appId");
    String userId = param.apply("userId");
    String txNoRaw = param.apply("txNo");
    String sign = param.apply("sign");
    String msgType = param.apply("msgType");
    String loginRaw = param.apply("loginId");
    if (loginRaw == null) {
      loginRaw = param.apply("deviceId");
    }
    String roleRaw = param.apply("role");
    for (String[] f : new String[][] {{"appId", appId}, {"userId", userId}, {"txNo", txNoRaw}, {"sign", sign}}) {
      if (f[1] == null || f[1].isEmpty()) {
        return Result.refuse(400, ErrorCode.MISSING_FIELD, "missing parameter '" + f[0] + "'");
      }
    }
    if (msgType != null && !msgType.isEmpty() && !"10".equals(msgType)) {
      return Result.refuse(400, ErrorCode.INVALID_FIELD, "msgType must be 10 on connect");
    }
    if (!Frames.isValidId(appId)) {
      return Result.refuse(400, ErrorCode.INVALID_FIELD, "invalid parameter 'appId'");
    }
    if (!Frames.isValidId(userId)) {
      return Result.refuse(400, ErrorCode.INVALID_FIELD, "invalid parameter 'userId': 1-64 of [A-Za-z0-9_.@:-]");
    }
    // canonical decimal only (400, checked with the other parameters): the legacy MD5 string has no separators, so
    // a zero moved from the end of userId to the front of txNo ("10" + "T" = "1" + "0T") kept a sign valid for
    // another user (audit H6)
    if (!CANONICAL.matcher(txNoRaw).matches()) {
      return Result.refuse(400, ErrorCode.INVALID_FIELD, "invalid parameter 'txNo': epoch milliseconds, no leading zero");
    }
    boolean loginPresent = loginRaw != null && !loginRaw.isEmpty() && !"null".equals(loginRaw) && !"undefined".equals(loginRaw);
    String deviceId = loginPresent ? loginRaw : DEFAULT_DEVICE;
    if (!Frames.isValidId(deviceId)) {
      return Result.refuse(400, ErrorCode.INVALID_FIELD, "invalid parameter 'loginId': 1-64 of [A-Za-z0-9_.@:-]");
    }
    String role = canonicalRole(roleRaw);
    if (role == null) {
      return Result.refuse(400, ErrorCode.INVALID_FIELD, "invalid parameter 'role': user, agent or admin");
    }
    Long headsSince = null;
    String hs = param.apply("headsSince");
    if (hs != null && !hs.isEmpty()) {
      if (!HEADS_SINCE.matcher(hs).matches()) {
        return Result.refuse(400, ErrorCode.INVALID_FIELD, "invalid parameter 'headsSince': epoch milliseconds (or 0), no leading zero");
      }
      headsSince = Long.parseLong(hs);
    }

    AppConfig app = apps.get(appId);
    if (app == null) {
      return unauthorized();
    }
    if (app.legacySign()) {
      if (roleRaw != null) {
        return Result.refuse(400, ErrorCode.INVALID_FIELD, "legacy-sign apps take no 'role' parameter");
      }
      if (!app.userIdPattern().matcher(userId).matches()) {
        return Result.refuse(400, ErrorCode.INVALID_FIELD, "invalid parameter 'userId' for this app");
      }
      if (loginPresent && !isUuid(loginRaw)) {
        return Result.refuse(400, ErrorCode.INVALID_FIELD, "legacy-sign apps need a UUID 'loginId'");
      }
      // MD5(... + userId + loginId + ...) has no separators: a userId that ends in a UUID would share its sign with
      // (the rest of the userId, that UUID as loginId) whenever the app's userIdPattern admits '-' and hex letters
      if (userId.length() > 36 && isUuid(userId.substring(userId.length() - 36))) {
        return Result.refuse(400, ErrorCode.INVALID_FIELD, "legacy-sign apps take no userId ending in a UUID");
      }
    }
    if (app.legacySign() && !LEGACY_TX_NO.matcher(txNoRaw).matches()) {
      return Result.refuse(400, ErrorCode.INVALID_FIELD, "invalid parameter 'txNo': 13-digit epoch milliseconds");
    }
    long txNo = Long.parseLong(txNoRaw);
    long age = now - txNo;
    if (age < -CLOCK_SKEW_MS || age > app.signTtlSeconds() * 1000L) {
      return unauthorized();
    }
    boolean signed = false;
    for (String secret : app.verifyingSecrets(now)) { // the current secret, and the previous one during a rotation
      String expected = app.legacySign()
        ? Signatures.legacyLogin(secret, appId, userId, loginPresent ? loginRaw : null, txNoRaw)
        : Signatures.login(secret, appId, userId, loginRaw == null ? "" : loginRaw, roleRaw == null ? "" : roleRaw, txNoRaw);
      signed |= Signatures.matches(expected, sign);
    }
    if (!signed) {
      return unauthorized();
    }
    if (origin != null && !app.allowedOrigins().isEmpty() && !app.allowedOrigins().contains(origin)) {
      return Result.refuse(403, ErrorCode.ORIGIN_FORBIDDEN, "origin not allowed");
    }
    return Result.ok(new Identity(app, userId, deviceId, role, txNo, headsSince));
  }

  static Result unauthorized() {
    return Result.refuse(401, ErrorCode.UNAUTHORIZED, "unauthorized");
  }
}
