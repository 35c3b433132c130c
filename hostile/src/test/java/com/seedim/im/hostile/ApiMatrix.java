package com.seedim.im.hostile;

import com.seedim.im.hostile.Authz.Req;
import com.seedim.im.hostile.Authz.Resp;
import com.seedim.im.hostile.Fixtures.Room;
import com.seedim.im.hostile.Fixtures.Wait;
import com.seedim.im.testkit.Cs;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import static com.seedim.im.hostile.Authz.APP1;
import static com.seedim.im.hostile.Authz.APP2;
import static com.seedim.im.hostile.Authz.SECRET2;
import static com.seedim.im.hostile.Authz.alive;
import static com.seedim.im.hostile.Authz.as1;
import static com.seedim.im.hostile.Authz.as2;
import static com.seedim.im.hostile.Authz.c1;
import static com.seedim.im.hostile.Authz.f;
import static com.seedim.im.hostile.Authz.none;
import static com.seedim.im.hostile.Authz.ok;
import static com.seedim.im.hostile.Authz.ok200;
import static com.seedim.im.hostile.Authz.problem;
import static com.seedim.im.hostile.Authz.quiet;
import static com.seedim.im.hostile.Authz.refusedWith;
import static com.seedim.im.hostile.Authz.roomInfo;
import static com.seedim.im.hostile.Authz.signedSend;
import static com.seedim.im.hostile.Authz.type;
import static com.seedim.im.hostile.Authz.typeWith;
import static com.seedim.im.hostile.Authz.u;
import static com.seedim.im.hostile.Authz.unreadTotal;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * §7 HTTP API rows: every endpoint × {signed by app 1, unsigned, wrong secret, signed by app 2 (its own valid secret)
 * aimed at app-1 users/rooms/queues, replayed nonce, timestamp outside ±300 s}.
 */
final class ApiMatrix {
  private ApiMatrix() {
  }

  enum Signer {
    RIGHT("app 1"), UNSIGNED("unsigned"), WRONG_SECRET("wrong secret"), OTHER_APP("app 2 → app-1 ids"),
    REPLAY("replayed nonce"), STALE("timestamp ±400 s");

    final String label;

    Signer(String label) {
      this.label = label;
    }
  }

  static final String REFUSED = "401 `UNAUTHORIZED` problem, nothing changed";
  static final String REPLAY_REFUSED = "first use 200; the identical replay 401 `UNAUTHORIZED`, no second effect";

  /** What a cell acts on. */
  static final class Fx {
    String aId;
    String bId;
    TestClient a;
    TestClient b;
    Room room;
    Wait wait;
    String word;
    Object info;
  }

  /**
   * One endpoint: its fixture, its request on that fixture, the effect of an accepted call, the absence of any effect,
   * what makes a replay observable ({@code rearm}, after the first accepted call), and the check of app 2's call.
   */
  record Endpoint(String name, Supplier<Fx> setup, Function<Fx, Req> request, String rightExpected, BiConsumer<Fx, Resp> effect,
                  Consumer<Fx> noEffect, Consumer<Fx> rearm, String otherExpected, BiConsumer<Fx, Resp> other) {
    String expected(Signer s) {
      return switch (s) {
        case RIGHT -> rightExpected;
        case OTHER_APP -> otherExpected;
        case REPLAY -> REPLAY_REFUSED;
        default -> REFUSED;
      };
    }
  }

  /** Cells that change an app-wide setting (the sensitive-word list) run one at a time. */
  private static final Object APP_WIDE = new Object();

  static void check(Endpoint e, Signer s) {
    if (e.name().contains("sensitive-words")) {
      synchronized (APP_WIDE) {
        checkNow(e, s);
      }
    } else {
      checkNow(e, s);
    }
  }

  private static void checkNow(Endpoint e, Signer s) {
    Fx fx = e.setup().get();
    Req req = e.request().apply(fx);
    switch (s) {
      case RIGHT -> e.effect().accept(fx, as1(req));
      case UNSIGNED -> {
        problem(Authz.unsigned(req), 401, "UNAUTHORIZED");
        e.noEffect().accept(fx);
      }
      case WRONG_SECRET -> {
        problem(Authz.signed(APP1, SECRET2, req, System.currentTimeMillis(), Authz.nonce()), 401, "UNAUTHORIZED");
        e.noEffect().accept(fx);
      }
      case STALE -> {
        long now = System.currentTimeMillis();
        problem(Authz.signed(APP1, TestServer.SECRET, req, now - 400_000, Authz.nonce()), 401, "UNAUTHORIZED");
        problem(Authz.signed(APP1, TestServer.SECRET, req, now + 400_000, Authz.nonce()), 401, "UNAUTHORIZED");
        e.noEffect().accept(fx);
      }
      case REPLAY -> {
        long ts = System.currentTimeMillis();
        String nonce = Authz.nonce();
        e.effect().accept(fx, Authz.signed(APP1, TestServer.SECRET, req, ts, nonce));
        e.rearm().accept(fx);
        problem(Authz.signed(APP1, TestServer.SECRET, req, ts, nonce), 401, "UNAUTHORIZED");
        e.noEffect().accept(fx);
      }
      case OTHER_APP -> e.other().accept(fx, as2(req));
      default -> throw new IllegalStateException();
    }
  }

  private static final Consumer<Fx> NOTHING = fx -> {
  };

  static Fx users(boolean connectA, boolean connectB) {
    Fx fx = new Fx();
    fx.aId = u("a");
    fx.bId = u("b");
    if (connectA) {
      fx.a = c1(fx.aId, "d1");
    }
    if (connectB) {
      fx.b = c1(fx.bId, "d1");
    }
    return fx;
  }

  private static String body(Object... kv) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < kv.length; i += 2) {
      o.put((String) kv[i], kv[i + 1]);
    }
    return o.encode();
  }

  static List<Endpoint> endpoints() {
    List<Endpoint> out = new ArrayList<>();

    out.add(new Endpoint("POST /api/v1/sign", () -> users(false, false),
      fx -> new Req("POST", "/api/v1/sign", body("userId", fx.aId, "deviceId", "d1", "role", "agent")),
      "200 sign of app 1; its URL opens a socket", (fx, r) -> {
        JsonObject b = ok200(r);
        assertThat(b.getString("appId")).isEqualTo(APP1);
        String url = b.getString("url");
        TestClient c = Authz.server.connectRaw(url.substring(url.indexOf("/ws")), fx.aId, "d1", null).await();
        alive(c);
      }, NOTHING, NOTHING,
      "200 with a sign of app 2 only: the same URL with `appId` of app 1 is refused (401)", (fx, r) -> {
        JsonObject b = ok200(r);
        assertThat(b.getString("appId")).isEqualTo(APP2);
        String url = b.getString("url");
        String forged = url.substring(url.indexOf("/ws")).replace("appId=" + APP2, "appId=" + APP1);
        Resp handshake = Authz.get(forged);
        assertThat(handshake.status()).as(handshake.body()).isEqualTo(401);
        assertThat(handshake.json().getString("code")).isEqualTo("UNAUTHORIZED");
      }));

    out.add(new Endpoint("POST /api/v1/chat-sign", () -> users(true, true),
      fx -> new Req("POST", "/api/v1/chat-sign", body("userId", fx.aId, "receiveUserId", fx.bId)),
      "200; the sign lets A message B", (fx, r) -> {
        JsonObject b = ok200(r);
        String m = ok(fx.a, f(130).put("receiveUserId", fx.bId).put("message", "hi").put("receiveSign", b.getString("receiveSign"))
          .put("timestamp", b.getLong("timestamp"))).getString("messageId");
        fx.b.await(typeWith(140, "messageId", m));
      }, NOTHING, NOTHING,
      "200 with app 2's sign: app 1's A using it gets 132, nothing stored", (fx, r) -> {
        JsonObject b = ok200(r);
        refusedWith(fx.a, f(130).put("receiveUserId", fx.bId).put("message", "hi").put("receiveSign", b.getString("receiveSign"))
          .put("timestamp", b.getLong("timestamp")), 132);
        quiet(none(fx.b, type(140), "no 140 to B"));
      }));

    out.add(new Endpoint("DELETE /api/v1/chat-permission", () -> {
      Fx fx = users(true, true);
      ok(fx.a, signedSend(fx.aId, fx.bId, "granted"));
      return fx;
    }, fx -> new Req("DELETE", "/api/v1/chat-permission", body("userId", fx.aId, "receiveUserId", fx.bId)),
      "200; A's cached permission is gone (130 without a sign → 132)", (fx, r) -> {
        ok200(r);
        refusedWith(fx.a, f(130).put("receiveUserId", fx.bId).put("message", "after revoke"), 132);
      }, fx -> ok(fx.a, f(130).put("receiveUserId", fx.bId).put("message", "still allowed")),
      fx -> ok(fx.a, signedSend(fx.aId, fx.bId, "granted again")),
      "200 (app 2's own cache only): app 1's A still sends without a sign", (fx, r) -> {
        ok200(r);
        ok(fx.a, f(130).put("receiveUserId", fx.bId).put("message", "still allowed"));
      }));

    out.add(new Endpoint("POST /api/v1/messages", () -> users(false, true),
      fx -> new Req("POST", "/api/v1/messages", body("userId", fx.aId, "receiveUserId", fx.bId, "message", "from the business")),
      "200 `{messageId}`; 140 to B", (fx, r) -> {
        String m = ok200(r).getString("messageId");
        fx.b.await(typeWith(140, "messageId", m));
      }, fx -> {
        quiet(none(fx.b, type(140), "no (second) 140 to B"));
        assertThat(unreadTotal(fx.b)).isEqualTo(fx.info == null ? 0L : (Long) fx.info);
      }, fx -> fx.info = unreadTotal(fx.b),
      "200, stored in app 2: app 1's B gets no 140, its unread stays 0", (fx, r) -> {
        ok200(r);
        quiet(none(fx.b, type(140), "no 140 to app 1's B"));
        assertThat(unreadTotal(fx.b)).isZero();
      }));

    out.add(new Endpoint("GET /api/v1/presence", () -> users(true, false),
      fx -> new Req("GET", "/api/v1/presence?userIds=" + fx.aId, null),
      "200 `{A: true}`", (fx, r) -> assertThat(ok200(r).getJsonObject("statuses").getBoolean(fx.aId)).isTrue(),
      NOTHING, NOTHING,
      "200 `{A: false}` though app 1's A is online", (fx, r) ->
      assertThat(ok200(r).getJsonObject("statuses").getBoolean(fx.aId)).isFalse()));

    out.add(new Endpoint("POST /api/v1/kick", () -> users(true, false),
      fx -> new Req("POST", "/api/v1/kick", body("userId", fx.aId)),
      "200; A gets 99 KICKED and close 4001", (fx, r) -> {
        ok200(r);
        assertThat(fx.a.awaitType(99).getString("code")).isEqualTo("KICKED");
        assertThat(fx.a.awaitClose(Duration.ofSeconds(5))).isEqualTo((short) 4001);
      }, fx -> alive(fx.a), fx -> {
        Cs.sleep(5);
        fx.a = c1(fx.aId, "d1");
      },
      "200 `{kicked: 0}`: app 1's A stays connected and can still connect anew", (fx, r) -> {
        assertThat(ok200(r).getInteger("kicked")).isZero();
        alive(fx.a);
        alive(c1(fx.aId, "d2"));
      }));

    out.add(new Endpoint("GET /api/v1/queues/{queueId}", () -> {
      Fx fx = new Fx();
      fx.room = Fixtures.room(false);
      fx.wait = Fixtures.waiting(fx.room.q, false);
      return fx;
    }, fx -> new Req("GET", "/api/v1/queues/" + fx.wait.q, null),
      "200: U in `userIdList`, `served: 1`", (fx, r) -> {
        JsonObject b = ok200(r);
        assertThat(b.getJsonArray("userIdList")).containsExactly(fx.wait.uId);
        assertThat(b.getLong("served")).isEqualTo(1);
      }, NOTHING, NOTHING,
      "200 for app 2's own (empty) queue of that name: no app-1 waiter, `served: 0`", (fx, r) -> {
        JsonObject b = ok200(r);
        assertThat(b.getInteger("waitTotal")).isZero();
        assertThat(b.getLong("served", 0L)).isZero();
        assertThat(b.encode()).doesNotContain(fx.wait.uId).doesNotContain(fx.room.uId);
      }));

    out.add(new Endpoint("GET /api/v1/rooms", () -> {
      Fx fx = new Fx();
      fx.room = Fixtures.room(false);
      return fx;
    }, fx -> new Req("GET", "/api/v1/rooms?pageSize=100", null),
      "200 listing app 1's open rooms", (fx, r) -> {
        JsonObject b = ok200(r);
        assertThat(b.getLong("total")).isPositive();
        if (b.getLong("total") <= 100) {
          assertThat(b.getJsonArray("roomInfoMsgs").encode()).contains(fx.room.roomId);
        }
      }, NOTHING, NOTHING,
      "200 with no app-1 room (`total: 0`), open or closed (`?state=closed`)", (fx, r) -> {
        JsonObject b = ok200(r);
        assertThat(b.getLong("total")).isZero();
        assertThat(b.encode()).doesNotContain(fx.room.roomId);
        ok(fx.room.u, f(420));
        fx.room.g.await(typeWith(560, "roomId", fx.room.roomId));
        Req closed = new Req("GET", "/api/v1/rooms?state=closed&pageSize=100", null);
        assertThat(ok200(as1(closed)).getLong("total")).isPositive();
        JsonObject other = ok200(as2(closed));
        assertThat(other.getLong("total")).as(other.encode()).isZero();
        assertThat(other.encode()).doesNotContain(fx.room.roomId);
      }));

    out.add(new Endpoint("PUT /api/v1/rooms/{roomId}/info", () -> {
      Fx fx = new Fx();
      fx.room = Fixtures.room(false);
      fx.info = roomInfo(fx.room.u, fx.room.roomId).getValue("info");
      return fx;
    }, fx -> new Req("PUT", "/api/v1/rooms/" + fx.room.roomId + "/info", body("info", new JsonObject().put("order", "A-1"))),
      "200; 550 shows the new info", (fx, r) -> {
        ok200(r);
        assertThat(roomInfo(fx.room.u, fx.room.roomId).getValue("info")).isEqualTo(new JsonObject().put("order", "A-1"));
      }, fx -> assertThat(roomInfo(fx.room.u, fx.room.roomId).getValue("info")).isEqualTo(fx.info),
      fx -> {
        JsonObject later = new JsonObject().put("order", "B-2");
        ok200(as1(new Req("PUT", "/api/v1/rooms/" + fx.room.roomId + "/info", body("info", later))));
        fx.info = later;
      },
      "404 `NOT_FOUND` problem; the room's info unchanged", (fx, r) -> {
        problem(r, 404, "NOT_FOUND");
        assertThat(roomInfo(fx.room.u, fx.room.roomId).getValue("info")).isEqualTo(fx.info);
      }));

    out.add(new Endpoint("GET /api/v1/rooms/{roomId}/transcript", () -> {
      Fx fx = new Fx();
      fx.room = Fixtures.room(false);
      fx.word = "transcript of " + fx.room.roomId;
      ok(fx.room.u, f(130).put("receiveUserId", fx.room.gId).put("message", fx.word));
      return fx;
    }, fx -> new Req("GET", "/api/v1/rooms/" + fx.room.roomId + "/transcript", null),
      "200: the room's customer, agent and messages (read only)", (fx, r) -> {
        JsonObject b = ok200(r);
        assertThat(b.getString("customer")).isEqualTo(fx.room.uId);
        assertThat(b.getJsonArray("agents")).containsExactly(fx.room.gId);
        assertThat(b.getJsonArray("messages").encode()).contains(fx.word);
      }, NOTHING, NOTHING,
      "404 `NOT_FOUND` problem: no word of app 1's room", (fx, r) -> {
        problem(r, 404, "NOT_FOUND");
        assertThat(r.body()).doesNotContain(fx.word).doesNotContain(fx.room.uId);
      }));

    out.add(new Endpoint("PUT /api/v1/sensitive-words", () -> {
      Fx fx = users(true, true);
      fx.word = "zqx" + fx.aId.replaceAll("[^0-9]", "") + "word";
      return fx;
    }, fx -> new Req("PUT", "/api/v1/sensitive-words", body("words", new JsonArray().add(fx.word))),
      "200; app 1 now refuses the word (133)", (fx, r) -> {
        ok200(r);
        refusedWith(fx.a, signedSend(fx.aId, fx.bId, "say " + fx.word), 133);
      }, fx -> ok(fx.a, signedSend(fx.aId, fx.bId, "say " + fx.word)),
      fx -> ok200(as1(new Req("PUT", "/api/v1/sensitive-words", body("words", new JsonArray().add("zqxother"))))),
      "200 for app 2's list only: app 1 still accepts the word", (fx, r) -> {
        ok200(r);
        ok(fx.a, signedSend(fx.aId, fx.bId, "say " + fx.word));
      }));
    return out;
  }
}
