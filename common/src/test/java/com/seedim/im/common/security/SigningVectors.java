package com.seedim.im.common.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Builds docs/signing-vectors.json: the signing test vectors that client authors check their own signers against
 * (the JS client tests do, with the reference signers of webroot/js/README.md). Only the inputs are written here;
 * every signature is computed by {@link Signatures}, the code the server verifies with. The canonical string is
 * written from the specification (docs/protocol.md §11) and {@link SigningVectorsTest} proves it is the exact string
 * {@link Signatures} signs (its HMAC or MD5 must equal the signature), so neither can be wrong without the test failing.
 *
 * <p>Test scope only: {@link SigningVectorsTest} compares the file with {@link #document()} and, run with
 * {@code -Dsigning.vectors.write=true}, writes it.
 */
final class SigningVectors {
  /** Bump when a field of a vector changes meaning or is removed (adding vectors keeps the version). */
  static final int VERSION = 1;
  static final String HMAC = "HMAC-SHA256";
  static final String MD5 = "MD5";

  private static final String DOCS_SECRET = "docs-example-secret-0123456789abcdef";
  private static final String DOCS_APP = "1477358668";
  /** A second app: another id form and another secret. */
  private static final String SHOP_SECRET = "shop-eu-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
  private static final String SHOP_APP = "shop-eu.2";
  /** A third app: secrets are any UTF-8 text, the key is the secret's UTF-8 bytes. */
  private static final String UNICODE_SECRET = "clé-secrète-日本-🔑-0123456789abcdef";
  private static final String UNICODE_APP = "intl_7";
  /** An app in the middle of a secret rotation (docs/operations.md, "Rotating an app secret"). */
  static final String ROTATING_APP = "rotating-app";
  static final String ROTATING_SECRET = "rotation-new-secret-5b1e0c9d8a7f6e5d4c3b2a19";
  static final String ROTATING_PREVIOUS = "rotation-old-secret-0a1b2c3d4e5f60718293a4b5";
  static final String ROTATING_UNTIL = "2030-01-31T00:00:00Z";
  private static final String TS = "1764900000000";
  private static final long TS_MS = Long.parseLong(TS);

  private SigningVectors() {
  }

  static JsonObject document() {
    JsonArray v = new JsonArray();
    // connect, HMAC (§2.2)
    v.add(login("login-basic", "user alice on device web, role user (the docs/protocol.md §11.1 example)",
      DOCS_SECRET, DOCS_APP, "alice", "web", "user", TS));
    v.add(login("login-no-device-no-role", "no loginId and no role parameter: both fields are empty lines",
      DOCS_SECRET, DOCS_APP, "alice", "", "", TS));
    v.add(login("login-role-alias-as-sent", "role sent as the alias kefu is signed as sent, not as agent",
      DOCS_SECRET, DOCS_APP, "agent.007", "desk-1", "kefu", TS));
    v.add(login("login-id-punctuation", "ids may use every character of [A-Za-z0-9_.@:-] (ids are ASCII only)",
      SHOP_SECRET, SHOP_APP, "user:42@shop.example_EU-1", "ios:7F3A", "admin", "1764900012345"));
    v.add(login("login-unicode-secret", "a non-ASCII secret is keyed with its UTF-8 bytes",
      UNICODE_SECRET, UNICODE_APP, "bob", "android", "user", TS));
    // connect, legacy MD5 (§11.2)
    v.add(legacyLogin("legacy-login-basic", "numeric user on a UUID device (the docs/protocol.md §11.2 example)",
      DOCS_SECRET, DOCS_APP, "10086", "3f2b8c1e-9d4a-4e6b-8a7c-1b2d3e4f5a6b", TS));
    v.add(legacyLogin("legacy-login-no-device", "no loginId: nothing is added between userId and txNo",
      DOCS_SECRET, DOCS_APP, "10086", "", TS));
    v.add(legacyLogin("legacy-login-other-app", "another app and secret",
      SHOP_SECRET, SHOP_APP, "20251205", "00000000-0000-4000-8000-000000000001", "1764900099999"));
    // chat permission, HMAC (§6.2)
    v.add(chat("chat-basic", "alice may message bob (the docs/protocol.md §11.3 example)",
      DOCS_SECRET, DOCS_APP, "alice", "bob", TS_MS));
    v.add(chat("chat-reverse-direction", "bob to alice: the sign binds the direction, so it differs from chat-basic",
      DOCS_SECRET, DOCS_APP, "bob", "alice", TS_MS));
    v.add(chat("chat-other-app", "another app and secret, ids with punctuation",
      SHOP_SECRET, SHOP_APP, "user:42@shop.example_EU-1", "agent.007", 1764900012345L));
    v.add(chat("chat-unicode-secret", "a non-ASCII secret",
      UNICODE_SECRET, UNICODE_APP, "10086", "10010", TS_MS));
    // chat permission, legacy MD5 (§11.3)
    v.add(legacyChat("legacy-chat-basic", "to receiver 10010 (the docs/protocol.md §11.3 legacy example)",
      DOCS_SECRET, DOCS_APP, "10010", TS_MS));
    v.add(legacyChat("legacy-chat-other-app", "another app and secret",
      SHOP_SECRET, SHOP_APP, "20251205", 1764900099999L));
    // HTTP API, HMAC (§10.1)
    v.add(api("api-post-body", "a POST with a JSON body (the docs/protocol.md §11.4 example)",
      DOCS_SECRET, DOCS_APP, "POST", "/api/v1/messages", TS, "n-7f3c2a91",
      "{\"userId\":\"system\",\"receiveUserId\":\"bob\",\"message\":\"Your order shipped\"}"));
    v.add(api("api-get-query-empty-body", "a GET: the query is part of the signed path, the body is empty "
        + "so the canonical string ends with the newline after the nonce",
      DOCS_SECRET, DOCS_APP, "GET", "/api/v1/presence?userIds=alice,bob", TS, "n-7f3c2a92", ""));
    v.add(api("api-get-percent-encoded-query", "the request target is signed exactly as sent: percent-encoding untouched",
      DOCS_SECRET, DOCS_APP, "GET", "/api/v1/presence?userIds=alice%2Cbob&x=%E4%BD%A0", TS, "n-7f3c2a93", ""));
    v.add(api("api-get-no-query", "a path without a query string and no body",
      SHOP_SECRET, SHOP_APP, "GET", "/api/v1/queues/support", "1764900012345", "0123456789abcdef", ""));
    v.add(api("api-get-room-transcript", "protocol §10.15 (desk): a room's transcript, an id in the path, no query",
      DOCS_SECRET, DOCS_APP, "GET", "/api/v1/rooms/757014856269824/transcript", TS, "n-desk-7a1", ""));
    v.add(api("api-post-sign-desk-visitor", "what a product backend's desk sign endpoint sends for its logged-in visitor"
        + " (docs/customer-service.md §3)",
      SHOP_SECRET, SHOP_APP, "POST", "/api/v1/sign", "1764900012345", "n-desk-2b9",
      "{\"userId\":\"carol\",\"deviceId\":\"web-3f2a9c\",\"role\":\"user\"}"));
    v.add(api("api-post-unicode-body", "a body with non-ASCII text and an emoji is signed as its UTF-8 bytes",
      DOCS_SECRET, DOCS_APP, "POST", "/api/v1/messages", TS, "n-unicode-1",
      "{\"userId\":\"system\",\"receiveUserId\":\"10010\",\"message\":\"你好, café ☕ 👋\"}"));
    v.add(api("api-put-multiline-body", "a pretty-printed body: its line feeds are part of the signed body",
      SHOP_SECRET, SHOP_APP, "PUT", "/api/v1/rooms/room-9/info", "1764900012345", "n!#$%&'()*+,-./:;<=>?@[]^_`{|}~",
      "{\n  \"info\": {\"topic\": \"refunds\"}\n}"));
    v.add(api("api-delete-unicode-secret", "a DELETE with a body, signed with a non-ASCII secret",
      UNICODE_SECRET, UNICODE_APP, "DELETE", "/api/v1/chat-permission", TS, "n-del-1",
      "{\"userId\":\"alice\",\"receiveUserId\":\"bob\"}"));
    // a webhook delivery SeedIM sends (docs/webhooks.md): the API scheme, the path of the receiver's URL
    v.add(api("api-webhook-delivery", "a webhook delivery SeedIM POSTs to a business server (docs/webhooks.md): the same "
        + "scheme, signed by the server with the app secret; the path is the endpoint URL's path (and query)",
      DOCS_SECRET, DOCS_APP, "POST", "/seedim/events", TS, "9f1c0e7a5b3d2c4e6f8a0b1c",
      "{\"events\":[{\"id\":\"498342297559425\",\"type\":\"message.created\",\"appId\":\"1477358668\","
        + "\"createdAt\":1764899999995,\"data\":{\"messageId\":\"498342297518464\",\"userId\":\"alice\","
        + "\"receiveUserId\":\"bob\",\"deviceId\":\"web\",\"message\":\"hello bob\",\"contentType\":\"text\","
        + "\"sendTime\":1764899999990,\"unique\":\"m-2\"}}]}"));
    // a secret rotation: the same inputs signed with the new and the previous secret; both verify until the end
    v.add(login("rotation-login-new", "an app during a secret rotation, signed with its new secret (see rotation)",
      ROTATING_SECRET, ROTATING_APP, "alice", "web", "user", TS));
    v.add(login("rotation-login-previous", "the same connect signed with the previous secret: another signature, "
      + "accepted until rotation.previousSecretUntil", ROTATING_PREVIOUS, ROTATING_APP, "alice", "web", "user", TS));
    v.add(chat("rotation-chat-previous", "a chat permission signed with the previous secret during the rotation",
      ROTATING_PREVIOUS, ROTATING_APP, "alice", "bob", TS_MS));
    v.add(api("rotation-api-new", "an API call signed with the new secret during the rotation",
      ROTATING_SECRET, ROTATING_APP, "GET", "/api/v1/presence?userIds=alice", TS, "n-rot-1", ""));
    v.add(api("rotation-api-previous", "the same API call signed with the previous secret during the rotation",
      ROTATING_PREVIOUS, ROTATING_APP, "GET", "/api/v1/presence?userIds=alice", TS, "n-rot-1", ""));
    return new JsonObject()
      .put("version", VERSION)
      .put("description", "Signing test vectors for SeedIM (docs/protocol.md §2.2, §6.2, §10.1, §11). Each vector "
        + "gives the inputs of one scheme, the exact canonical string (UTF-8; fields joined by one line feed, LF "
        + "in the schemes' formulas, no trailing newline; the MD5 forms have no separators and end with the secret) "
        + "and the lowercase hex signature. HMAC-SHA256 is keyed with the secret's UTF-8 bytes. An empty input string means the "
        + "parameter is absent (login: loginId, role; legacy-login: loginId) or the body is empty (api). Generated "
        + "by SigningVectors.java from the server's Signatures class; SigningVectorsTest fails when they disagree.")
      .put("schemes", schemes())
      .put("rotation", new JsonObject().put("appId", ROTATING_APP).put("secret", ROTATING_SECRET)
        .put("previousSecret", ROTATING_PREVIOUS).put("previousSecretUntil", ROTATING_UNTIL)
        .put("note", "The app settings of the rotation-* vectors: until previousSecretUntil the server accepts a signature "
          + "of every scheme made with secret or previousSecret, and signs what it hands out with secret "
          + "(docs/operations.md, \"Rotating an app secret\"). The schemes themselves do not change."))
      .put("vectors", v);
  }

  private static JsonObject schemes() {
    return new JsonObject()
      .put("login", scheme(HMAC, "\"im2-login\" + LF + appId + LF + userId + LF + loginId + LF + role + LF + txNo",
        "sign parameter of the connect URL (§2.2)"))
      .put("legacy-login", scheme(MD5, "\"10\" + appId + userId + loginId + txNo + secret",
        "sign parameter of the connect URL, apps with legacySign: true (§2.2)"))
      .put("chat", scheme(HMAC, "\"im2-chat\" + LF + appId + LF + sender + LF + receiveUserId + LF + timestamp",
        "receiveSign of a 130 (§6.2), answered by POST /api/v1/chat-sign"))
      .put("legacy-chat", scheme(MD5, "\"130\" + appId + receiveUserId + timestamp + secret",
        "receiveSign of a 130, apps with legacySign: true (§6.2)"))
      .put("api", scheme(HMAC, "method + LF + appId + LF + pathWithQuery + LF + timestamp + LF + nonce + LF + body",
        "X-Signature header; appId, timestamp and nonce are the X-App-Id, X-Timestamp and X-Nonce headers (§10.1)"));
  }

  private static JsonObject scheme(String algorithm, String canonical, String sentAs) {
    return new JsonObject().put("algorithm", algorithm).put("canonical", canonical).put("sentAs", sentAs);
  }

  private static JsonObject login(String id, String note, String secret, String appId, String userId, String loginId,
                                  String role, String txNo) {
    JsonObject in = new JsonObject().put("secret", secret).put("appId", appId).put("userId", userId)
      .put("loginId", loginId).put("role", role).put("txNo", txNo);
    String canonical = "im2-login\n" + appId + "\n" + userId + "\n" + loginId + "\n" + role + "\n" + txNo;
    return vector(id, "login", note, in, canonical, HMAC, Signatures.login(secret, appId, userId, loginId, role, txNo));
  }

  private static JsonObject legacyLogin(String id, String note, String secret, String appId, String userId,
                                        String loginId, String txNo) {
    JsonObject in = new JsonObject().put("secret", secret).put("appId", appId).put("userId", userId)
      .put("loginId", loginId).put("txNo", txNo);
    String canonical = "10" + appId + userId + loginId + txNo + secret;
    return vector(id, "legacy-login", note, in, canonical, MD5,
      Signatures.legacyLogin(secret, appId, userId, loginId.isEmpty() ? null : loginId, txNo));
  }

  private static JsonObject chat(String id, String note, String secret, String appId, String sender, String receiver,
                                 long timestamp) {
    JsonObject in = new JsonObject().put("secret", secret).put("appId", appId).put("sender", sender)
      .put("receiveUserId", receiver).put("timestamp", timestamp);
    String canonical = "im2-chat\n" + appId + "\n" + sender + "\n" + receiver + "\n" + timestamp;
    return vector(id, "chat", note, in, canonical, HMAC, Signatures.chat(secret, appId, sender, receiver, timestamp));
  }

  private static JsonObject legacyChat(String id, String note, String secret, String appId, String receiver,
                                       long timestamp) {
    JsonObject in = new JsonObject().put("secret", secret).put("appId", appId).put("receiveUserId", receiver)
      .put("timestamp", timestamp);
    String canonical = "130" + appId + receiver + timestamp + secret;
    return vector(id, "legacy-chat", note, in, canonical, MD5, Signatures.legacyChat(secret, appId, receiver, timestamp));
  }

  private static JsonObject api(String id, String note, String secret, String appId, String method, String pathWithQuery,
                                String timestamp, String nonce, String body) {
    JsonObject in = new JsonObject().put("secret", secret).put("appId", appId).put("method", method)
      .put("pathWithQuery", pathWithQuery).put("timestamp", timestamp).put("nonce", nonce).put("body", body);
    String canonical = method + "\n" + appId + "\n" + pathWithQuery + "\n" + timestamp + "\n" + nonce + "\n" + body;
    return vector(id, "api", note, in, canonical, HMAC,
      Signatures.api(secret, method, appId, pathWithQuery, timestamp, nonce, body));
  }

  private static JsonObject vector(String id, String scheme, String note, JsonObject inputs, String canonical,
                                   String algorithm, String signature) {
    return new JsonObject().put("id", id).put("scheme", scheme).put("note", note).put("inputs", inputs)
      .put("canonical", canonical).put("algorithm", algorithm).put("signature", signature);
  }
}
