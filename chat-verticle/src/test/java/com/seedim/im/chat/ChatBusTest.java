package com.seedim.im.chat;

import com.seedim.im.chat.store.ChatMessage;
import com.seedim.im.chat.store.MemoryChatStore;
import com.seedim.im.chat.store.NewMessage;
import com.seedim.im.chat.rules.ChatPermission;
import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.msg.ApiQueries.PermissionRevoke;
import com.seedim.im.common.bus.msg.ApiQueries.PresenceQuery;
import com.seedim.im.common.bus.msg.ApiQueries.WordsUpdate;
import com.seedim.im.common.bus.msg.BusMessages;
import com.seedim.im.common.bus.msg.DeliveredAcks;
import com.seedim.im.common.bus.msg.FrameRequest;
import com.seedim.im.common.bus.msg.RoomShareQuery;
import com.seedim.im.common.bus.msg.SessionOpened;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.id.IdGenerator;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.security.Signatures;
import com.seedim.im.common.store.Route;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chat verticle on a real event bus with dev stores: requests sent as the gateway sends them, pushes
 * captured on a gateway push address registered in the session directory. The room service is not deployed: a
 * stand-in answers its membership question ({@code Addresses.ROOM_SHARE}) for one room of agent7 and cust7.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatBusTest {
  private static final String APP = ServerConfig.DEV_APP_ID;
  private static final String SECRET = "bus-test-secret-0123456789-0123456789";
  private static final String LEGACY_APP = "legacy1";
  private static final String LEGACY_SECRET = "legacy-secret-0123456789-0123456789";
  private static final String GW = Addresses.gateway("bus-test");
  private static Vertx vertx;
  private static Infra infra;
  private static ChatVerticle verticle;
  private static final List<JsonObject> pushes = new ArrayList<>();
  /** The stand-in room service never answers whether someone shares a room with this user. */
  private static final String SILENT_ROOM_USER = "silent9";

  @BeforeAll
  static void deploy(Vertx injected) {
    vertx = injected;
    JsonObject app = new JsonObject().put("appId", APP).put("secret", SECRET).put("sensitiveWords", new JsonArray().add("badword"))
      .put("revealSensitiveWords", true);
    JsonObject legacy = new JsonObject().put("appId", LEGACY_APP).put("secret", LEGACY_SECRET).put("legacySign", true);
    ServerConfig cfg = ServerConfig.fromJson(new JsonObject().put("mode", "dev").put("apps", new JsonArray().add(app).add(legacy)),
      Map.of());
    infra = Infra.create(vertx, cfg).await();
    List<String> room = List.of("agent7", "cust7");
    vertx.eventBus().consumer(Addresses.ROOM_SHARE, m -> {
      RoomShareQuery q = BusMessages.read(m.body(), RoomShareQuery.class, RoomShareQuery::fromJson);
      if (SILENT_ROOM_USER.equals(q.userB())) {
        return; // a room service that never answers about this user
      }
      m.reply(room.contains(q.userA()) && room.contains(q.userB()) && !q.userA().equals(q.userB()));
    }).completion().await();
    verticle = new ChatVerticle(infra);
    vertx.deployVerticle(verticle).await();
    vertx.eventBus().consumer(GW, m -> {
      // the gateway contract: pushes of one event loop turn may arrive as one batch; read as their JSON, whether the
      // record itself (this JVM) or JSON (another node) arrived
      JsonObject body = BusMessages.json(m.body());
      JsonArray batch = body.getJsonArray("items");
      synchronized (pushes) {
        if (batch != null) {
          batch.forEach(o -> pushes.add((JsonObject) o));
        } else {
          pushes.add(body);
        }
        pushes.notifyAll();
      }
    }).completion().await();
  }

  private static RequestContext online(String user, String device) {
    String conn = "c-" + user + "-" + device;
    infra.directory().register(APP, user, new Route(device, conn, GW, "user", System.currentTimeMillis()), 5).await();
    return new RequestContext(APP, user, device, "user", conn, GW);
  }

  private static JsonObject request(String address, Object body) {
    return BusMessages.json(vertx.eventBus().request(address, body).await().body());
  }

  private static JsonObject awaitPush(Predicate<JsonObject> p) {
    long deadline = System.currentTimeMillis() + 5000;
    synchronized (pushes) {
      while (true) {
        for (JsonObject m : pushes) {
          if (p.test(m)) {
            pushes.remove(m);
            return m;
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("no matching push; got " + pushes);
        }
        try {
          pushes.wait(left);
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
    }
  }

  private static Predicate<JsonObject> pushTo(String user, int type) {
    return m -> user.equals(m.getString("userId")) && m.getJsonObject("frame").getInteger("msgType") == type;
  }

  @Test
  @DisplayName("130 with a valid sign: 30 fields in the reply, 140 pushed to the receiver and to the sender's other devices")
  void send() {
    RequestContext alice = online("alice1", "phone");
    online("alice1", "laptop");
    online("bob1", "pad");
    long ts = System.currentTimeMillis();
    JsonObject frame = new JsonObject().put("msgType", 130).put("receiveUserId", "bob1").put("message", "hi bob")
      .put("receiveSign", Signatures.chat(SECRET, APP, "alice1", "bob1", ts)).put("timestamp", ts);
    JsonObject reply = request(MsgType.SEND.address(), new FrameRequest(alice, frame));
    String id = reply.getJsonObject("ack").getString("messageId");
    assertThat(reply.getJsonObject("ack").getLong("sendTime")).isPositive();
    JsonObject push = awaitPush(pushTo("bob1", 140));
    assertThat(push.getJsonObject("frame").getString("messageId")).isEqualTo(id);
    assertThat(push.getBoolean("reliable")).isTrue();
    JsonObject own = awaitPush(pushTo("alice1", 140));
    assertThat(own.getString("except")).isEqualTo(alice.connId());
  }

  @Test
  @DisplayName("members of one room may message each other without a sign; others get 132")
  void roomMembers() {
    RequestContext agent = online("agent7", "desk");
    JsonObject frame = new JsonObject().put("msgType", 130).put("receiveUserId", "cust7").put("message", "how can I help?");
    JsonObject ok = request(MsgType.SEND.address(), new FrameRequest(agent, frame));
    assertThat(ok.getJsonObject("ack").getString("messageId")).isNotNull();
    JsonObject refused = request(MsgType.SEND.address(), new FrameRequest(agent, frame.copy().put("receiveUserId", "stranger")));
    assertThat(refused.getBoolean("noAck")).isTrue();
    assertThat(refused.getJsonObject("reply").getInteger("msgType")).isEqualTo(132);
    assertThat(refused.getJsonObject("reply").getString("receiveUserId")).isEqualTo("stranger");
  }

  @Test
  @DisplayName("a room service that does not answer: the 130 fails UNAVAILABLE within half the bus timeout, nothing stored")
  void silentRoomService() {
    RequestContext agent = online("agent7", "desk");
    JsonObject frame = new JsonObject().put("msgType", 130).put("receiveUserId", SILENT_ROOM_USER).put("message", "hello?");
    long t0 = System.currentTimeMillis();
    assertThatThrownBy(() -> request(MsgType.SEND.address(), new FrameRequest(agent, frame)))
      .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(ErrorCode.UNAVAILABLE.busCode()));
    long busTimeoutMs = infra.config().busTimeoutMs();
    assertThat(System.currentTimeMillis() - t0).isBetween(busTimeoutMs / 2 - 100, busTimeoutMs - 500);
    JsonObject unread = request(MsgType.UNREAD_TOTAL.address(), new FrameRequest(
      new RequestContext(APP, SILENT_ROOM_USER, "d", "user", null, null), new JsonObject().put("msgType", 180)));
    assertThat(unread.getJsonObject("reply").getLong("total", 0L)).as("nothing stored for %s", SILENT_ROOM_USER).isZero();
  }

  @Test
  @DisplayName("HTTP send: no sign needed, returns {messageId, sendTime}; a sensitive word fails with SENSITIVE_WORD")
  void apiSend() {
    online("bob2", "pad");
    RequestContext system = new RequestContext(APP, "system", "api", "user", null, null);
    JsonObject ok = request(Addresses.CHAT_API_SEND, new FrameRequest(system, new JsonObject().put("receiveUserId", "bob2")
      .put("message", "notice")));
    assertThat(ok.getString("messageId")).matches("[0-9]+");
    assertThat(awaitPush(pushTo("bob2", 140)).getJsonObject("frame").getString("userId")).isEqualTo("system");
    assertThatThrownBy(() -> request(Addresses.CHAT_API_SEND, new FrameRequest(system, new JsonObject()
      .put("receiveUserId", "bob2").put("message", "a BadWord here"))))
      .isInstanceOfSatisfying(ReplyException.class, e -> {
        assertThat(e.failureCode()).isEqualTo(ErrorCode.SENSITIVE_WORD.busCode());
        assertThat(e.getMessage()).contains("badword");
      });
  }

  @Test
  @DisplayName("PUT sensitive words: persisted and applied at once (also via the published reload)")
  void words() {
    RequestContext system = new RequestContext(APP, "system2", "api", "user", null, null);
    JsonObject res = request(Addresses.CHAT_API_WORDS, new WordsUpdate(APP, List.of("badword", "forbidden")));
    assertThat(res.getInteger("count")).isEqualTo(2);
    assertThatThrownBy(() -> request(Addresses.CHAT_API_SEND, new FrameRequest(system, new JsonObject()
      .put("receiveUserId", "x").put("message", "ＦＯＲＢＩＤＤＥＮ")))).isInstanceOf(ReplyException.class);
    assertThatThrownBy(() -> request(Addresses.CHAT_API_WORDS, new WordsUpdate(APP, List.of("fine", " "))))
      .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(ErrorCode.INVALID_FIELD.busCode()));
  }

  @Test
  @DisplayName("141 from a receiver device marks delivered and sends 131 to the sender; from the sender's device nothing")
  void delivered() {
    RequestContext carol = online("carol3", "phone");
    RequestContext dan = online("dan3", "phone");
    String id = request(Addresses.CHAT_API_SEND, new FrameRequest(new RequestContext(APP, "carol3", "api", "user", null, null),
      new JsonObject().put("receiveUserId", "dan3").put("message", "m"))).getString("messageId");
    awaitPush(pushTo("dan3", 140));
    JsonObject none = request(Addresses.CHAT_DELIVERED, new DeliveredAcks(List.of(new DeliveredAcks.Acked(carol, List.of(id)))));
    assertThat(none.getInteger("delivered")).isZero();
    JsonObject one = request(Addresses.CHAT_DELIVERED,
      new DeliveredAcks(List.of(new DeliveredAcks.Acked(dan, List.of(id, "garbage")))));
    assertThat(one.getInteger("delivered")).isEqualTo(1);
    JsonObject n131 = awaitPush(pushTo("carol3", 131)).getJsonObject("frame");
    assertThat(n131.getString("messageId")).isEqualTo(id);
    assertThat(n131.getString("receiveUserId")).isEqualTo("dan3");
  }

  @Test
  @DisplayName("sweeper: an undelivered message older than the minimum age is re-pushed to its online receiver once")
  void sweeper() {
    MemoryChatStore store = infra.shared(MemoryChatStore.class, MemoryChatStore::new);
    long past = System.currentTimeMillis() - 60_000;
    long id = ((past - IdGenerator.EPOCH_MS) << (IdGenerator.NODE_BITS + IdGenerator.SEQ_BITS)) + 5;
    store.insert(new NewMessage(APP, id, "erin4", "fred4", "phone", null, NewMessage.hash("fred4", "text", "lost"), "lost",
      "text", past), 0).await();
    store.insert(new NewMessage(APP, id + 1, "erin4", "offline4", "phone", null, NewMessage.hash("offline4", "text", "x"), "x",
      "text", past), 0).await();
    online("fred4", "phone");
    int first = verticle.sweepNow(ChatConfig.DEFAULT_SWEEP_MIN_AGE_MS).await();
    assertThat(first).isEqualTo(1);
    JsonObject p = awaitPush(pushTo("fred4", 140));
    assertThat(p.getJsonObject("frame").getString("messageId")).isEqualTo(Long.toString(id));
    assertThat(verticle.sweepNow(ChatConfig.DEFAULT_SWEEP_MIN_AGE_MS).await()).as("claimed once").isZero();
    ChatMessage still = store.message(APP, id).await();
    assertThat(still.delivered()).as("stays undelivered until acked").isFalse();
  }

  @Test
  @DisplayName("HTTP presence sees everyone of the app; revoke drops a cached permission")
  void presenceAndRevoke() {
    online("gina5", "phone");
    JsonObject st = request(Addresses.CHAT_API_PRESENCE, new PresenceQuery(APP, List.of("gina5", "nobody5")))
      .getJsonObject("statuses");
    assertThat(st.getMap()).containsEntry("gina5", true).containsEntry("nobody5", false);
    RequestContext hank = online("hank5", "phone");
    long ts = System.currentTimeMillis();
    JsonObject signed = new JsonObject().put("msgType", 130).put("receiveUserId", "gina5").put("message", "1")
      .put("receiveSign", Signatures.chat(SECRET, APP, "hank5", "gina5", ts)).put("timestamp", ts);
    assertThat(request(MsgType.SEND.address(), new FrameRequest(hank, signed)).containsKey("ack")).isTrue();
    JsonObject unsigned = new JsonObject().put("msgType", 130).put("receiveUserId", "gina5").put("message", "2");
    assertThat(request(MsgType.SEND.address(), new FrameRequest(hank, unsigned)).containsKey("ack")).as("cached").isTrue();
    request(Addresses.CHAT_API_REVOKE, new PermissionRevoke(APP, "hank5", "gina5"));
    JsonObject refused = request(MsgType.SEND.address(), new FrameRequest(hank, unsigned.copy()));
    assertThat(refused.getJsonObject("reply").getInteger("msgType")).isEqualTo(132);
  }

  @Test
  @DisplayName("a permission known in this process is forgotten when another node publishes its revoke (the shared record "
    + "already deleted there): the next unsigned 130 is refused")
  void revokePublishedByAnotherNode() {
    RequestContext ivan = online("ivan5", "phone");
    online("judy5", "phone");
    long ts = System.currentTimeMillis();
    JsonObject signed = new JsonObject().put("msgType", 130).put("receiveUserId", "judy5").put("message", "1")
      .put("receiveSign", Signatures.chat(SECRET, APP, "ivan5", "judy5", ts)).put("timestamp", ts);
    assertThat(request(MsgType.SEND.address(), new FrameRequest(ivan, signed)).containsKey("ack")).isTrue();
    JsonObject unsigned = new JsonObject().put("msgType", 130).put("receiveUserId", "judy5").put("message", "2");
    assertThat(request(MsgType.SEND.address(), new FrameRequest(ivan, unsigned.copy())).containsKey("ack")).isTrue();
    // what the other node did: deleted the shared record, then published the revoke
    infra.kv().delete(ChatPermission.cacheKey(APP, "ivan5", "judy5")).await();
    infra.vertx().eventBus().publish(Addresses.CHAT_PERMISSION_REVOKED, new PermissionRevoke(APP, "ivan5", "judy5"));
    JsonObject refused = null;
    for (int i = 0; i < 50; i++) { // the publication is asynchronous
      refused = request(MsgType.SEND.address(), new FrameRequest(ivan, unsigned.copy().put("message", "r" + i)));
      if (refused.containsKey("reply")) {
        break;
      }
      sleep(20);
    }
    assertThat(refused.getJsonObject("reply").getInteger("msgType")).isEqualTo(132);
  }

  @Test
  @DisplayName("legacy app: the MD5 chat sign is accepted (any sender), cached only briefly; apps stay apart")
  void legacySign() {
    String conn = "c-legacy";
    infra.directory().register(LEGACY_APP, "100", new Route("d", conn, GW, "user", System.currentTimeMillis()), 5).await();
    RequestContext sender = new RequestContext(LEGACY_APP, "100", "d", "user", conn, GW);
    long ts = System.currentTimeMillis();
    JsonObject frame = new JsonObject().put("msgType", 130).put("receiveUserId", "200").put("message", "hi")
      .put("receiveSign", Signatures.legacyChat(LEGACY_SECRET, LEGACY_APP, "200", ts))
      .put("receiveSignTime", ts);
    assertThat(request(MsgType.SEND.address(), new FrameRequest(sender, frame)).containsKey("ack")).isTrue();
    JsonObject hmac = frame.copy().put("receiveUserId", "300")
      .put("receiveSign", Signatures.chat(LEGACY_SECRET, LEGACY_APP, "100", "300", ts));
    assertThat(request(MsgType.SEND.address(), new FrameRequest(sender, hmac)).getJsonObject("reply").getInteger("msgType")).isEqualTo(132);
    String ttl = infra.kv().get(ChatPermission.cacheKey(LEGACY_APP, "100", "200")).await();
    assertThat(ttl).isNotNull();
    JsonObject heads = request(Addresses.CHAT_CONNECT, new SessionOpened(new RequestContext(APP, "100", "d", "user", "c-x", GW),
      false, null));
    assertThat(heads.containsKey("self")).as("nothing of the legacy app is visible in the other app").isFalse();
  }

  @Test
  @DisplayName("133 reveals the matched words when the app sets revealSensitiveWords")
  void revealWords() {
    RequestContext agent = online("agent7", "desk2");
    JsonObject refused = request(MsgType.SEND.address(), new FrameRequest(agent, new JsonObject().put("msgType", 130)
      .put("receiveUserId", "cust7").put("message", "so BADWORD")));
    assertThat(refused.getBoolean("noAck")).isTrue();
    JsonObject reply = refused.getJsonObject("reply");
    assertThat(reply.getInteger("msgType")).isEqualTo(133);
    assertThat(reply.getString("message")).isEqualTo("so BADWORD");
    assertThat(reply.getJsonArray("words")).containsExactly("badword");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
