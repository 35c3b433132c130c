package com.seedim.im.gateway;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.AppRegistry;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.security.Signatures;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import static com.seedim.im.gateway.ApiResponses.problem;
import static com.seedim.im.gateway.ApiResponses.refuseEarly;

/**
 * Who may call the HTTP API (PROTOCOL.md §7), in three steps of the {@code /api/v1/*} chain: the signature headers,
 * content type and announced length are checked before any byte of the body is read ({@link #preAuthenticate}); the
 * body is read under its limit ({@link #bodyHandler}: no upload is ever stored, no form field ever becomes a
 * parameter); then the HMAC-SHA256 signature over that body and the nonce (accepted once) are checked
 * ({@link #authenticate}). The app and the body text are left in the routing context for the endpoints.
 */
final class ApiAuth {
  private static final Logger LOG = LoggerFactory.getLogger(ApiAuth.class);
  static final long API_CLOCK_SKEW_MS = 300_000;
  static final long NONCE_WINDOW_MS = 600_000;
  static final String WORDS_PATH = "/api/v1/sensitive-words";
  static final String APP = "im.app";
  static final String BODY = "im.body";
  private static final int UNSUPPORTED_MEDIA_TYPE = 415;
  private static final String NOT_JSON = "a request body must be Content-Type application/json (charset utf-8 if any), not encoded";
  private static final Pattern NONCE = Pattern.compile("[\\x21-\\x7E]{1,64}");
  private static final Pattern TIMESTAMP = Pattern.compile("-?[0-9]{1,16}");
  private static final Pattern SIGNATURE = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern CONTENT_LENGTH = Pattern.compile("[0-9]{1,18}");

  private final AppRegistry apps;
  private final ApiPort gw;
  private final int maxBody;
  private final int maxWordsBody;
  private final BodyHandler small;
  private final BodyHandler large;

  ApiAuth(AppRegistry apps, GatewayLimits limits, ApiPort gw) {
    this.apps = apps;
    this.gw = gw;
    this.maxBody = limits.apiMaxBodyBytes();
    this.maxWordsBody = limits.apiMaxWordsBodyBytes();
    this.small = jsonOnlyBodyHandler(maxBody);
    this.large = jsonOnlyBodyHandler(maxWordsBody);
  }

  /** The app a request was signed for (set by {@link #preAuthenticate}). */
  static AppConfig app(RoutingContext rc) {
    return rc.get(APP);
  }

  /** Buffers the body in memory only: no file uploads, no form attributes merged into the parameters. */
  private static BodyHandler jsonOnlyBodyHandler(int limit) {
    return BodyHandler.create(false).setBodyLimit(limit).setMergeFormAttributes(false).setDeleteUploadedFilesOnEnd(true);
  }

  /** Reads the body under its limit: the words list may be larger than every other body. */
  void bodyHandler(RoutingContext rc) {
    (isWordsUpload(rc) ? large : small).handle(rc);
  }

  private static boolean isWordsUpload(RoutingContext rc) {
    String path = rc.normalizedPath();
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return rc.request().method() == HttpMethod.PUT && WORDS_PATH.equals(path);
  }

  private int bodyLimit(RoutingContext rc) {
    return isWordsUpload(rc) ? maxWordsBody : maxBody;
  }

  /**
   * Everything that can be decided from the request head, before the body is read: the app, the timestamp window,
   * the nonce and signature syntax (else 401), the content type (else 415) and the announced length (else 413).
   */
  void preAuthenticate(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    String appId = req.getHeader("X-App-Id");
    String ts = req.getHeader("X-Timestamp");
    String nonce = req.getHeader("X-Nonce");
    String sig = req.getHeader("X-Signature");
    AppConfig app = apps.get(appId);
    if (app == null || ts == null || nonce == null || sig == null || !TIMESTAMP.matcher(ts).matches()
      || Math.abs(System.currentTimeMillis() - Long.parseLong(ts)) > API_CLOCK_SKEW_MS || !NONCE.matcher(nonce).matches()
      || !SIGNATURE.matcher(sig).matches()) {
      refuseEarly(rc, ErrorCode.UNAUTHORIZED, ErrorCode.UNAUTHORIZED.httpStatus(), "missing, expired or malformed signature headers");
      return;
    }
    String cl = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    long length = 0;
    if (cl != null) {
      if (!CONTENT_LENGTH.matcher(cl.trim()).matches()) {
        refuseEarly(rc, ErrorCode.INVALID_FIELD, 400, "malformed Content-Length");
        return;
      }
      length = Long.parseLong(cl.trim());
    }
    boolean hasBody = length > 0 || req.getHeader(HttpHeaders.TRANSFER_ENCODING) != null
      || (req.version() == HttpVersion.HTTP_2 && !req.isEnded());
    if (hasBody) {
      // A body without any Content-Type is read as raw bytes (no multipart or form parsing happens then) and
      // refused with 415 only after its signature is checked, so that a tampered body is still reported as 401.
      String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
      String encoding = req.getHeader(HttpHeaders.CONTENT_ENCODING);
      if ((type != null && !isJsonMediaType(type)) || (encoding != null && !"identity".equalsIgnoreCase(encoding.trim()))) {
        refuseEarly(rc, ErrorCode.INVALID_JSON, UNSUPPORTED_MEDIA_TYPE, NOT_JSON);
        return;
      }
      int limit = bodyLimit(rc);
      if (length > limit) {
        refuseEarly(rc, ErrorCode.TOO_LARGE, ErrorCode.TOO_LARGE.httpStatus(), "request body larger than " + limit + " bytes");
        return;
      }
    }
    rc.put(APP, app);
    rc.next();
  }

  /** {@code application/json}, optionally with {@code charset=utf-8} (any case, quoted or not) and nothing else. */
  static boolean isJsonMediaType(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";", -1);
    if (!"application/json".equalsIgnoreCase(parts[0].trim())) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      if (eq < 0 || !"charset".equalsIgnoreCase(p.substring(0, eq).trim())) {
        return false;
      }
      String v = p.substring(eq + 1).trim();
      if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
        v = v.substring(1, v.length() - 1);
      }
      if (!"utf-8".equalsIgnoreCase(v) && !"utf8".equalsIgnoreCase(v)) {
        return false;
      }
    }
    return true;
  }

  /** After the body is read (within its limit): the signature over it, then the nonce (accepted once). */
  void authenticate(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    AppConfig app = app(rc);
    String ts = req.getHeader("X-Timestamp");
    String nonce = req.getHeader("X-Nonce");
    String sig = req.getHeader("X-Signature");
    String body;
    try {
      body = bodyText(rc);
    } catch (ProtocolException e) {
      problem(rc, e.code(), e.getMessage());
      return;
    }
    boolean signed = false;
    for (String secret : app.verifyingSecrets(System.currentTimeMillis())) { // the previous one too during a rotation
      signed |= Signatures.matches(Signatures.api(secret, req.method().name(), app.appId(), req.uri(), ts, nonce, body), sig);
    }
    if (!signed) {
      problem(rc, ErrorCode.UNAUTHORIZED, "bad signature");
      return;
    }
    if (!body.isEmpty() && req.getHeader(HttpHeaders.CONTENT_TYPE) == null) {
      problem(rc, UNSUPPORTED_MEDIA_TYPE, ErrorCode.INVALID_JSON, NOT_JSON);
      return;
    }
    rc.put(BODY, body);
    if (Long.parseLong(ts) < gw.storeLossNoticedAt()) {
      // the nonces of requests signed before Redis lost its data are gone: such a request could be replayed
      problem(rc, ErrorCode.UNAUTHORIZED, "signed before the server's store was reset; sign again with a fresh timestamp");
      return;
    }
    gw.claimNonce(app.appId(), nonce, NONCE_WINDOW_MS).onComplete(ar -> {
      if (ar.failed()) {
        problem(rc, ErrorCode.UNAVAILABLE, "store unavailable; retry later");
      } else if (!ar.result()) {
        problem(rc, ErrorCode.UNAUTHORIZED, "nonce already used");
      } else {
        rc.next();
      }
    });
  }

  /** The body as UTF-8 text; malformed UTF-8 is INVALID_JSON (RFC 8259 §8.1), never silently replaced. */
  private static String bodyText(RoutingContext rc) {
    if (rc.body() == null || rc.body().buffer() == null || rc.body().length() == 0) {
      return "";
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(rc.body().buffer().getBytes())).toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(ErrorCode.INVALID_JSON, "the body is not valid UTF-8");
    }
  }

  /** Failures of the /api/v1 chain: the body handler's 413 and anything unexpected, always as problem+json. */
  void onFailure(RoutingContext rc) {
    if (rc.response().headWritten()) {
      return;
    }
    Throwable err = rc.failure();
    if (rc.statusCode() == 413) {
      refuseEarly(rc, ErrorCode.TOO_LARGE, 413, "request body larger than " + bodyLimit(rc) + " bytes");
    } else if (err instanceof ProtocolException pe) {
      problem(rc, pe.code(), pe.getMessage());
    } else if (rc.statusCode() == 400) {
      refuseEarly(rc, ErrorCode.INVALID_JSON, 400, "malformed request body");
    } else {
      LOG.error("{} {} failed (status {})", rc.request().method(), rc.request().path(), rc.statusCode(), err);
      problem(rc, ErrorCode.INTERNAL, "internal error");
    }
  }
}
