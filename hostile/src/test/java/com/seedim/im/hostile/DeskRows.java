package com.seedim.im.hostile;

import com.seedim.im.common.store.DeskGrants;
import com.seedim.im.cs.CustomerService;
import com.seedim.im.cs.store.ServiceRecords.CallRecord;
import com.seedim.im.hostile.AuthorizationMatrixTest.Actor;
import com.seedim.im.hostile.Fixtures.Room;
import com.seedim.im.testkit.TestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

import static com.seedim.im.hostile.Authz.APP1;
import static com.seedim.im.hostile.Authz.VIP;
import static com.seedim.im.hostile.Authz.admin1;
import static com.seedim.im.hostile.Authz.agent1;
import static com.seedim.im.hostile.Authz.c1;
import static com.seedim.im.hostile.Authz.c2;
import static com.seedim.im.hostile.Authz.claims;
import static com.seedim.im.hostile.Authz.err;
import static com.seedim.im.hostile.Authz.f;
import static com.seedim.im.hostile.Authz.none;
import static com.seedim.im.hostile.Authz.ok;
import static com.seedim.im.hostile.Authz.quiet;
import static com.seedim.im.hostile.Authz.reply;
import static com.seedim.im.hostile.Authz.roomInfo;
import static com.seedim.im.hostile.Authz.typeWith;
import static com.seedim.im.hostile.Authz.u;
import static com.seedim.im.hostile.Fixtures.active;
import static com.seedim.im.hostile.Fixtures.room;
import static com.seedim.im.testkit.Cs.sleep;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rows of the desk extensions (protocol §14, msgTypes 600–699) in the authorization matrix, written from the
 * specification: 600 agents only; 610 the room's agent or an admin; 630 customers; 640 available agents; 650 agents
 * and admins allowed to read the customer (§14.5); 652 the room's members, past and present, and those allowed to
 * read its customer; 660 the call's participants; 670 admins.
 */
final class DeskRows {
  /** Adds one cell to the matrix. */
  @FunctionalInterface
  interface Cells {
    void cell(int code, Actor a, String expected, Runnable check);
  }

  private DeskRows() {
  }

  static void build(Cells c) {
    agentStatus(c);
    transfer(c);
    customerRooms(c);
    transcript(c);
    callStats(c);
    supervisor(c);
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  /** The agent's status as 600 without a status reads it. */
  private static String status(TestClient agent) {
    return reply(agent, f(600), 601).getString("status");
  }

  private static List<String> roomIds(JsonObject reply651) {
    List<String> out = new ArrayList<>();
    reply651.getJsonArray("rooms").forEach(o -> out.add(((JsonObject) o).getString("roomId")));
    return out;
  }

  /** The call's record (written asynchronously on MariaDB: waited for). */
  private static CallRecord call(String callId) {
    for (int i = 0; i < 50; i++) {
      CallRecord r = CustomerService.of(Authz.server.infra()).records().call(APP1, callId).await();
      if (r != null) {
        return r;
      }
      sleep(100);
    }
    throw new AssertionError("no record of call " + callId);
  }

  /** The call record once {@code userId}'s report is in it (the records are written asynchronously). */
  private static JsonObject reportOf(String callId, String userId) {
    for (int i = 0; i < 50; i++) {
      CallRecord r = call(callId);
      if (r != null && r.stats().containsKey(userId)) {
        return r.stats().get(userId);
      }
      sleep(100);
    }
    throw new AssertionError("no 660 report of " + userId + " stored with call " + callId);
  }

  private static JsonObject stats(String callId) {
    return f(660).put("callId", callId).put("candidateType", "relay").put("rttMs", 20);
  }

  // ---- 600 ------------------------------------------------------------------------------------------------------

  private static void agentStatus(Cells c) {
    c.cell(600, Actor.OWNER, "601 `{status: away}` for the agent itself; a later read says away", () -> {
      TestClient g = agent1(u("ag"), "g1");
      assertThat(reply(g, f(600).put("status", "away"), 601).getString("status")).isEqualTo("away");
      assertThat(status(g)).isEqualTo("away");
    });
    c.cell(600, Actor.PEER, "10 FORBIDDEN for the customer of G's room (agents only); G stays available", () -> {
      Room r = room(false);
      err(r.u, f(600).put("status", "away").mergeIn(claims(r.gId, "g1")), "FORBIDDEN");
      assertThat(status(r.g)).isEqualTo("available");
    });
    c.cell(600, Actor.OUTSIDER, "601 about its own status for another agent carrying G's claims; G unchanged", () -> {
      TestClient g = agent1(u("ag"), "g1");
      TestClient other = agent1(u("ag"), "g1");
      JsonObject r = reply(other, f(600).put("status", "offline").mergeIn(claims(g.userId, "g1")), 601);
      assertThat(r.getString("userId")).isEqualTo(other.userId);
      assertThat(status(g)).isEqualTo("available");
    });
    c.cell(600, Actor.OTHER_APP, "601 in app 2 for app 2's agent of the same id; app 1's G stays available", () -> {
      TestClient g = agent1(u("ag"), "g1");
      assertThat(reply(c2(g.userId, "g1", "agent"), f(600).put("status", "away"), 601).getString("status")).isEqualTo("away");
      assertThat(status(g)).isEqualTo("available");
    });
    c.cell(600, Actor.WRONG_ROLE, "10 FORBIDDEN for an admin and for a customer", () -> {
      err(admin1(), f(600).put("status", "away"), "FORBIDDEN");
      err(c1(u("cu"), "u1"), f(600).put("status", "away"), "FORBIDDEN");
    });
    c.cell(600, Actor.WRONG_DEVICE, "601 on G's d2; G's d1 gets the same 601 as a push", () -> {
      String gId = u("ag");
      TestClient d1 = agent1(gId, "g1");
      TestClient d2 = agent1(gId, "g2");
      assertThat(reply(d2, f(600).put("status", "away"), 601).getString("status")).isEqualTo("away");
      assertThat(d1.await(typeWith(601, "status", "away")).getString("userId")).isEqualTo(gId);
    });
  }

  // ---- 610 ------------------------------------------------------------------------------------------------------

  private static void transfer(Cells c) {
    c.cell(610, Actor.OWNER, "611 to G, G' and U; 560 `transferred` to G; G' is the room's agent", () -> {
      Room r = room(false);
      TestClient g2 = agent1(u("ag"), "g1");
      ok(r.g, f(610).put("roomId", r.roomId).put("toUserId", g2.userId));
      for (TestClient x : List.of(r.g, g2, r.u)) {
        x.await(typeWith(611, "roomId", r.roomId));
      }
      assertThat(r.g.await(typeWith(560, "roomId", r.roomId)).getString("reason")).isEqualTo("transferred");
      assertThat(roomInfo(g2, r.roomId).getString("creator")).isEqualTo(g2.userId);
    });
    c.cell(610, Actor.PEER, "10 FORBIDDEN for the room's customer; the room keeps G", () -> {
      Room r = room(false);
      TestClient g2 = agent1(u("ag"), "g1");
      err(r.u, f(610).put("roomId", r.roomId).put("toUserId", g2.userId).mergeIn(claims(r.gId, "g1")), "FORBIDDEN");
      quiet(none(g2, typeWith(611, "roomId", r.roomId), "no 611"));
      assertThat(roomInfo(r.g, r.roomId).getString("creator")).isEqualTo(r.gId);
    });
    c.cell(610, Actor.OUTSIDER, "10 NOT_FOUND for an agent who is not the room's agent; the room keeps G", () -> {
      Room r = room(false);
      TestClient other = agent1(u("ag"), "g1");
      err(other, f(610).put("roomId", r.roomId).put("toUserId", other.userId).mergeIn(claims(r.gId, "g1")), "NOT_FOUND");
      quiet(none(r.u, typeWith(611, "roomId", r.roomId), "no 611"));
      assertThat(roomInfo(r.g, r.roomId).getString("creator")).isEqualTo(r.gId);
    });
    c.cell(610, Actor.OTHER_APP, "10 NOT_FOUND for app 2's G and app 2's admin naming the room; the room keeps G", () -> {
      Room r = room(false);
      TestClient g2 = agent1(u("ag"), "g1");
      err(c2(r.gId, "g1", "agent"), f(610).put("roomId", r.roomId).put("toUserId", g2.userId), "NOT_FOUND");
      err(c2(u("adm"), "d1", "admin"), f(610).put("roomId", r.roomId).put("toUserId", g2.userId), "NOT_FOUND");
      assertThat(roomInfo(r.g, r.roomId).getString("creator")).isEqualTo(r.gId);
    });
    c.cell(610, Actor.WRONG_ROLE, "an admin of the app may transfer: 611 `byUserId` the admin to G, G' and U", () -> {
      Room r = room(false);
      TestClient g2 = agent1(u("ag"), "g1");
      TestClient admin = admin1();
      ok(admin, f(610).put("roomId", r.roomId).put("toUserId", g2.userId));
      assertThat(r.u.await(typeWith(611, "roomId", r.roomId)).getString("byUserId")).isEqualTo(admin.userId);
      g2.await(typeWith(611, "roomId", r.roomId));
      r.g.await(typeWith(611, "roomId", r.roomId));
    });
    c.cell(610, Actor.WRONG_DEVICE, "30 from G's d2 (any device of the room's agent): 611 to U", () -> {
      Room r = room(true);
      TestClient g2 = agent1(u("ag"), "g1");
      ok(r.g2, f(610).put("roomId", r.roomId).put("toUserId", g2.userId));
      r.u.await(typeWith(611, "roomId", r.roomId));
      assertThat(roomInfo(g2, r.roomId).getString("creator")).isEqualTo(g2.userId);
    });
  }

  // ---- 650 ------------------------------------------------------------------------------------------------------

  private static void customerRooms(Cells c) {
    c.cell(650, Actor.OWNER, "651 listing the room for the agent now serving U", () -> {
      Room r = room(false);
      assertThat(roomIds(reply(r.g, f(650).put("userId", r.uId), 651))).containsExactly(r.roomId);
    });
    c.cell(650, Actor.PEER, "10 FORBIDDEN for U itself (customers never read the room list)", () -> {
      Room r = room(false);
      err(r.u, f(650).put("userId", r.uId).mergeIn(claims(r.gId, "g1")), "FORBIDDEN");
    });
    c.cell(650, Actor.OUTSIDER, "10 FORBIDDEN for an agent not serving U (with G's claims); 651 once a left-message take grants it", () -> {
      Room r = room(false);
      TestClient other = agent1(u("ag"), "g1");
      err(other, f(650).put("userId", r.uId).mergeIn(claims(r.gId, "g1")), "FORBIDDEN");
      DeskGrants.grant(Authz.server.infra().kv(), APP1, other.userId, r.uId, 60_000).await();
      assertThat(roomIds(reply(other, f(650).put("userId", r.uId), 651))).containsExactly(r.roomId);
    });
    c.cell(650, Actor.OTHER_APP, "10 FORBIDDEN for app 2's G; 651 without app-1 rooms (empty) for app 2's admin", () -> {
      Room r = room(false);
      err(c2(r.gId, "g1", "agent"), f(650).put("userId", r.uId), "FORBIDDEN");
      JsonObject rooms = reply(c2(u("adm"), "d1", "admin"), f(650).put("userId", r.uId), 651);
      assertThat(rooms.getJsonArray("rooms")).isEqualTo(new JsonArray());
    });
    c.cell(650, Actor.WRONG_ROLE, "10 FORBIDDEN for another customer; 651 with the room for an admin", () -> {
      Room r = room(false);
      err(c1(u("cu"), "u1"), f(650).put("userId", r.uId).mergeIn(claims(r.gId, "g1")), "FORBIDDEN");
      assertThat(roomIds(reply(admin1(), f(650).put("userId", r.uId), 651))).containsExactly(r.roomId);
    });
    c.cell(650, Actor.WRONG_DEVICE, "651 from G's d2", () -> {
      Room r = room(true);
      assertThat(roomIds(reply(r.g2, f(650).put("userId", r.uId), 651))).containsExactly(r.roomId);
    });
  }

  // ---- 652 ------------------------------------------------------------------------------------------------------

  /** A room whose customer said one thing to its agent: the word to find in the transcript. */
  private static String said(Room r) {
    String word = "said in " + r.roomId;
    ok(r.u, f(130).put("receiveUserId", r.gId).put("message", word));
    return word;
  }

  private static String transcriptOf(TestClient c, String roomId) {
    return reply(c, f(652).put("roomId", roomId), 653).getJsonArray("messages").encode();
  }

  private static void transcript(Cells c) {
    c.cell(652, Actor.OWNER, "653 with the room's messages for its agent", () -> {
      Room r = room(false);
      String word = said(r);
      assertThat(transcriptOf(r.g, r.roomId)).contains(word);
    });
    c.cell(652, Actor.PEER, "653 with the room's messages for its customer", () -> {
      Room r = room(false);
      String word = said(r);
      assertThat(transcriptOf(r.u, r.roomId)).contains(word);
    });
    c.cell(652, Actor.OUTSIDER, "10 FORBIDDEN for an unrelated agent and an unrelated customer (with G's claims)", () -> {
      Room r = room(false);
      said(r);
      err(agent1(u("ag"), "g1"), f(652).put("roomId", r.roomId).mergeIn(claims(r.gId, "g1")), "FORBIDDEN");
      err(c1(u("cu"), "u1"), f(652).put("roomId", r.roomId).mergeIn(claims(r.uId, "u1")), "FORBIDDEN");
    });
    c.cell(652, Actor.OTHER_APP, "10 NOT_FOUND for app 2's G, U and admin naming the room", () -> {
      Room r = room(false);
      said(r);
      err(c2(r.gId, "g1", "agent"), f(652).put("roomId", r.roomId), "NOT_FOUND");
      err(c2(r.uId, "u1", null), f(652).put("roomId", r.roomId), "NOT_FOUND");
      err(c2(u("adm"), "d1", "admin"), f(652).put("roomId", r.roomId), "NOT_FOUND");
    });
    c.cell(652, Actor.WRONG_ROLE, "653 for an admin of the app", () -> {
      Room r = room(false);
      String word = said(r);
      assertThat(transcriptOf(admin1(), r.roomId)).contains(word);
    });
    c.cell(652, Actor.WRONG_DEVICE, "653 from U's d2", () -> {
      Room r = room(true);
      String word = said(r);
      assertThat(transcriptOf(r.u2, r.roomId)).contains(word);
    });
  }

  // ---- 660 ------------------------------------------------------------------------------------------------------

  private static void callStats(Cells c) {
    c.cell(660, Actor.OWNER, "30; the caller's report is stored with the call", () -> {
      Room r = active(false);
      ok(r.g, stats(r.callId));
      assertThat(reportOf(r.callId, r.gId).getString("candidateType")).isEqualTo("relay");
    });
    c.cell(660, Actor.PEER, "30; the callee's report is stored with the call", () -> {
      Room r = active(false);
      ok(r.u, stats(r.callId));
      assertThat(reportOf(r.callId, r.uId).getDouble("rttMs")).isEqualTo(20.0);
    });
    c.cell(660, Actor.OUTSIDER, "10 NOT_FOUND for a customer not in the call (with U's claims); nothing stored", () -> {
      Room r = active(false);
      TestClient other = c1(u("cu"), "u1");
      err(other, stats(r.callId).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
      assertThat(call(r.callId).stats()).isEmpty();
    });
    c.cell(660, Actor.OTHER_APP, "10 NOT_FOUND for app 2's U naming the call; nothing stored", () -> {
      Room r = active(false);
      err(c2(r.uId, "u1", null), stats(r.callId), "NOT_FOUND");
      assertThat(call(r.callId).stats()).isEmpty();
    });
    c.cell(660, Actor.WRONG_ROLE, "10 NOT_FOUND for an admin (participants only); nothing stored", () -> {
      Room r = active(false);
      err(admin1(), stats(r.callId), "NOT_FOUND");
      assertThat(call(r.callId).stats()).isEmpty();
    });
    c.cell(660, Actor.WRONG_DEVICE, "30 from U's d2 (any device of a participant); stored as U's", () -> {
      Room r = active(true);
      ok(r.u2, stats(r.callId));
      assertThat(reportOf(r.callId, r.uId).getString("candidateType")).isEqualTo("relay");
    });
  }

  // ---- 670 ------------------------------------------------------------------------------------------------------

  private static List<String> supervisedRooms(JsonObject reply671) {
    List<String> out = new ArrayList<>();
    reply671.getJsonArray("rooms").forEach(o -> out.add(((JsonObject) o).getString("roomId")));
    return out;
  }

  private static void supervisor(Cells c) {
    c.cell(670, Actor.OWNER, "671 of app 1 listing the open room (when among the newest 200)", () -> {
      Room r = room(false);
      List<String> rooms = supervisedRooms(reply(admin1(), f(670), 671));
      if (rooms.size() < 200) {
        assertThat(rooms).contains(r.roomId);
      }
    });
    c.cell(670, Actor.PEER, "10 FORBIDDEN for the customer of a room", () -> {
      Room r = room(false);
      err(r.u, f(670).mergeIn(claims(u("adm"), "d1")), "FORBIDDEN");
    });
    c.cell(670, Actor.OUTSIDER, "10 FORBIDDEN for an unrelated agent", () -> {
      err(agent1(u("ag"), "g1"), f(670).mergeIn(claims(u("adm"), "d1")), "FORBIDDEN");
    });
    c.cell(670, Actor.OTHER_APP, "671 of app 2 only for app 2's admin: no app-1 room or user", () -> {
      Room r = room(false);
      JsonObject view = reply(c2(u("adm"), "d1", "admin"), f(670), 671);
      assertThat(view.encode()).doesNotContain(r.roomId).doesNotContain(r.gId).doesNotContain(r.uId);
    });
    c.cell(670, Actor.WRONG_ROLE, "10 FORBIDDEN for the agent serving a room (admins only)", () -> {
      Room r = room(false);
      err(r.g, f(670), "FORBIDDEN");
    });
    c.cell(670, Actor.WRONG_DEVICE, "671 from the admin's d2", () -> {
      String adm = u("adm");
      c1(adm, "d1", "admin");
      assertThat(reply(c1(adm, "d2", "admin"), f(670), 671).getJsonArray("queues")).isNotNull();
    });
  }
}
