package com.seedim.im.hostile;

import com.seedim.im.common.security.Signatures;
import com.seedim.im.testkit.Cs;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Steps shared by the authorization matrix: connecting actors of both tenants, frames and their exact answers,
 * state re-reads (161, 180, 430, 550, 540) and "nothing arrived" checks, and the signed HTTP API client.
 */
final class Authz {
  static final String APP1 = TestServer.APP_ID;
  static final String APP2 = "authz-app-2";
  static final String SECRET2 = "authz-app-2-secret-0123456789-0123456789-xyz";
  /** A configured queue of app 1 served by one named agent only (outsider agents get FORBIDDEN on 401). */
  static final String VIP = "vip";
  static final String VIP_AGENT = "vip-agent";
  /** How long a refused or silently dropped frame gets to (wrongly) relay something. */
  static final Duration QUIET = Duration.ofMillis(300);
  private static final AtomicInteger SEQ = new AtomicInteger();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(5)).build();

  static TestServer server;

  private Authz() {
  }

  /** A fresh id for this cell: every cell has its own users, queues and rooms. */
  static String u(String name) {
    return name + "_" + SEQ.incrementAndGet();
  }

  // ---- connecting ---------------------------------------------------------------------------------------------

  /** A signed user of app 1 (role null = user). */
  static TestClient c1(String userId, String deviceId, String role) {
    return server.connect(userId, deviceId, role);
  }

  static TestClient c1(String userId, String deviceId) {
    return c1(userId, deviceId, null);
  }

  static TestClient agent1(String userId, String deviceId) {
    return c1(userId, deviceId, "agent");
  }

  static TestClient admin1() {
    return c1(u("adm"), "d1", "admin");
  }

  /** A signed user of app 2 (its own secret), waited for like {@link TestServer#connect}. */
  static TestClient c2(String userId, String deviceId, String role) {
    long tx = System.currentTimeMillis();
    StringBuilder q = new StringBuilder("/ws?appId=").append(APP2).append("&userId=").append(enc(userId))
      .append("&msgType=10&txNo=").append(tx).append("&loginId=").append(enc(deviceId));
    if (role != null) {
      q.append("&role=").append(role);
    }
    q.append("&sign=").append(Signatures.login(SECRET2, APP2, userId, deviceId, role, Long.toString(tx)));
    TestClient c = server.connectRaw(q.toString(), userId, deviceId, null).await();
    String unique = "ready-" + TestClient.newUnique();
    c.send(new JsonObject().put("msgType", 20).put("unique", unique));
    c.await(f -> f.getInteger("msgType", 0) == 21 && unique.equals(f.getString("unique")));
    // app 2 holds no state for these ids: its connect sequence must replay nothing of app 1's user with the same id
    assertThat(c.history()).as("connect sequence of app 2's %s", userId)
      .noneMatch(f -> List.of(140, 1170, 301, 402, 410, 551).contains(f.getInteger("msgType", 0)));
    return c;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // ---- frames ---------------------------------------------------------------------------------------------

  static JsonObject f(int type) {
    return new JsonObject().put("msgType", type);
  }

  static JsonObject offer() {
    return new JsonObject().put("type", "offer").put("sdp", "v=0 authz");
  }

  static JsonObject candidate(String tag) {
    return new JsonObject().put("candidate", "candidate:" + tag + " 1 udp 1 127.0.0.1 5000 typ host").put("sdpMid", "0")
      .put("sdpMLineIndex", 0);
  }

  /**
   * Identity claims inside a frame: §1 says {@code appId}, {@code userId}, {@code deviceId} and {@code role} in client
   * frames are ignored. Refused cells carry the victim's, with role admin, so a server that honoured them would fail.
   */
  static JsonObject claims(String userId, String deviceId) {
    return new JsonObject().put("appId", APP1).put("userId", userId).put("deviceId", deviceId).put("loginId", deviceId)
      .put("role", "admin");
  }

  /** A 130 from {@code from} to {@code to} with a valid chat sign of app 1. */
  static JsonObject signedSend(String from, String to, String text) {
    return f(130).put("receiveUserId", to).put("message", text).mergeIn(TestServer.chatSign(from, to));
  }

  /** Sends and asserts a 30. */
  static JsonObject ok(TestClient c, JsonObject frame) {
    JsonObject r = c.request(frame);
    assertThat(r.getInteger("msgType")).as("answer to %s: %s", frame.encode(), r.encode()).isEqualTo(30);
    assertThat(r.getInteger("receiveMsgType")).as(r.encode()).isEqualTo(frame.getInteger("msgType"));
    return r;
  }

  /** Sends and asserts exactly one 10 with that code (no 30 before it). */
  static JsonObject err(TestClient c, JsonObject frame, String code) {
    JsonObject r = c.request(frame);
    assertThat(r.getInteger("msgType")).as("answer to %s: %s", frame.encode(), r.encode()).isEqualTo(10);
    assertThat(r.getString("code")).as(r.encode()).isEqualTo(code);
    assertThat(r.getInteger("receiveMsgType")).as(r.encode()).isEqualTo(frame.getInteger("msgType"));
    return r;
  }

  /** Sends and asserts a refusal reply of type {@code type} (132/133) instead of a 30. */
  static JsonObject refusedWith(TestClient c, JsonObject frame, int type) {
    JsonObject r = c.request(frame);
    assertThat(r.getInteger("msgType")).as("answer to %s: %s", frame.encode(), r.encode()).isEqualTo(type);
    return r;
  }

  /** A query: asserts the 30, returns its reply of type {@code type}. */
  static JsonObject reply(TestClient c, JsonObject frame, int type) {
    ok(c, frame);
    Object unique = frame.getValue("unique");
    return c.await(x -> x.getInteger("msgType", 0) == type && unique.equals(x.getValue("unique")));
  }

  static Predicate<JsonObject> type(int t) {
    return x -> x.getInteger("msgType", 0) == t;
  }

  static Predicate<JsonObject> typeWith(int t, String field, String value) {
    return x -> x.getInteger("msgType", 0) == t && value.equals(String.valueOf(x.getValue(field)));
  }

  /** One "nothing like this arrives" expectation. */
  record Quiet(TestClient client, Predicate<JsonObject> what, String label) {
  }

  static Quiet none(TestClient c, Predicate<JsonObject> what, String label) {
    return new Quiet(c, what, label);
  }

  /** Waits {@link #QUIET} once, then asserts that none of the expectations' frames arrived. */
  static void quiet(Quiet... checks) {
    Cs.sleep(QUIET.toMillis());
    for (Quiet q : checks) {
      JsonObject got = null;
      try {
        got = q.client().await(q.what(), Duration.ZERO);
      } catch (AssertionError nothing) {
        // as expected
      }
      assertThat(got).as("%s: nothing may arrive at %s/%s, got %s", q.label(), q.client().userId, q.client().deviceId,
        got == null ? "" : got.encode()).isNull();
    }
  }

  /** The socket is still open and served: a heartbeat round trip. */
  static void alive(TestClient c) {
    assertThat(c.isClosed()).as("%s/%s closed", c.userId, c.deviceId).isFalse();
    String unique = TestClient.newUnique();
    c.send(f(20).put("unique", unique));
    c.await(x -> x.getInteger("msgType", 0) == 21 && unique.equals(x.getString("unique")));
    assertThat(c.history().stream().anyMatch(x -> x.getInteger("msgType", 0) == 99)).as("no 99 to %s", c.userId).isFalse();
  }

  // ---- chat state -------------------------------------------------------------------------------------------

  /** The message item as {@code viewer} sees it in its history with {@code peer}. */
  static JsonObject item(TestClient viewer, String peer, String messageId) {
    JsonObject page = reply(viewer, f(161).put("sender", peer).put("pageSize", 100), 162);
    for (Object o : page.getJsonArray("messages")) {
      JsonObject m = (JsonObject) o;
      if (messageId.equals(String.valueOf(m.getValue("messageId")))) {
        return m;
      }
    }
    throw new AssertionError("message " + messageId + " not in the history of " + viewer.userId + " with " + peer + ": "
      + page.encode());
  }

  static boolean retracted(TestClient viewer, String peer, String messageId) {
    return item(viewer, peer, messageId).getBoolean("retracted", false);
  }

  static boolean delivered(TestClient sender, String peer, String messageId) {
    return item(sender, peer, messageId).getBoolean("delivered", false);
  }

  static long unreadTotal(TestClient c) {
    return reply(c, f(180), 180).getLong("total");
  }

  static long unreadFrom(TestClient c, String peer) {
    return reply(c, f(180), 180).getJsonObject("unreadCounts", new JsonObject()).getLong(peer, 0L);
  }

  // ---- customer-service state ------------------------------------------------------------------------------

  static JsonObject roomInfo(TestClient member, String roomId) {
    return reply(member, f(550).put("roomId", roomId), 551);
  }

  static String callState(TestClient member, String roomId) {
    return roomInfo(member, roomId).getString("callState");
  }

  static JsonObject queueInfo(TestClient c, String queueId) {
    return reply(c, f(430).put("queueId", queueId), 431);
  }

  /** Every roomId of 540, page by page. */
  static List<String> listedRooms(TestClient c) {
    List<String> out = new ArrayList<>();
    for (int page = 1; page < 100; page++) {
      JsonObject r = reply(c, f(540).put("pageIndex", page).put("pageSize", 100), 541);
      JsonArray items = r.getJsonArray("roomInfoMsgs");
      items.forEach(o -> out.add(((JsonObject) o).getString("roomId")));
      if (items.size() < 100) {
        break;
      }
    }
    return out;
  }

  // ---- HTTP API -----------------------------------------------------------------------------------------------

  record Req(String method, String path, String body) {
  }

  record Resp(int status, String contentType, String body) {
    JsonObject json() {
      return body == null || body.isBlank() ? new JsonObject() : new JsonObject(body);
    }
  }

  static String nonce() {
    return UUID.randomUUID().toString();
  }

  static Resp signed(String appId, String secret, Req r, long ts, String nonce) {
    String body = r.body() == null ? "" : r.body();
    String sig = Signatures.api(secret, r.method(), appId, r.path(), Long.toString(ts), nonce, body);
    return send(builder(r).header("X-App-Id", appId).header("X-Timestamp", Long.toString(ts)).header("X-Nonce", nonce)
      .header("X-Signature", sig).build());
  }

  static Resp as1(Req r) {
    return signed(APP1, TestServer.SECRET, r, System.currentTimeMillis(), nonce());
  }

  static Resp as2(Req r) {
    return signed(APP2, SECRET2, r, System.currentTimeMillis(), nonce());
  }

  static Resp unsigned(Req r) {
    return send(builder(r).build());
  }

  private static HttpRequest.Builder builder(Req r) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + r.path())).timeout(Duration.ofSeconds(15))
      .header("Content-Type", "application/json")
      .method(r.method(), r.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(r.body()));
  }

  static Resp get(String pathAndQuery) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
      .timeout(Duration.ofSeconds(15)).GET().build());
  }

  static Resp send(HttpRequest req) {
    try {
      HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
      com.seedim.im.testkit.contract.HttpContract.shared().check(req, r).ifPresent(v -> {
        throw new AssertionError("docs/openapi.yaml contract violation: " + v);
      });
      return new Resp(r.statusCode(), r.headers().firstValue("content-type").orElse(""), r.body());
    } catch (AssertionError e) {
      throw e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A §7 problem: that status and code, and nothing but the problem fields (no data of the resource). */
  static void problem(Resp r, int status, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).as(r.body()).startsWith("application/problem+json");
    JsonObject b = r.json();
    assertThat(b.getString("code")).as(r.body()).isEqualTo(code);
    assertThat(b.fieldNames()).as(r.body()).isSubsetOf(List.of("type", "title", "status", "detail", "code"));
  }

  static JsonObject ok200(Resp r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }
}
