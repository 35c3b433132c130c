package com.seedim.im.hostile;

import com.seedim.im.testkit.TestClient;
import io.vertx.core.json.JsonObject;

import static com.seedim.im.hostile.Authz.agent1;
import static com.seedim.im.hostile.Authz.c1;
import static com.seedim.im.hostile.Authz.f;
import static com.seedim.im.hostile.Authz.offer;
import static com.seedim.im.hostile.Authz.ok;
import static com.seedim.im.hostile.Authz.signedSend;
import static com.seedim.im.hostile.Authz.u;
import static org.assertj.core.api.Assertions.assertThat;

/** The resources a cell acts on, each built fresh for that cell. */
final class Fixtures {
  private Fixtures() {
  }

  /** A (sender, device d1) sent message {@code m} to B (device d1); optional second devices d2 of both. */
  static final class Chat {
    String aId;
    String bId;
    TestClient a;
    TestClient a2;
    TestClient b;
    TestClient b2;
    String m;
  }

  /**
   * @param manualAcks the receivers (and A's d2) do not ack: the message stays undelivered until a cell acks it
   * @param second     connect d2 devices of A and B before the message
   */
  static Chat chat(boolean manualAcks, boolean second) {
    Chat c = new Chat();
    c.aId = u("a");
    c.bId = u("b");
    c.a = c1(c.aId, "d1");
    c.b = c1(c.bId, "d1");
    if (second) {
      c.a2 = c1(c.aId, "d2");
      c.b2 = c1(c.bId, "d2");
    }
    if (manualAcks) {
      c.b.autoAck(false);
      if (second) {
        c.a2.autoAck(false);
        c.b2.autoAck(false);
      }
    }
    c.m = ok(c.a, signedSend(c.aId, c.bId, "hello " + c.bId)).getString("messageId");
    c.b.await(Authz.typeWith(140, "messageId", c.m));
    if (second) {
      c.b2.await(Authz.typeWith(140, "messageId", c.m));
      c.a2.await(Authz.typeWith(140, "messageId", c.m));
    }
    if (!manualAcks) {
      c.a.await(Authz.typeWith(131, "messageId", c.m));
    }
    return c;
  }

  /** An agent G (device g1) and a customer U (device u1) in room {@code roomId}, taken from the cell's own queue. */
  static final class Room {
    String gId;
    String uId;
    String q;
    String roomId;
    TestClient g;
    TestClient g2;
    TestClient u;
    TestClient u2;
    String callId;
  }

  static Room room(boolean second) {
    Room r = new Room();
    r.gId = u("ag");
    r.uId = u("cu");
    r.q = u("q");
    r.g = agent1(r.gId, "g1");
    r.u = c1(r.uId, "u1");
    ok(r.u, f(400).put("queueId", r.q));
    r.u.await(Authz.typeWith(410, "queueId", r.q));
    JsonObject take = f(401).put("queueId", r.q).put("receiveUserId", r.uId);
    ok(r.g, take);
    JsonObject taken = r.g.await(x -> x.getInteger("msgType") == 402 && take.getValue("unique").equals(x.getValue("unique")));
    r.roomId = taken.getString("roomId");
    r.u.await(Authz.typeWith(402, "roomId", r.roomId));
    r.u.await(Authz.typeWith(551, "roomId", r.roomId));
    r.g.await(Authz.typeWith(551, "roomId", r.roomId));
    if (second) {
      r.g2 = agent1(r.gId, "g2");
      r.u2 = c1(r.uId, "u2");
      r.g2.await(Authz.typeWith(551, "roomId", r.roomId));
      r.u2.await(Authz.typeWith(551, "roomId", r.roomId));
    }
    return r;
  }

  /** G (bound to g1) calls: ringing on every device of U. */
  static Room ringing(boolean second) {
    Room r = room(second);
    r.callId = ok(r.g, f(300).put("message", offer())).getString("callId");
    assertThat(r.callId).matches("[0-9]+");
    r.u.await(Authz.typeWith(301, "callId", r.callId));
    if (second) {
      r.u2.await(Authz.typeWith(301, "callId", r.callId));
    }
    return r;
  }

  /** U answers on u1: active, G bound to g1, U bound to u1 (u2 got 321 answered_elsewhere). */
  static Room active(boolean second) {
    Room r = ringing(second);
    ok(r.u, f(310).put("callId", r.callId).put("message", new JsonObject().put("type", "answer").put("sdp", "v=0")));
    r.g.await(Authz.typeWith(311, "callId", r.callId));
    if (second) {
      assertThat(r.u2.await(Authz.type(321)).getString("reason")).isEqualTo("answered_elsewhere");
    }
    return r;
  }

  /** A customer U waiting in queue {@code q} (app 1). */
  static final class Wait {
    String uId;
    String q;
    TestClient u;
    TestClient u2;
  }

  static Wait waiting(String queueId, boolean second) {
    Wait w = new Wait();
    w.uId = u("cu");
    w.q = queueId == null ? u("q") : queueId;
    w.u = c1(w.uId, "u1");
    ok(w.u, f(400).put("queueId", w.q));
    w.u.await(Authz.typeWith(410, "queueId", w.q));
    if (second) {
      w.u2 = c1(w.uId, "u2");
    }
    return w;
  }
}
