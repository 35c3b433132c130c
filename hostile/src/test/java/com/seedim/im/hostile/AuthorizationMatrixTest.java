package com.seedim.im.hostile;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.hostile.Fixtures.Chat;
import com.seedim.im.hostile.Fixtures.Room;
import com.seedim.im.hostile.Fixtures.Wait;
import com.seedim.im.queue.QueueVerticle;
import com.seedim.im.room.RoomVerticle;
import com.seedim.im.signaling.SignalingVerticle;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static com.seedim.im.hostile.Authz.APP2;
import static com.seedim.im.hostile.Authz.SECRET2;
import static com.seedim.im.hostile.Authz.VIP;
import static com.seedim.im.hostile.Authz.VIP_AGENT;
import static com.seedim.im.hostile.Authz.admin1;
import static com.seedim.im.hostile.Authz.agent1;
import static com.seedim.im.hostile.Authz.alive;
import static com.seedim.im.hostile.Authz.c1;
import static com.seedim.im.hostile.Authz.c2;
import static com.seedim.im.hostile.Authz.callState;
import static com.seedim.im.hostile.Authz.candidate;
import static com.seedim.im.hostile.Authz.claims;
import static com.seedim.im.hostile.Authz.delivered;
import static com.seedim.im.hostile.Authz.err;
import static com.seedim.im.hostile.Authz.f;
import static com.seedim.im.hostile.Authz.item;
import static com.seedim.im.hostile.Authz.listedRooms;
import static com.seedim.im.hostile.Authz.none;
import static com.seedim.im.hostile.Authz.offer;
import static com.seedim.im.hostile.Authz.ok;
import static com.seedim.im.hostile.Authz.queueInfo;
import static com.seedim.im.hostile.Authz.quiet;
import static com.seedim.im.hostile.Authz.refusedWith;
import static com.seedim.im.hostile.Authz.reply;
import static com.seedim.im.hostile.Authz.retracted;
import static com.seedim.im.hostile.Authz.roomInfo;
import static com.seedim.im.hostile.Authz.signedSend;
import static com.seedim.im.hostile.Authz.type;
import static com.seedim.im.hostile.Authz.typeWith;
import static com.seedim.im.hostile.Authz.u;
import static com.seedim.im.hostile.Authz.unreadFrom;
import static com.seedim.im.hostile.Authz.unreadTotal;
import static com.seedim.im.hostile.Fixtures.active;
import static com.seedim.im.hostile.Fixtures.chat;
import static com.seedim.im.hostile.Fixtures.ringing;
import static com.seedim.im.hostile.Fixtures.room;
import static com.seedim.im.hostile.Fixtures.waiting;
import static com.seedim.im.testkit.Cs.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The authorization matrix: every client msgType of the {@link MsgType} registry × {owner, peer, outsider, otherApp,
 * wrongRole, wrongDevice}, each cell asserting the exact answer and that a refused action changed nothing; then every
 * §7 HTTP endpoint × {right app, unsigned, wrong secret, other app, replayed nonce, stale timestamp}
 * ({@link ApiMatrix}). One in-memory server with two tenants for the whole class; every cell uses fresh ids.
 */
@DisplayName("authorization matrix (WebSocket msgTypes × actors, HTTP API × signers)")
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AuthorizationMatrixTest {

  enum Actor {
    OWNER("owner"), PEER("peer"), OUTSIDER("outsider"), OTHER_APP("otherApp"), WRONG_ROLE("wrongRole"),
    WRONG_DEVICE("wrongDevice");

    final String label;

    Actor(String label) {
      this.label = label;
    }
  }

  /** One cell: the expected outcome (documentation, also in docs/security.md §7) and its check. */
  record Cell(String expected, Runnable check) {
  }

  /**
   * Cells that reveal an authorization bug that is not fixed yet: "msgType × actor" (or "API row × signer") → what
   * happens instead. Such a cell still runs; a failure is reported as an aborted (skipped) test carrying this note,
   * and a pass fails the test so that the entry is removed once the bug is fixed.
   */
  /**
   * Cells that show a hole still open (the cell runs, prints the hole and is skipped). Empty: the idempotency-key
   * collision this matrix found (user P on device '1:d' vs user 'P:1' on device 'd', audit M3) is fixed by
   * {@code Keys.idempotency}, and its two probes now pass.
   */
  static final Map<String, String> KNOWN_HOLES = Map.of();

  static final Map<Integer, Map<Actor, Cell>> MATRIX = new TreeMap<>();

  @BeforeAll
  static void start(Vertx vertx) {
    // -Dauthz.durable=true runs the same matrix on MariaDB + Redis (a fresh database and key prefix)
    Authz.server = TestServer.builder().vertx(vertx).durable(Boolean.getBoolean("authz.durable"))
      .app(new JsonObject().put("requireChatSign", true).put("dynamicQueues", true)
        .put("queues", new JsonArray().add(new JsonObject().put("id", "default").put("agents", "all"))
          .add(new JsonObject().put("id", VIP).put("agents", new JsonArray().add(VIP_AGENT)))))
      .extraApp(new JsonObject().put("appId", APP2).put("secret", SECRET2).put("requireChatSign", true)
        .put("dynamicQueues", true))
      .verticle(ChatVerticle::new).verticle(QueueVerticle::new).verticle(RoomVerticle::new).verticle(SignalingVerticle::new)
      .start();
  }

  @AfterAll
  static void stop() {
    if (Authz.server != null) {
      Authz.server.close();
      Authz.server = null;
    }
  }

  /** The client msgTypes the matrix must cover: the registry's, never a hand-written list. */
  static List<MsgType> clientTypes() {
    List<MsgType> out = new ArrayList<>();
    for (MsgType t : MsgType.values()) {
      if (t.fromClient() || t == MsgType.ACK || t == MsgType.PUSH_ACK || t == MsgType.HEARTBEAT || t == MsgType.LOGOUT) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  @DisplayName("every client msgType of the registry has a complete row (a new type cannot skip the matrix)")
  void everyClientTypeHasARow() {
    List<String> missing = new ArrayList<>();
    for (MsgType t : clientTypes()) {
      Map<Actor, Cell> row = matrix().get(t.code());
      if (row == null) {
        missing.add(t.code() + " " + t.name() + ": no row");
        continue;
      }
      for (Actor a : Actor.values()) {
        if (!row.containsKey(a)) {
          missing.add(t.code() + " " + t.name() + ": no " + a.label + " cell");
        }
      }
    }
    for (Integer code : matrix().keySet()) {
      MsgType t = MsgType.of(code);
      if (t == null || !clientTypes().contains(t)) {
        missing.add(code + ": row for a type that is not a client type of the registry");
      }
    }
    assertThat(missing).as("authorization matrix rows").isEmpty();
  }

  @TestFactory
  @Execution(ExecutionMode.CONCURRENT) // the cells are independent; the class itself runs alone
  @DisplayName("WebSocket: msgType × actor")
  List<DynamicNode> websocket() {
    List<DynamicNode> out = new ArrayList<>();
    for (MsgType t : clientTypes()) {
      Map<Actor, Cell> row = matrix().get(t.code());
      if (row == null) {
        out.add(DynamicTest.dynamicTest(t.code() + " × (no row)", () -> fail("msgType " + t.code() + " " + t.name()
          + " has no row in the authorization matrix")));
        continue;
      }
      List<DynamicTest> cells = new ArrayList<>();
      for (Actor a : Actor.values()) {
        Cell c = row.get(a);
        String name = t.code() + " × " + a.label;
        cells.add(DynamicTest.dynamicTest(name, () -> {
          if (c == null) {
            fail(name + " has no cell");
          }
          run(name, c);
        }));
      }
      out.add(DynamicContainer.dynamicContainer(t.code() + " " + t.name(), cells));
    }
    return out;
  }

  @TestFactory
  @Execution(ExecutionMode.CONCURRENT) // the cells are independent; the class itself runs alone
  @DisplayName("HTTP API: endpoint × signer")
  List<DynamicNode> httpApi() {
    List<DynamicNode> out = new ArrayList<>();
    for (ApiMatrix.Endpoint e : ApiMatrix.endpoints()) {
      List<DynamicTest> cells = new ArrayList<>();
      for (ApiMatrix.Signer s : ApiMatrix.Signer.values()) {
        String name = e.name() + " × " + s.label;
        cells.add(DynamicTest.dynamicTest(name, () -> run(name, new Cell(e.expected(s), () -> ApiMatrix.check(e, s)))));
      }
      out.add(DynamicContainer.dynamicContainer(e.name(), cells));
    }
    return out;
  }

  /**
   * Probes beyond the matrix. The per-device records of §4 (idempotency) must not be reachable by another user's device:
   * ids may contain ':' (§1), so user {@code P} on device {@code 1:d} and user {@code P:1} on device {@code d} are still
   * two different (appId, userId, deviceId) keys. And the room-membership chat permission of §5 ends with the room.
   */
  @TestFactory
  @Execution(ExecutionMode.CONCURRENT) // the cells are independent; the class itself runs alone
  @DisplayName("probes: rules beyond one msgType × actor cell")
  List<DynamicNode> probes() {
    List<DynamicNode> out = new ArrayList<>();
    for (Map.Entry<String, Cell> p : probeCells().entrySet()) {
      out.add(DynamicTest.dynamicTest(p.getKey(), () -> run(p.getKey(), p.getValue())));
    }
    return out;
  }

  static Map<String, Cell> probeCells() {
    Map<String, Cell> out = new LinkedHashMap<>();
    out.put("probe 190 × colliding (userId, deviceId)", new Cell(
      "user P:1 (device d) retracting with unique k after user P (device 1:d) used k: processed as its own → retracted",
      () -> {
        String p = u("p");
        String victimId = p + ":1";
        TestClient attacker = c1(p, "1:d");
        TestClient victim = c1(victimId, "d");
        String bId = u("b");
        TestClient b = c1(bId, "d1");
        String mA = ok(attacker, signedSend(p, bId, "mine")).getString("messageId");
        String mV = ok(victim, signedSend(victimId, bId, "victim's")).getString("messageId");
        b.await(typeWith(140, "messageId", mV));
        String k = "k-" + p;
        ok(attacker, f(190).put("messageId", mA).put("receiveUserId", bId).put("unique", k));
        b.await(typeWith(192, "messageId", mA));
        ok(victim, f(190).put("messageId", mV).put("receiveUserId", bId).put("unique", k));
        sleep(QUIET_MS);
        assertThat(retracted(victim, bId, mV)).as("%s's message %s after its 190 got a 30", victimId, mV).isTrue();
        b.await(typeWith(192, "messageId", mV));
      }));
    out.put("probe 401 × colliding (userId, deviceId)", new Cell(
      "agent G (device 1:d) replaying the unique of agent G:1's (device d) take: its own take (QUEUE_EMPTY), not G:1's 402",
      () -> {
        String g = u("g");
        Wait w = waiting(null, false);
        TestClient victim = agent1(g + ":1", "d");
        TestClient attacker = agent1(g, "1:d");
        String k = "take-" + g;
        ok(victim, f(401).put("queueId", w.q).put("unique", k));
        victim.await(x -> x.getInteger("msgType") == 402 && k.equals(x.getString("unique")));
        attacker.send(f(401).put("queueId", w.q).put("unique", k));
        JsonObject answer = attacker.await(x -> x.getInteger("msgType") == 10 || x.getInteger("msgType") == 402);
        assertThat(answer.getInteger("msgType") == 10 && "QUEUE_EMPTY".equals(answer.getString("code")))
          .as("%s must not receive %s's take (customer %s): got %s", g, g + ":1", w.uId, answer).isTrue();
        sleep(QUIET_MS);
        assertThat(attacker.drain()).noneMatch(x -> x.getInteger("msgType") == 402);
      }));
    out.put("probe 130 × former room member", new Cell(
      "after the room closed (420), the customer needs a sign again to message the agent: 132",
      () -> {
        Room r = room(false);
        ok(r.u, f(130).put("receiveUserId", r.gId).put("message", "during"));
        ok(r.u, f(420));
        r.g.await(typeWith(560, "roomId", r.roomId));
        refusedWith(r.u, f(130).put("receiveUserId", r.gId).put("message", "after"), 132);
      }));
    return out;
  }

  /** Writes both tables as Markdown (target/authz-matrix.md), the source of the tables in docs/security.md §7. */
  @Test
  @DisplayName("the matrix as Markdown")
  void markdown() throws IOException {
    StringBuilder md = new StringBuilder("| msgType |");
    for (Actor a : Actor.values()) {
      md.append(' ').append(a.label).append(" |");
    }
    md.append("\n|---|");
    md.append("---|".repeat(Actor.values().length)).append('\n');
    for (Map.Entry<Integer, Map<Actor, Cell>> r : matrix().entrySet()) {
      md.append("| ").append(r.getKey()).append(' ').append(MsgType.of(r.getKey()).name()).append(" |");
      for (Actor a : Actor.values()) {
        String key = r.getKey() + " × " + a.label;
        md.append(' ').append(KNOWN_HOLES.containsKey(key) ? "**HOLE** " : "").append(r.getValue().get(a).expected()).append(" |");
      }
      md.append('\n');
    }
    md.append("\n| endpoint |");
    for (ApiMatrix.Signer s : ApiMatrix.Signer.values()) {
      md.append(' ').append(s.label).append(" |");
    }
    md.append("\n|---|").append("---|".repeat(ApiMatrix.Signer.values().length)).append('\n');
    for (ApiMatrix.Endpoint e : ApiMatrix.endpoints()) {
      md.append("| `").append(e.name()).append("` |");
      for (ApiMatrix.Signer s : ApiMatrix.Signer.values()) {
        String key = e.name() + " × " + s.label;
        md.append(' ').append(KNOWN_HOLES.containsKey(key) ? "**HOLE** " : "").append(e.expected(s)).append(" |");
      }
      md.append('\n');
    }
    md.append("\n| probe | expected |\n|---|---|\n");
    for (Map.Entry<String, Cell> e : probeCells().entrySet()) {
      md.append("| ").append(e.getKey()).append(" | ").append(KNOWN_HOLES.containsKey(e.getKey()) ? "**HOLE** " : "")
        .append(e.getValue().expected()).append(" |\n");
    }
    Path p = Path.of("target", "authz-matrix.md");
    Files.createDirectories(p.getParent());
    Files.writeString(p, md.toString());
    assertThat(md.toString()).contains("| 130 SEND |");
  }

  static void run(String name, Cell c) {
    String hole = KNOWN_HOLES.get(name);
    if (hole == null) {
      long t0 = System.nanoTime();
      c.check().run();
      System.out.printf("cell %-45s ok %4d ms  %s%n", name, (System.nanoTime() - t0) / 1_000_000, c.expected());
      return;
    }
    try {
      c.check().run();
    } catch (AssertionError | RuntimeException e) {
      System.out.println("KNOWN_HOLE " + name + ": " + hole + "\n  observed: " + e.getMessage());
      Assumptions.abort("KNOWN_HOLE " + name + ": " + hole + " (observed: " + e.getMessage() + ")");
    }
    fail("KNOWN_HOLE " + name + " passes now: remove it from KNOWN_HOLES (" + hole + ")");
  }

  // ================================================================================================================
  // The table
  // ================================================================================================================

  static synchronized Map<Integer, Map<Actor, Cell>> matrix() {
    if (MATRIX.isEmpty()) {
      build();
    }
    return MATRIX;
  }

  private static Map<Actor, Cell> row(int code) {
    return MATRIX.computeIfAbsent(code, k -> new EnumMap<>(Actor.class));
  }

  static void cell(int code, Actor a, String expected, Runnable check) {
    Cell prev = row(code).put(a, new Cell(expected, check));
    if (prev != null) {
      throw new IllegalStateException("two cells for " + code + " × " + a.label);
    }
  }

  private static void build() {
    heartbeat();
    acks();
    presence();
    unread();
    send();
    view();
    history();
    unreadTotalRow();
    retract();
    read();
    logout();
    callRequest();
    callAccept();
    callReject();
    callHangup();
    candidates();
    queueEnter();
    queueTake();
    queueLeave();
    queueInfoRow();
    roomList();
    roomInfoRow();
    leaveMessageRow();
    messageTakeRow();
    DeskRows.build(AuthorizationMatrixTest::cell);
  }

  private static final Duration SHORT = Duration.ofMillis(50);
  private static final long QUIET_MS = Authz.QUIET.toMillis();

  // ---- 20 -------------------------------------------------------------------------------------------------------

  private static void heartbeat() {
    String exp = "21 echoing `unique`, no 30";
    cell(20, Actor.OWNER, exp, () -> beat(c1(u("a"), "d1")));
    cell(20, Actor.PEER, exp, () -> beat(c1(u("b"), "d1")));
    cell(20, Actor.OUTSIDER, exp, () -> beat(c1(u("c"), "d1")));
    cell(20, Actor.OTHER_APP, exp + "; 5 app-2 devices of the same userId, in another role, replace none of app 1's", () -> {
      String a = u("a");
      TestClient mine = c1(a, "d1");
      for (int i = 1; i <= 5; i++) {
        beat(c2(a, "d" + i, "agent"));
      }
      alive(mine);
    });
    cell(20, Actor.WRONG_ROLE, exp + " (any role)", () -> beat(agent1(u("ag"), "d1")));
    cell(20, Actor.WRONG_DEVICE, exp + " (any device)", () -> {
      String a = u("a");
      c1(a, "d1");
      beat(c1(a, "d2"));
    });
  }

  private static void beat(TestClient c) {
    String unique = TestClient.newUnique();
    c.send(f(20).put("unique", unique).put("mark", new JsonObject().put("k", 1)));
    JsonObject first = c.await(x -> unique.equals(x.getValue("unique")));
    assertThat(first.getInteger("msgType")).as(first.encode()).isEqualTo(21);
    assertThat(first.getJsonObject("mark")).isEqualTo(new JsonObject().put("k", 1));
    c.assertNone(x -> unique.equals(x.getValue("unique")), SHORT);
  }

  // ---- 31 / 141 -------------------------------------------------------------------------------------------------

  /** The unique of the 140 of message m that socket c received. */
  private static String pushUnique(TestClient c, String m) {
    return c.history().stream().filter(x -> x.getInteger("msgType", 0) == 140 && m.equals(x.getString("messageId")))
      .findFirst().orElseThrow().getString("unique");
  }

  /** An ack that must not mark the message delivered: no reply to the acker, no 131 to A, still undelivered. */
  private static void ackIgnored(Chat c, TestClient acker, JsonObject ack) {
    acker.send(ack);
    quiet(none(acker, x -> List.of(10, 30).contains(x.getInteger("msgType")), "acks never get a reply"),
      none(c.a, typeWith(131, "messageId", c.m), "no 131 to the sender"));
    assertThat(delivered(c.a, c.bId, c.m)).as("message still undelivered").isFalse();
  }

  /** An ack that marks the message delivered: no reply, 131 to A, delivered. */
  private static void ackCounts(Chat c, TestClient acker, JsonObject ack) {
    acker.send(ack);
    c.a.await(typeWith(131, "messageId", c.m));
    quiet(none(acker, x -> List.of(10, 30).contains(x.getInteger("msgType")), "acks never get a reply"));
    assertThat(delivered(c.a, c.bId, c.m)).isTrue();
  }

  private static void acks() {
    cell(31, Actor.OWNER, "no reply; the receiver socket's 31 of its 140 marks delivered → 131 to the sender", () -> {
      Chat c = chat(true, false);
      ackCounts(c, c.b, f(31).put("unique", pushUnique(c.b, c.m)));
    });
    cell(31, Actor.PEER, "no reply; the sender's other device acking its copy only stops resends: no 131, undelivered", () -> {
      Chat c = chat(true, true);
      ackIgnored(c, c.a2, f(31).put("unique", pushUnique(c.a2, c.m)));
    });
    cell(31, Actor.OUTSIDER, "no reply; acking another socket's push `unique` does nothing (no 131, undelivered)", () -> {
      Chat c = chat(true, false);
      ackIgnored(c, c1(u("c"), "d1"), f(31).put("unique", pushUnique(c.b, c.m)).mergeIn(claims(c.bId, "d1")));
    });
    cell(31, Actor.OTHER_APP, "no reply; app 2's B acking app 1's push `unique` does nothing", () -> {
      Chat c = chat(true, false);
      ackIgnored(c, c2(c.bId, "d1", null), f(31).put("unique", pushUnique(c.b, c.m)).mergeIn(claims(c.bId, "d1")));
    });
    cell(31, Actor.WRONG_ROLE, "no reply; an admin acking B's push `unique` does nothing", () -> {
      Chat c = chat(true, false);
      ackIgnored(c, admin1(), f(31).put("unique", pushUnique(c.b, c.m)).mergeIn(claims(c.bId, "d1")));
    });
    cell(31, Actor.WRONG_DEVICE, "no reply; B's d2 acking d1's push `unique` does nothing (acks count only on the socket that got the push)",
      () -> {
        Chat c = chat(true, true);
        ackIgnored(c, c.b2, f(31).put("unique", pushUnique(c.b, c.m)));
      });

    cell(141, Actor.OWNER, "no reply; marks delivered → 131 to the sender", () -> {
      Chat c = chat(true, false);
      ackCounts(c, c.b, f(141).put("messageId", c.m));
    });
    cell(141, Actor.PEER, "no reply; from the sender's own device it only stops resends: no 131, undelivered", () -> {
      Chat c = chat(true, true);
      ackIgnored(c, c.a2, f(141).put("messageId", c.m));
    });
    cell(141, Actor.OUTSIDER, "no reply; nothing (no 131, undelivered)", () -> {
      Chat c = chat(true, false);
      ackIgnored(c, c1(u("c"), "d1"), f(141).put("messageIds", new JsonArray().add(c.m)).mergeIn(claims(c.bId, "d1")));
    });
    cell(141, Actor.OTHER_APP, "no reply; app 2's B acking app 1's messageId does nothing", () -> {
      Chat c = chat(true, false);
      ackIgnored(c, c2(c.bId, "d1", null), f(141).put("messageId", c.m).mergeIn(claims(c.bId, "d1")));
    });
    cell(141, Actor.WRONG_ROLE, "no reply; an admin's ack does nothing", () -> {
      Chat c = chat(true, false);
      ackIgnored(c, admin1(), f(141).put("messageId", c.m).mergeIn(claims(c.bId, "d1")));
    });
    cell(141, Actor.WRONG_DEVICE, "no reply; B's d2, which got its own 140, marks delivered (any receiver device) → 131", () -> {
      Chat c = chat(true, true);
      ackCounts(c, c.b2, f(141).put("messageId", c.m));
    });
  }

  // ---- 101 ------------------------------------------------------------------------------------------------------

  private static boolean online(TestClient asker, String who) {
    return online(asker, who, new JsonObject());
  }

  private static boolean online(TestClient asker, String who, JsonObject claims) {
    return reply(asker, f(101).put("userIds", new JsonArray().add(who)).mergeIn(claims), 101).getJsonObject("statuses")
      .getBoolean(who);
  }

  private static void presence() {
    cell(101, Actor.OWNER, "101 `{B: true}` (conversation peer)", () -> {
      Chat c = chat(false, false);
      assertThat(online(c.a, c.bId)).isTrue();
    });
    cell(101, Actor.PEER, "101 `{A: true}`", () -> {
      Chat c = chat(false, false);
      assertThat(reply(c.b, f(101).put("receiveUserId", c.aId), 101).getJsonObject("statuses").getBoolean(c.aId)).isTrue();
    });
    cell(101, Actor.OUTSIDER, "101 `{B: false}` though B is online (no shared conversation, presencePublic off)", () -> {
      Chat c = chat(false, false);
      assertThat(online(c1(u("c"), "d1"), c.bId, claims(c.aId, "d1"))).isFalse();
    });
    cell(101, Actor.OTHER_APP, "101 `{B: false}` for app 2's A: app 1's presence is invisible", () -> {
      Chat c = chat(false, false);
      assertThat(online(c2(c.aId, "d1", null), c.bId, claims(c.aId, "d1"))).isFalse();
    });
    cell(101, Actor.WRONG_ROLE, "101 `{B: false}` for an unrelated admin (no presence privilege on the socket)", () -> {
      Chat c = chat(false, false);
      assertThat(online(admin1(), c.bId, claims(c.aId, "d1"))).isFalse();
    });
    cell(101, Actor.WRONG_DEVICE, "101 `{B: true}` from A's d2", () -> {
      Chat c = chat(false, false);
      assertThat(online(c1(c.aId, "d2"), c.bId)).isTrue();
    });
  }

  // ---- 102 ------------------------------------------------------------------------------------------------------

  private static JsonObject unreadList(TestClient c, String peer) {
    JsonObject f = f(102);
    if (peer != null) {
      f.put("receiveUserId", peer);
    }
    return reply(c, f, 102);
  }

  private static void emptyUnread(TestClient c, String peer, JsonObject claims) {
    JsonObject f = f(102).mergeIn(claims);
    if (peer != null) {
      f.put("receiveUserId", peer);
    }
    JsonObject r = reply(c, f, 102);
    assertThat(r.getLong("total")).as(r.encode()).isZero();
    assertThat(r.getJsonArray("messages")).as(r.encode()).isEmpty();
  }

  private static void unread() {
    cell(102, Actor.OWNER, "102 with m (B is the receiver), total 1; reading changes nothing", () -> {
      Chat c = chat(false, false);
      JsonObject r = unreadList(c.b, c.aId);
      assertThat(r.getLong("total")).isEqualTo(1);
      assertThat(r.getJsonArray("messages").getJsonObject(0).getString("messageId")).isEqualTo(c.m);
      assertThat(unreadTotal(c.b)).isEqualTo(1);
    });
    cell(102, Actor.PEER, "102 empty, total 0 (A sent m; it is not A's unread)", () -> {
      Chat c = chat(false, false);
      emptyUnread(c.a, c.bId, new JsonObject());
    });
    cell(102, Actor.OUTSIDER, "102 empty, total 0 (naming A as the peer reveals nothing)", () -> {
      Chat c = chat(false, false);
      emptyUnread(c1(u("c"), "d1"), c.aId, claims(c.bId, "d1"));
    });
    cell(102, Actor.OTHER_APP, "102 empty, total 0 for app 2's B", () -> {
      Chat c = chat(false, false);
      emptyUnread(c2(c.bId, "d1", null), null, claims(c.bId, "d1"));
      assertThat(unreadTotal(c.b)).isEqualTo(1);
    });
    cell(102, Actor.WRONG_ROLE, "102 empty for an admin naming A", () -> {
      Chat c = chat(false, false);
      emptyUnread(admin1(), c.aId, claims(c.bId, "d1"));
    });
    cell(102, Actor.WRONG_DEVICE, "102 with m from B's d2", () -> {
      Chat c = chat(false, false);
      assertThat(unreadList(c1(c.bId, "d2"), null).getLong("total")).isEqualTo(1);
    });
  }

  // ---- 130 ------------------------------------------------------------------------------------------------------

  private static void send() {
    cell(130, Actor.OWNER, "30 with messageId; 140 to B (also without a sign between the two members of a room)", () -> {
      String a = u("a");
      String b = u("b");
      TestClient ca = c1(a, "d1");
      TestClient cb = c1(b, "d1");
      String m = ok(ca, signedSend(a, b, "hi")).getString("messageId");
      cb.await(typeWith(140, "messageId", m));
      // members of one room need no sign (§5 step 2)
      Room r = room(false);
      String m2 = ok(r.u, f(130).put("receiveUserId", r.gId).put("message", "help")).getString("messageId");
      r.g.await(typeWith(140, "messageId", m2));
    });
    cell(130, Actor.PEER, "132 when B answers without a sign of its own (permission is per direction); nothing stored", () -> {
      Chat c = chat(false, false);
      refusedWith(c.b, f(130).put("receiveUserId", c.aId).put("message", "reply"), 132);
      quiet(none(c.a, type(140), "no 140 to A"));
      assertThat(unreadFrom(c.a, c.bId)).isZero();
    });
    cell(130, Actor.OUTSIDER, "132 for C replaying A's `receiveSign` to B; nothing stored", () -> {
      Chat c = chat(false, false);
      String cId = u("c");
      JsonObject stolen = TestServer.chatSign(c.aId, c.bId);
      refusedWith(c1(cId, "d1"), f(130).put("receiveUserId", c.bId).put("message", "spam").mergeIn(stolen), 132);
      quiet(none(c.b, type(140), "no 140 to B"));
      assertThat(unreadFrom(c.b, cId)).isZero();
    });
    cell(130, Actor.OTHER_APP, "132 for app 2's A: neither app 1's cached permission A→B, nor an app-1 sign, nor app 1's room of U and G counts", () -> {
      Chat c = chat(false, false);
      TestClient x = c2(c.aId, "d1", null);
      refusedWith(x, f(130).put("receiveUserId", c.bId).put("message", "cross").mergeIn(claims(c.aId, "d1")), 132);
      refusedWith(x, f(130).put("receiveUserId", c.bId).put("message", "cross").mergeIn(TestServer.chatSign(c.aId, c.bId)), 132);
      quiet(none(c.b, type(140), "no 140 to app 1's B"));
      assertThat(unreadFrom(c.b, c.aId)).isEqualTo(1);
      // app 1's room of U and G grants app 2's U nothing
      Room r = room(false);
      refusedWith(c2(r.uId, "u1", null), f(130).put("receiveUserId", r.gId).put("message", "help"), 132);
      quiet(none(r.g, type(140), "no 140 to app 1's G"));
    });
    cell(130, Actor.WRONG_ROLE, "132 for an agent with no room with B and no sign (the role grants no chat permission)", () -> {
      Chat c = chat(false, false);
      refusedWith(agent1(u("ag"), "d1"), f(130).put("receiveUserId", c.bId).put("message", "hello"), 132);
      quiet(none(c.b, type(140), "no 140 to B"));
    });
    cell(130, Actor.WRONG_DEVICE, "30 from A's d2 without a sign: the permission cached by d1's sign is per (app, sender, receiver)", () -> {
      Chat c = chat(false, false);
      String m = ok(c1(c.aId, "d2"), f(130).put("receiveUserId", c.bId).put("message", "again")).getString("messageId");
      c.b.await(typeWith(140, "messageId", m));
    });
  }

  // ---- 160 ------------------------------------------------------------------------------------------------------

  private static void view() {
    cell(160, Actor.OWNER, "30; B's unread from A → 0; 199 to A", () -> {
      Chat c = chat(false, false);
      ok(c.b, f(160).put("receiveUserId", c.aId));
      assertThat(c.a.await(typeWith(199, "messageId", c.m)).getString("userId")).isEqualTo(c.bId);
      assertThat(unreadFrom(c.b, c.aId)).isZero();
    });
    cell(160, Actor.PEER, "30, nothing to mark (A has nothing unread from B); B's unread unchanged", () -> {
      Chat c = chat(false, false);
      ok(c.a, f(160).put("receiveUserId", c.bId));
      quiet(none(c.b, type(199), "no 199 to B"));
      assertThat(unreadFrom(c.b, c.aId)).isEqualTo(1);
    });
    cell(160, Actor.OUTSIDER, "30, no-op (no conversation with A); no 199; B's unread unchanged", () -> {
      Chat c = chat(false, false);
      ok(c1(u("c"), "d1"), f(160).put("receiveUserId", c.aId).mergeIn(claims(c.bId, "d1")));
      quiet(none(c.a, type(199), "no 199 to A"));
      assertThat(unreadFrom(c.b, c.aId)).isEqualTo(1);
    });
    cell(160, Actor.OTHER_APP, "30, no-op in app 2; app 1's B still has 1 unread, A gets no 199", () -> {
      Chat c = chat(false, false);
      ok(c2(c.bId, "d1", null), f(160).put("receiveUserId", c.aId).mergeIn(claims(c.bId, "d1")));
      quiet(none(c.a, type(199), "no 199 to A"));
      assertThat(unreadFrom(c.b, c.aId)).isEqualTo(1);
    });
    cell(160, Actor.WRONG_ROLE, "30, no-op for an admin naming A; no 199", () -> {
      Chat c = chat(false, false);
      ok(admin1(), f(160).put("receiveUserId", c.aId).mergeIn(claims(c.bId, "d1")));
      quiet(none(c.a, type(199), "no 199 to A"));
      assertThat(unreadFrom(c.b, c.aId)).isEqualTo(1);
    });
    cell(160, Actor.WRONG_DEVICE, "30 from B's d2: read (any device of the reader); 199 to A", () -> {
      Chat c = chat(false, false);
      ok(c1(c.bId, "d2"), f(160).put("receiveUserId", c.aId));
      c.a.await(typeWith(199, "messageId", c.m));
      assertThat(unreadFrom(c.b, c.aId)).isZero();
    });
  }

  // ---- 161 ------------------------------------------------------------------------------------------------------

  private static void emptyHistory(TestClient c, String peer, JsonObject claims) {
    JsonObject page = reply(c, f(161).put("sender", peer).mergeIn(claims), 162);
    assertThat(page.getJsonArray("messages")).as(page.encode()).isEmpty();
    assertThat(page.getLong("total")).as(page.encode()).isZero();
  }

  private static void history() {
    cell(161, Actor.OWNER, "162 with m (A's own message: `delivered`, `read`)", () -> {
      Chat c = chat(false, false);
      assertThat(item(c.a, c.bId, c.m).getBoolean("delivered")).isTrue();
    });
    cell(161, Actor.PEER, "162 with m", () -> {
      Chat c = chat(false, false);
      assertThat(item(c.b, c.aId, c.m).getString("userId")).isEqualTo(c.aId);
    });
    cell(161, Actor.OUTSIDER, "162 empty, total 0 (C asking for its conversation with A)", () -> {
      Chat c = chat(false, false);
      emptyHistory(c1(u("c"), "d1"), c.aId, claims(c.bId, "d1"));
    });
    cell(161, Actor.OTHER_APP, "162 empty, total 0 for app 2's A asking for B", () -> {
      Chat c = chat(false, false);
      emptyHistory(c2(c.aId, "d1", null), c.bId, claims(c.aId, "d1"));
    });
    cell(161, Actor.WRONG_ROLE, "162 empty for an admin naming A", () -> {
      Chat c = chat(false, false);
      emptyHistory(admin1(), c.aId, claims(c.bId, "d1"));
    });
    cell(161, Actor.WRONG_DEVICE, "162 with m from A's d2", () -> {
      Chat c = chat(false, false);
      item(c1(c.aId, "d2"), c.bId, c.m);
    });
  }

  // ---- 180 ------------------------------------------------------------------------------------------------------

  private static void unreadTotalRow() {
    cell(180, Actor.OWNER, "180 `{total: 1, unreadCounts: {A: 1}}` for the receiver B", () -> {
      Chat c = chat(false, false);
      JsonObject r = reply(c.b, f(180), 180);
      assertThat(r.getLong("total")).isEqualTo(1);
      assertThat(r.getJsonObject("unreadCounts").getLong(c.aId)).isEqualTo(1);
    });
    cell(180, Actor.PEER, "180 total 0 for the sender A", () -> {
      Chat c = chat(false, false);
      assertThat(unreadTotal(c.a)).isZero();
    });
    cell(180, Actor.OUTSIDER, "180 total 0", () -> {
      chat(false, false);
      assertThat(unreadTotal(c1(u("c"), "d1"))).isZero();
    });
    cell(180, Actor.OTHER_APP, "180 total 0 for app 2's B", () -> {
      Chat c = chat(false, false);
      JsonObject r = reply(c2(c.bId, "d1", null), f(180).mergeIn(claims(c.bId, "d1")), 180);
      assertThat(r.getLong("total")).isZero();
      assertThat(r.getJsonObject("unreadCounts", new JsonObject()).isEmpty()).isTrue();
    });
    cell(180, Actor.WRONG_ROLE, "180 total 0 for an admin", () -> {
      chat(false, false);
      assertThat(unreadTotal(admin1())).isZero();
    });
    cell(180, Actor.WRONG_DEVICE, "180 total 1 from B's d2", () -> {
      Chat c = chat(false, false);
      assertThat(unreadTotal(c1(c.bId, "d2"))).isEqualTo(1);
    });
  }

  // ---- 190 ------------------------------------------------------------------------------------------------------

  private static JsonObject retractFrame(Chat c) {
    return f(190).put("messageId", c.m).put("receiveUserId", c.bId);
  }

  private static void notRetracted(Chat c) {
    quiet(none(c.b, type(192), "no 192 to B"), none(c.a, type(191), "no 191 to A"));
    assertThat(retracted(c.a, c.bId, c.m)).as("still not retracted").isFalse();
    assertThat(item(c.b, c.aId, c.m).getString("message")).isNotEmpty();
  }

  private static void retract() {
    cell(190, Actor.OWNER, "30; retracted; 192 to B, 191 to A's devices", () -> {
      Chat c = chat(false, false);
      ok(c.a, retractFrame(c));
      c.b.await(typeWith(192, "messageId", c.m));
      assertThat(retracted(c.b, c.aId, c.m)).isTrue();
    });
    cell(190, Actor.PEER, "10 FORBIDDEN (the receiver sees m but is not its sender); not retracted", () -> {
      Chat c = chat(false, false);
      err(c.b, retractFrame(c).mergeIn(claims(c.aId, "d1")), "FORBIDDEN");
      notRetracted(c);
    });
    cell(190, Actor.OUTSIDER, "10 NOT_FOUND; not retracted", () -> {
      Chat c = chat(false, false);
      err(c1(u("c"), "d1"), retractFrame(c).mergeIn(claims(c.aId, "d1")), "NOT_FOUND");
      notRetracted(c);
    });
    cell(190, Actor.OTHER_APP, "10 NOT_FOUND for app 2's A (same userId as the sender); not retracted", () -> {
      Chat c = chat(false, false);
      err(c2(c.aId, "d1", null), retractFrame(c).mergeIn(claims(c.aId, "d1")), "NOT_FOUND");
      notRetracted(c);
    });
    cell(190, Actor.WRONG_ROLE, "10 NOT_FOUND for an admin (no override); not retracted", () -> {
      Chat c = chat(false, false);
      err(admin1(), retractFrame(c).mergeIn(claims(c.aId, "d1")), "NOT_FOUND");
      notRetracted(c);
    });
    cell(190, Actor.WRONG_DEVICE, "30 from A's d2 (any device of the sender); retracted, 192 to B", () -> {
      Chat c = chat(false, false);
      ok(c1(c.aId, "d2"), retractFrame(c));
      c.b.await(typeWith(192, "messageId", c.m));
      assertThat(retracted(c.a, c.bId, c.m)).isTrue();
    });
  }

  // ---- 198 ------------------------------------------------------------------------------------------------------

  private static JsonObject readFrame(Chat c, String peer) {
    return f(198).put("messageId", c.m).put("receiveUserId", peer);
  }

  private static void notRead(Chat c) {
    quiet(none(c.a, type(199), "no 199 to A"));
    assertThat(unreadFrom(c.b, c.aId)).as("B's read mark did not move").isEqualTo(1);
    assertThat(item(c.a, c.bId, c.m).getBoolean("read", false)).isFalse();
  }

  private static void read() {
    cell(198, Actor.OWNER, "30; B's read mark → m, unread 0; 199 to A", () -> {
      Chat c = chat(false, false);
      ok(c.b, readFrame(c, c.aId));
      c.a.await(typeWith(199, "messageId", c.m));
      assertThat(unreadFrom(c.b, c.aId)).isZero();
      assertThat(item(c.a, c.bId, c.m).getBoolean("read")).isTrue();
    });
    cell(198, Actor.PEER, "30: the sender may set its own read mark at m (it marks B's earlier messages); B's unread unchanged",
      () -> {
        Chat c = chat(false, false);
        ok(c.a, readFrame(c, c.bId));
        assertThat(unreadFrom(c.b, c.aId)).isEqualTo(1);
        assertThat(item(c.a, c.bId, c.m).getBoolean("read", false)).as("m not read by B").isFalse();
      });
    cell(198, Actor.OUTSIDER, "10 NOT_FOUND; B's read mark unchanged", () -> {
      Chat c = chat(false, false);
      err(c1(u("c"), "d1"), readFrame(c, c.aId).mergeIn(claims(c.bId, "d1")), "NOT_FOUND");
      notRead(c);
    });
    cell(198, Actor.OTHER_APP, "10 NOT_FOUND for app 2's B (same userId as the receiver); app 1's read mark unchanged", () -> {
      Chat c = chat(false, false);
      err(c2(c.bId, "d1", null), readFrame(c, c.aId).mergeIn(claims(c.bId, "d1")), "NOT_FOUND");
      notRead(c);
    });
    cell(198, Actor.WRONG_ROLE, "10 NOT_FOUND for an admin; read mark unchanged", () -> {
      Chat c = chat(false, false);
      err(admin1(), readFrame(c, c.aId).mergeIn(claims(c.bId, "d1")), "NOT_FOUND");
      notRead(c);
    });
    cell(198, Actor.WRONG_DEVICE, "30 from B's d2; read, 199 to A and to B's d1", () -> {
      Chat c = chat(false, false);
      ok(c1(c.bId, "d2"), readFrame(c, c.aId));
      c.a.await(typeWith(199, "messageId", c.m));
      c.b.await(typeWith(199, "messageId", c.m));
      assertThat(unreadFrom(c.b, c.aId)).isZero();
    });
  }

  // ---- 251 ------------------------------------------------------------------------------------------------------

  private static void loggedOut(TestClient c) {
    loggedOut(c, new JsonObject());
  }

  private static void loggedOut(TestClient c, JsonObject claims) {
    JsonObject f = f(251).mergeIn(claims);
    ok(c, f);
    c.await(x -> x.getInteger("msgType") == 252 && f.getValue("unique").equals(x.getValue("unique")));
    assertThat(c.awaitClose(Duration.ofSeconds(5))).isEqualTo((short) 1000);
  }

  private static void logout() {
    cell(251, Actor.OWNER, "30, 252, close 1000 of that socket only (A's d2 stays)", () -> {
      Chat c = chat(false, false);
      TestClient d2 = c1(c.aId, "d2");
      loggedOut(c.a);
      alive(d2);
      assertThat(online(c.b, c.aId)).isTrue();
    });
    cell(251, Actor.PEER, "30, 252, B's socket closes; A untouched", () -> {
      Chat c = chat(false, false);
      loggedOut(c.b);
      alive(c.a);
    });
    cell(251, Actor.OUTSIDER, "30, 252, C's socket closes; A untouched", () -> {
      Chat c = chat(false, false);
      loggedOut(c1(u("c"), "d1"));
      alive(c.a);
    });
    cell(251, Actor.OTHER_APP, "30, 252 for app 2's A (same userId, same device); app 1's A stays connected and online, B gets no 210", () -> {
      Chat c = chat(false, false);
      loggedOut(c2(c.aId, "d1", null), claims(c.aId, "d1"));
      quiet(none(c.b, x -> List.of(200, 210).contains(x.getInteger("msgType")), "no friend on/offline notice to B"));
      alive(c.a);
      assertThat(online(c.b, c.aId)).isTrue();
    });
    cell(251, Actor.WRONG_ROLE, "30, 252, the admin's socket closes; A untouched", () -> {
      Chat c = chat(false, false);
      loggedOut(admin1(), claims(c.aId, "d1"));
      alive(c.a);
    });
    cell(251, Actor.WRONG_DEVICE, "30, 252 from A's d2: d2 closes, d1 stays", () -> {
      Chat c = chat(false, false);
      loggedOut(c1(c.aId, "d2"));
      alive(c.a);
      assertThat(online(c.b, c.aId)).isTrue();
    });
  }

  // ---- 300 ------------------------------------------------------------------------------------------------------

  private static void idleRoom(Room r) {
    quiet(none(r.u, type(301), "no 301 to U"), none(r.g, type(301), "no 301 to G"));
    assertThat(callState(r.g, r.roomId)).isEqualTo("idle");
  }

  private static void callRequest() {
    cell(300, Actor.OWNER, "30 with callId; 301 to U; ringing", () -> {
      Room r = room(false);
      String callId = ok(r.g, f(300).put("message", offer())).getString("callId");
      assertThat(r.u.await(type(301)).getString("callId")).isEqualTo(callId);
      assertThat(callState(r.u, r.roomId)).isEqualTo("ringing");
    });
    cell(300, Actor.PEER, "30; 301 to G (either member may call)", () -> {
      Room r = room(false);
      String callId = ok(r.u, f(300).put("message", offer())).getString("callId");
      assertThat(r.g.await(type(301)).getString("callId")).isEqualTo(callId);
    });
    cell(300, Actor.OUTSIDER, "10 NOT_FOUND (naming U); room stays idle, no 301", () -> {
      Room r = room(false);
      err(c1(u("c"), "d1"), f(300).put("receiveUserId", r.uId).put("message", offer()).mergeIn(claims(r.gId, "g1")), "NOT_FOUND");
      idleRoom(r);
    });
    cell(300, Actor.OTHER_APP, "10 NOT_FOUND for app 2's G naming app 1's roomId (also with the ids in swapped roles); idle, no 301, app 1 sockets untouched", () -> {
      Room r = room(false);
      err(c2(r.gId, "g1", "agent"), f(300).put("roomId", r.roomId).put("message", offer()).mergeIn(claims(r.gId, "g1")), "NOT_FOUND");
      // the same ids in the other roles (a role change replaces a user's devices, §2): only within app 2
      err(c2(r.uId, "u1", "agent"), f(300).put("roomId", r.roomId).put("message", offer()), "NOT_FOUND");
      err(c2(r.gId, "g2", null), f(300).put("receiveUserId", r.uId).put("message", offer()), "NOT_FOUND");
      idleRoom(r);
      alive(r.u);
      alive(r.g);
    });
    cell(300, Actor.WRONG_ROLE, "10 NOT_FOUND for an admin naming the roomId (admins may read rooms, not call in them)", () -> {
      Room r = room(false);
      err(admin1(), f(300).put("roomId", r.roomId).put("message", offer()).mergeIn(claims(r.gId, "g1")), "NOT_FOUND");
      idleRoom(r);
    });
    cell(300, Actor.WRONG_DEVICE, "10 INVALID_STATE: G's unbound d2 renegotiating an active call; no 301, still active", () -> {
      Room r = active(true);
      err(r.g2, f(300).put("callId", r.callId).put("message", "restart").mergeIn(claims(r.gId, "g1")), "INVALID_STATE");
      quiet(none(r.u, type(301), "no 301 to U"), none(r.u2, type(301), "no 301 to U's d2"));
      assertThat(callState(r.g, r.roomId)).isEqualTo("active");
    });
  }

  // ---- 310 ------------------------------------------------------------------------------------------------------

  private static void stillRinging(Room r) {
    quiet(none(r.g, type(311), "no 311 to G"));
    assertThat(callState(r.g, r.roomId)).isEqualTo("ringing");
  }

  private static JsonObject answer(Room r) {
    return f(310).put("callId", r.callId).put("message", new JsonObject().put("type", "answer").put("sdp", "v=0"));
  }

  private static void callAccept() {
    cell(310, Actor.OWNER, "30; 311 to G's bound device; active", () -> {
      Room r = ringing(false);
      ok(r.u, answer(r));
      r.g.await(typeWith(311, "callId", r.callId));
      assertThat(callState(r.g, r.roomId)).isEqualTo("active");
    });
    cell(310, Actor.PEER, "10 INVALID_STATE: the caller cannot accept its own call; still ringing", () -> {
      Room r = ringing(false);
      err(r.g, answer(r), "INVALID_STATE");
      stillRinging(r);
    });
    cell(310, Actor.OUTSIDER, "10 NOT_FOUND; still ringing", () -> {
      Room r = ringing(false);
      err(c1(u("c"), "d1"), answer(r).put("requestUserId", r.gId).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
      stillRinging(r);
    });
    cell(310, Actor.OTHER_APP, "10 NOT_FOUND for app 2's U with app 1's roomId/callId; still ringing", () -> {
      Room r = ringing(false);
      err(c2(r.uId, "u1", null), answer(r).put("roomId", r.roomId).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
      stillRinging(r);
    });
    cell(310, Actor.WRONG_ROLE, "10 NOT_FOUND for an admin with the roomId; still ringing", () -> {
      Room r = ringing(false);
      err(admin1(), answer(r).put("roomId", r.roomId).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
      stillRinging(r);
    });
    cell(310, Actor.WRONG_DEVICE, "10 INVALID_STATE: U's d2 after d1 bound the call; no second 311, still active", () -> {
      Room r = active(true);
      err(r.u2, answer(r).mergeIn(claims(r.uId, "u1")), "INVALID_STATE");
      quiet(none(r.g, type(311), "no second 311 to G"));
      assertThat(callState(r.g, r.roomId)).isEqualTo("active");
    });
  }

  // ---- 320 ------------------------------------------------------------------------------------------------------

  private static void callReject() {
    cell(320, Actor.OWNER, "30; 321 rejected to G; idle", () -> {
      Room r = ringing(false);
      ok(r.u, f(320).put("callId", r.callId));
      assertThat(r.g.await(type(321)).getString("reason")).isEqualTo("rejected");
      assertThat(callState(r.g, r.roomId)).isEqualTo("idle");
    });
    cell(320, Actor.PEER, "10 INVALID_STATE: the caller cannot reject (it hangs up with 330); still ringing", () -> {
      Room r = ringing(false);
      err(r.g, f(320).put("callId", r.callId), "INVALID_STATE");
      quiet(none(r.u, type(321), "no 321 to U"));
      assertThat(callState(r.g, r.roomId)).isEqualTo("ringing");
    });
    cell(320, Actor.OUTSIDER, "10 NOT_FOUND; still ringing", () -> {
      Room r = ringing(false);
      err(c1(u("c"), "d1"), f(320).put("requestUserId", r.gId).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
      quiet(none(r.g, type(321), "no 321 to G"));
      assertThat(callState(r.g, r.roomId)).isEqualTo("ringing");
    });
    cell(320, Actor.OTHER_APP, "10 NOT_FOUND for app 2's U; still ringing", () -> {
      Room r = ringing(false);
      err(c2(r.uId, "u1", null), f(320).put("roomId", r.roomId).put("callId", r.callId).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
      quiet(none(r.g, type(321), "no 321 to G"));
      assertThat(callState(r.g, r.roomId)).isEqualTo("ringing");
    });
    cell(320, Actor.WRONG_ROLE, "10 NOT_FOUND for an admin; still ringing", () -> {
      Room r = ringing(false);
      err(admin1(), f(320).put("roomId", r.roomId).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
      quiet(none(r.g, type(321), "no 321 to G"));
      assertThat(callState(r.g, r.roomId)).isEqualTo("ringing");
    });
    cell(320, Actor.WRONG_DEVICE, "10 INVALID_STATE: U's d2 after d1 answered; no 321 to G, still active", () -> {
      Room r = active(true);
      err(r.u2, f(320).put("callId", r.callId).mergeIn(claims(r.uId, "u1")), "INVALID_STATE");
      quiet(none(r.g, type(321), "no 321 to G"));
      assertThat(callState(r.g, r.roomId)).isEqualTo("active");
    });
  }

  // ---- 330 ------------------------------------------------------------------------------------------------------

  private static void hungUp(Room r, TestClient other) {
    JsonObject ended = other.await(x -> List.of(321, 560).contains(x.getInteger("msgType")));
    assertThat(ended.getInteger("msgType")).isEqualTo(321);
    assertThat(ended.getString("reason")).isEqualTo("hangup");
    assertThat(other.await(type(560)).getString("reason")).isEqualTo("hangup");
    err(other, f(550).put("roomId", r.roomId), "NOT_FOUND");
  }

  private static void roomIntact(Room r) {
    quiet(none(r.g, x -> List.of(321, 421, 560).contains(x.getInteger("msgType")), "no teardown at G"),
      none(r.u, x -> List.of(321, 421, 560).contains(x.getInteger("msgType")), "no teardown at U"));
    assertThat(roomInfo(r.u, r.roomId).getJsonArray("members")).containsExactlyInAnyOrder(r.gId, r.uId);
  }

  private static void callHangup() {
    cell(330, Actor.OWNER, "30; 321 hangup then 560 to U; room gone", () -> {
      Room r = active(false);
      ok(r.g, f(330).put("callId", r.callId));
      hungUp(r, r.u);
    });
    cell(330, Actor.PEER, "30; 321 hangup then 560 to G (either member)", () -> {
      Room r = active(false);
      ok(r.u, f(330).put("callId", r.callId));
      hungUp(r, r.g);
    });
    cell(330, Actor.OUTSIDER, "10 NOT_FOUND; room and call intact", () -> {
      Room r = active(false);
      err(c1(u("c"), "d1"), f(330).put("receiveUserId", r.uId).mergeIn(claims(r.gId, "g1")), "NOT_FOUND");
      roomIntact(r);
    });
    cell(330, Actor.OTHER_APP, "10 NOT_FOUND for app 2's G with app 1's roomId; room intact", () -> {
      Room r = active(false);
      err(c2(r.gId, "g1", "agent"), f(330).put("roomId", r.roomId).put("callId", r.callId).mergeIn(claims(r.gId, "g1")), "NOT_FOUND");
      roomIntact(r);
    });
    cell(330, Actor.WRONG_ROLE, "10 NOT_FOUND for an admin with the roomId; room intact", () -> {
      Room r = active(false);
      err(admin1(), f(330).put("roomId", r.roomId).mergeIn(claims(r.gId, "g1")), "NOT_FOUND");
      roomIntact(r);
    });
    cell(330, Actor.WRONG_DEVICE, "30 from U's unbound d2: a member hangs up from any device (§6: 330 from \"either\"); teardown",
      () -> {
        Room r = active(true);
        ok(r.u2, f(330).put("callId", r.callId));
        hungUp(r, r.g);
      });
  }

  // ---- 340 / 342 ------------------------------------------------------------------------------------------------

  private static void candidates() {
    cell(340, Actor.OWNER, "30; 341 to U while ringing", () -> {
      Room r = ringing(false);
      ok(r.g, f(340).put("callId", r.callId).put("message", candidate("o")));
      assertThat(r.u.await(type(341)).getJsonObject("message")).isEqualTo(candidate("o"));
    });
    cell(340, Actor.PEER, "30 but dropped: U's candidates before its own 310 are not relayed", () -> {
      Room r = ringing(false);
      ok(r.u, f(340).put("callId", r.callId).put("message", candidate("p")));
      quiet(none(r.g, x -> List.of(341, 343).contains(x.getInteger("msgType")), "nothing relayed to G"));
    });
    cell(340, Actor.OUTSIDER, "10 NOT_FOUND; nothing relayed", () -> {
      Room r = ringing(false);
      err(c1(u("c"), "d1"), f(340).put("receiveUserId", r.uId).put("message", candidate("x")).mergeIn(claims(r.gId, "g1")), "NOT_FOUND");
      quiet(none(r.u, type(341), "nothing relayed to U"));
    });
    cell(340, Actor.OTHER_APP, "10 NOT_FOUND for app 2's G; nothing relayed", () -> {
      Room r = ringing(false);
      err(c2(r.gId, "g1", "agent"), f(340).put("roomId", r.roomId).put("callId", r.callId).put("message", candidate("x")),
        "NOT_FOUND");
      quiet(none(r.u, type(341), "nothing relayed to U"));
    });
    cell(340, Actor.WRONG_ROLE, "10 NOT_FOUND for an admin; nothing relayed", () -> {
      Room r = ringing(false);
      err(admin1(), f(340).put("roomId", r.roomId).put("message", candidate("x")).mergeIn(claims(r.gId, "g1")), "NOT_FOUND");
      quiet(none(r.u, type(341), "nothing relayed to U"));
    });
    cell(340, Actor.WRONG_DEVICE, "30 but dropped: G's d2 is not the caller's bound device", () -> {
      Room r = ringing(true);
      ok(r.g2, f(340).put("callId", r.callId).put("message", candidate("w")).mergeIn(claims(r.gId, "g1")));
      quiet(none(r.u, type(341), "nothing relayed to U"), none(r.u2, type(341), "nothing relayed to U's d2"));
    });

    cell(342, Actor.OWNER, "30; 343 to G's bound device", () -> {
      Room r = active(false);
      ok(r.u, f(342).put("callId", r.callId).put("message", candidate("o")));
      assertThat(r.g.await(type(343)).getJsonObject("message")).isEqualTo(candidate("o"));
    });
    cell(342, Actor.PEER, "30; 343 to U's bound device (\"either\" member may send either type)", () -> {
      Room r = active(false);
      ok(r.g, f(342).put("callId", r.callId).put("message", candidate("p")));
      assertThat(r.u.await(type(343)).getJsonObject("message")).isEqualTo(candidate("p"));
    });
    cell(342, Actor.OUTSIDER, "10 NOT_FOUND; nothing relayed", () -> {
      Room r = active(false);
      err(c1(u("c"), "d1"), f(342).put("requestUserId", r.gId).put("message", candidate("x")).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
      quiet(none(r.g, type(343), "nothing relayed to G"));
    });
    cell(342, Actor.OTHER_APP, "10 NOT_FOUND for app 2's U; nothing relayed", () -> {
      Room r = active(false);
      err(c2(r.uId, "u1", null), f(342).put("roomId", r.roomId).put("callId", r.callId).put("message", candidate("x")),
        "NOT_FOUND");
      quiet(none(r.g, type(343), "nothing relayed to G"));
    });
    cell(342, Actor.WRONG_ROLE, "10 NOT_FOUND for an admin; nothing relayed", () -> {
      Room r = active(false);
      err(admin1(), f(342).put("roomId", r.roomId).put("message", candidate("x")).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
      quiet(none(r.g, type(343), "nothing relayed to G"));
    });
    cell(342, Actor.WRONG_DEVICE, "30 but dropped: U's d2 is not the callee's bound device", () -> {
      Room r = active(true);
      ok(r.u2, f(342).put("callId", r.callId).put("message", candidate("w")).mergeIn(claims(r.uId, "u1")));
      quiet(none(r.g, type(343), "nothing relayed to G"), none(r.g2, type(343), "nothing relayed to G's d2"));
    });
  }

  // ---- 400 ------------------------------------------------------------------------------------------------------

  private static void position(JsonObject f410, String q, int index, int total) {
    assertThat(f410.getString("queueId")).isEqualTo(q);
    assertThat(f410.getInteger("waitIndex")).as(f410.encode()).isEqualTo(index);
    assertThat(f410.getInteger("waitTotal")).as(f410.encode()).isEqualTo(total);
    assertThat(f410.containsKey("userIdList")).isFalse();
  }

  private static JsonObject enter(TestClient c, String q) {
    JsonObject f = f(400).put("queueId", q);
    ok(c, f);
    return c.await(typeWith(410, "queueId", q));
  }

  private static void queueEnter() {
    cell(400, Actor.OWNER, "30, then 410 `{waitIndex: 1, waitTotal: 1}`", () -> {
      String q = u("q");
      position(enter(c1(u("cu"), "u1"), q), q, 1, 1);
    });
    cell(400, Actor.PEER, "30, 410 (2, 2) for a second customer; U keeps place 1 and sees only its own position", () -> {
      Wait w = waiting(null, false);
      position(enter(c1(u("cu"), "u1"), w.q), w.q, 2, 2);
      position(w.u.await(typeWith(410, "queueId", w.q)), w.q, 1, 2);
    });
    cell(400, Actor.OUTSIDER, "30, 410: any customer may enter any queue, also one served by named agents (`vip`)", () -> {
      TestClient c = c1(u("cu"), "u1");
      JsonObject p = enter(c, VIP);
      assertThat(p.getInteger("waitIndex")).isPositive();
      ok(c, f(420));
    });
    cell(400, Actor.OTHER_APP, "30, 410 (1, 1) in app 2's own queue of that name; app 1's U keeps its place after app 2's U leaves (no 410/431 in app 1)",
      () -> {
        Wait w = waiting(null, false);
        TestClient agent = agent1(u("ag"), "g1");
        TestClient x = c2(w.uId, "u1", null);
        position(enter(x, w.q), w.q, 1, 1);
        ok(x, f(420));
        quiet(none(w.u, typeWith(410, "queueId", w.q), "no 410 to app 1's U"),
          none(agent, x4 -> x4.getInteger("msgType") == 431 && w.q.equals(x4.getString("queueId")) && x4.getInteger("waitTotal") != 1,
            "no 431 of app 2's queue to app 1's agent"));
        JsonObject mine = queueInfo(w.u, w.q);
        assertThat(mine.getInteger("waitIndex")).isEqualTo(1);
        assertThat(mine.getInteger("waitTotal")).isEqualTo(1);
      });
    cell(400, Actor.WRONG_ROLE, "10 FORBIDDEN for an agent; queue unchanged", () -> {
      Wait w = waiting(null, false);
      err(agent1(u("ag"), "g1"), f(400).put("queueId", w.q).mergeIn(claims(u("cu"), "u1")).put("role", "user"), "FORBIDDEN");
      assertThat(queueInfo(w.u, w.q).getInteger("waitTotal")).isEqualTo(1);
    });
    cell(400, Actor.WRONG_DEVICE, "30, 410 (1, 1) from U's d2: the same customer keeps its place", () -> {
      Wait w = waiting(null, true);
      position(enter(w.u2, w.q), w.q, 1, 1);
    });
  }

  // ---- 401 ------------------------------------------------------------------------------------------------------

  private static void stillWaiting(Wait w) {
    quiet(none(w.u, type(402), "no 402 to U"), none(w.u, type(551), "no 551 to U"));
    JsonObject info = queueInfo(w.u, w.q);
    assertThat(info.getInteger("waitIndex")).as(info.encode()).isPositive();
  }

  private static void queueTake() {
    cell(401, Actor.OWNER, "30, 402 reply `{receiveUserId: U, roomId, queueId}`; 402 + 551 pushed to U", () -> {
      Wait w = waiting(null, false);
      TestClient g = agent1(u("ag"), "g1");
      JsonObject take = f(401).put("queueId", w.q);
      ok(g, take);
      JsonObject r = g.await(x -> x.getInteger("msgType") == 402 && take.getValue("unique").equals(x.getValue("unique")));
      assertThat(r.getString("receiveUserId")).isEqualTo(w.uId);
      assertThat(w.u.await(type(402)).getString("roomId")).isEqualTo(r.getString("roomId"));
      w.u.await(typeWith(551, "roomId", r.getString("roomId")));
    });
    cell(401, Actor.PEER, "10 QUEUE_EMPTY for a second agent after U was taken; U stays in the first agent's room", () -> {
      Room r = room(false);
      err(agent1(u("ag"), "g1"), f(401).put("queueId", r.q), "QUEUE_EMPTY");
      assertThat(roomInfo(r.u, r.roomId).getString("creator")).isEqualTo(r.gId);
    });
    cell(401, Actor.OUTSIDER, "10 FORBIDDEN for an agent not serving `vip`; U still waiting", () -> {
      Wait w = waiting(VIP, false);
      err(agent1(u("ag"), "g1"), f(401).put("queueId", VIP).put("receiveUserId", w.uId).mergeIn(claims(VIP_AGENT, "g1")), "FORBIDDEN");
      stillWaiting(w);
      ok(w.u, f(420));
    });
    cell(401, Actor.OTHER_APP, "10 NOT_FOUND for app 2's agent naming app 1's waiter; U still waiting", () -> {
      Wait w = waiting(null, false);
      err(c2(u("ag"), "g1", "agent"), f(401).put("queueId", w.q).put("receiveUserId", w.uId).mergeIn(claims(u("ag"), "g1")), "NOT_FOUND");
      stillWaiting(w);
    });
    cell(401, Actor.WRONG_ROLE, "10 FORBIDDEN for a customer; U still waiting", () -> {
      Wait w = waiting(null, false);
      err(c1(u("cu"), "u1"), f(401).put("queueId", w.q).mergeIn(claims(u("ag"), "g1")).put("role", "agent"), "FORBIDDEN");
      stillWaiting(w);
    });
    cell(401, Actor.WRONG_DEVICE, "10 AGENT_BUSY from G's d2 once d1 took a customer (the room limit is per agent); V still waiting",
      () -> {
        Room r = room(true);
        Wait v = waiting(r.q, false);
        err(r.g2, f(401).put("queueId", r.q), "AGENT_BUSY");
        stillWaiting(v);
      });
  }

  // ---- 420 ------------------------------------------------------------------------------------------------------

  private static void left(Room r, TestClient other, String leaver) {
    JsonObject first = other.await(x -> List.of(421, 560).contains(x.getInteger("msgType")));
    assertThat(first.getInteger("msgType")).isEqualTo(421);
    assertThat(first.getString("userId")).isEqualTo(leaver);
    assertThat(other.await(type(560)).getString("reason")).isEqualTo("left");
    err(other, f(550).put("roomId", r.roomId), "NOT_FOUND");
  }

  private static void queueLeave() {
    cell(420, Actor.OWNER, "30; 421 then 560 `left` to G; room gone", () -> {
      Room r = room(false);
      ok(r.u, f(420));
      left(r, r.g, r.uId);
    });
    cell(420, Actor.PEER, "30; 421 then 560 to U (any member may leave)", () -> {
      Room r = room(false);
      ok(r.g, f(420));
      left(r, r.u, r.gId);
    });
    cell(420, Actor.OUTSIDER, "30 when naming nothing (nothing to leave); 10 NOT_FOUND when naming U's roomId; room intact", () -> {
      Room r = room(false);
      TestClient c = c1(u("c"), "d1");
      ok(c, f(420));
      err(c, f(420).put("roomId", r.roomId).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
      roomIntact(r);
    });
    cell(420, Actor.OTHER_APP, "30 for app 2's U (same userId; nothing to leave in app 2), NOT_FOUND with app 1's roomId; room intact",
      () -> {
        Room r = room(false);
        TestClient x = c2(r.uId, "u1", null);
        ok(x, f(420));
        err(x, f(420).put("roomId", r.roomId).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
        roomIntact(r);
      });
    cell(420, Actor.WRONG_ROLE, "10 NOT_FOUND for an admin naming the roomId; room intact", () -> {
      Room r = room(false);
      err(admin1(), f(420).put("roomId", r.roomId).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
      roomIntact(r);
    });
    cell(420, Actor.WRONG_DEVICE, "30 from U's d2 (leaving is per user, any device); teardown", () -> {
      Room r = room(true);
      ok(r.u2, f(420));
      left(r, r.g, r.uId);
    });
  }

  // ---- 430 ------------------------------------------------------------------------------------------------------

  private static void noList(JsonObject info) {
    assertThat(info.containsKey("userIdList")).as(info.encode()).isFalse();
    assertThat(info.containsKey("waiting")).as(info.encode()).isFalse();
  }

  private static void queueInfoRow() {
    cell(430, Actor.OWNER, "431 with `waiting` and `userIdList` [U] for an agent of the queue", () -> {
      Wait w = waiting(null, false);
      JsonObject info = queueInfo(agent1(u("ag"), "g1"), w.q);
      assertThat(info.getJsonArray("userIdList")).containsExactly(w.uId);
      assertThat(info.getInteger("waitIndex")).isEqualTo(-1);
    });
    cell(430, Actor.PEER, "431 `{waitIndex: 1, waitTotal: 1}` for the waiting U, no list", () -> {
      Wait w = waiting(null, false);
      JsonObject info = queueInfo(w.u, w.q);
      assertThat(info.getInteger("waitIndex")).isEqualTo(1);
      noList(info);
    });
    cell(430, Actor.OUTSIDER, "431 without `waiting`/`userIdList` for an agent not serving `vip`", () -> {
      Wait w = waiting(VIP, false);
      JsonObject info = reply(agent1(u("ag"), "g1"), f(430).put("queueId", VIP).mergeIn(claims(VIP_AGENT, "g1")), 431);
      noList(info);
      assertThat(info.getInteger("waitIndex")).isEqualTo(-1);
      ok(w.u, f(420));
    });
    cell(430, Actor.OTHER_APP, "431 `waitTotal: 0`, no app-1 userIds, for app 2's admin (full view of its own app only)", () -> {
      Wait w = waiting(null, false);
      JsonObject info = reply(c2(u("adm"), "g1", "admin"), f(430).put("queueId", w.q).mergeIn(claims(u("ag"), "g1")), 431);
      assertThat(info.getInteger("waitTotal")).isZero();
      assertThat(info.getJsonArray("userIdList", new JsonArray())).isEmpty();
      assertThat(info.encode()).doesNotContain(w.uId);
    });
    cell(430, Actor.WRONG_ROLE, "431 `{waitIndex: -1}` and no list for a customer who is not waiting", () -> {
      Wait w = waiting(null, false);
      JsonObject info = reply(c1(u("cu"), "u1"), f(430).put("queueId", w.q).mergeIn(claims(w.uId, "u1")), 431);
      assertThat(info.getInteger("waitIndex")).isEqualTo(-1);
      noList(info);
    });
    cell(430, Actor.WRONG_DEVICE, "431 `{waitIndex: 1}` from U's d2", () -> {
      Wait w = waiting(null, true);
      assertThat(queueInfo(w.u2, w.q).getInteger("waitIndex")).isEqualTo(1);
    });
  }

  // ---- 540 ------------------------------------------------------------------------------------------------------

  private static void roomList() {
    cell(540, Actor.OWNER, "541 listing the room (agent)", () -> {
      Room r = room(false);
      assertThat(listedRooms(r.g)).contains(r.roomId);
    });
    cell(540, Actor.PEER, "10 FORBIDDEN for the customer member", () -> {
      Room r = room(false);
      err(r.u, f(540).mergeIn(claims(r.gId, "g1")), "FORBIDDEN");
    });
    cell(540, Actor.OUTSIDER, "541 listing the room for an unrelated agent (§6: 540 is for every agent and admin of the app)", () -> {
      Room r = room(false);
      assertThat(listedRooms(agent1(u("ag"), "g1"))).contains(r.roomId);
    });
    cell(540, Actor.OTHER_APP, "541 without any app-1 room (empty) for app 2's agent and app 2's admin", () -> {
      Room r = room(false);
      for (TestClient x : List.of(c2(r.gId, "g1", "agent"), c2(u("adm"), "d1", "admin"))) {
        List<String> listed = listedRooms(x);
        assertThat(listed).doesNotContain(r.roomId);
        assertThat(listed).isEmpty();
      }
    });
    cell(540, Actor.WRONG_ROLE, "10 FORBIDDEN for a customer", () -> {
      room(false);
      err(c1(u("cu"), "u1"), f(540).mergeIn(claims(u("ag"), "g1")), "FORBIDDEN");
    });
    cell(540, Actor.WRONG_DEVICE, "541 listing the room from G's d2", () -> {
      Room r = room(true);
      assertThat(listedRooms(r.g2)).contains(r.roomId);
    });
  }

  // ---- 550 ------------------------------------------------------------------------------------------------------

  private static void roomInfoRow() {
    cell(550, Actor.OWNER, "551 for the agent member", () -> {
      Room r = room(false);
      assertThat(roomInfo(r.g, r.roomId).getJsonArray("members")).containsExactlyInAnyOrder(r.gId, r.uId);
    });
    cell(550, Actor.PEER, "551 of the current room for U (no roomId)", () -> {
      Room r = room(false);
      assertThat(reply(r.u, f(550), 551).getString("roomId")).isEqualTo(r.roomId);
    });
    cell(550, Actor.OUTSIDER, "10 NOT_FOUND (same as an absent roomId)", () -> {
      Room r = room(false);
      err(c1(u("c"), "d1"), f(550).put("roomId", r.roomId).mergeIn(claims(r.gId, "g1")), "NOT_FOUND");
    });
    cell(550, Actor.OTHER_APP, "10 NOT_FOUND for app 2's G naming the roomId, for app 2's U asking for its current room, and for app 2's admin", () -> {
      Room r = room(false);
      err(c2(r.gId, "g1", "agent"), f(550).put("roomId", r.roomId).mergeIn(claims(r.gId, "g1")), "NOT_FOUND");
      err(c2(r.uId, "u1", null), f(550).mergeIn(claims(r.uId, "u1")), "NOT_FOUND");
      err(c2(u("adm"), "d1", "admin"), f(550).put("roomId", r.roomId), "NOT_FOUND");
    });
    cell(550, Actor.WRONG_ROLE, "10 NOT_FOUND for a non-member agent (only members and admins)", () -> {
      Room r = room(false);
      err(agent1(u("ag"), "g1"), f(550).put("roomId", r.roomId).mergeIn(claims(r.gId, "g1")), "NOT_FOUND");
    });
    cell(550, Actor.WRONG_DEVICE, "551 from U's d2", () -> {
      Room r = room(true);
      assertThat(reply(r.u2, f(550), 551).getString("roomId")).isEqualTo(r.roomId);
    });
  }

  // ---- 630 / 640 (§14.4) ----------------------------------------------------------------------------------------

  /** A 630 that must succeed: the 631's message id, after checking its queue. */
  private static String leaveMessage(TestClient c, String q, String text) {
    JsonObject r = reply(c, f(630).put("queueId", q).put("message", text), 631);
    assertThat(r.getString("queueId")).isEqualTo(q);
    return r.getString("messageId");
  }

  /** A 640 of queue {@code q} that must succeed: its 641. */
  private static JsonObject takeMessage(TestClient agent, String q) {
    return reply(agent, f(640).put("queueId", q), 641);
  }

  private static void leaveMessageRow() {
    cell(630, Actor.OWNER, "30, 631 `{messageId, queueId}`; U leaves the queue it waited in; an agent's 640 gets it", () -> {
      Wait w = waiting(null, false);
      String id = leaveMessage(w.u, w.q, "call me");
      assertThat(queueInfo(w.u, w.q).getInteger("waitIndex")).isEqualTo(-1);
      assertThat(takeMessage(agent1(u("ag"), "g1"), w.q).getString("messageId")).isEqualTo(id);
    });
    cell(630, Actor.PEER, "30, 631 for a second customer of U's queue; U keeps its place", () -> {
      Wait w = waiting(null, false);
      TestClient v = c1(u("cu"), "u1");
      leaveMessage(v, w.q, "me too");
      assertThat(queueInfo(w.u, w.q).getInteger("waitIndex")).isEqualTo(1);
    });
    cell(630, Actor.OUTSIDER, "30, 631: any customer may leave a message to any queue, also one served by named agents (`vip`)",
      () -> leaveMessage(c1(u("cu"), "u1"), VIP, "for vip"));
    cell(630, Actor.OTHER_APP, "30, 631 in app 2's own queue of that name; app 1's agents do not see it (640: QUEUE_EMPTY); "
      + "app 1's U keeps its place", () -> {
        Wait w = waiting(null, false);
        leaveMessage(c2(w.uId, "u1", null), w.q, "app 2");
        err(agent1(u("ag"), "g1"), f(640).put("queueId", w.q), "QUEUE_EMPTY");
        assertThat(queueInfo(w.u, w.q).getInteger("waitIndex")).isEqualTo(1);
      });
    cell(630, Actor.WRONG_ROLE, "10 FORBIDDEN for an agent (claims of U in the frame); nothing stored", () -> {
      Wait w = waiting(null, false);
      TestClient g = agent1(u("ag"), "g1");
      err(g, f(630).put("queueId", w.q).put("message", "x").mergeIn(claims(w.uId, "u1")).put("role", "user"), "FORBIDDEN");
      err(g, f(640).put("queueId", w.q), "QUEUE_EMPTY");
      assertThat(queueInfo(w.u, w.q).getInteger("waitIndex")).isEqualTo(1);
    });
    cell(630, Actor.WRONG_DEVICE, "30, 631 from U's d2: the same customer leaves the queue", () -> {
      Wait w = waiting(null, true);
      leaveMessage(w.u2, w.q, "from my other device");
      assertThat(queueInfo(w.u, w.q).getInteger("waitIndex")).isEqualTo(-1);
    });
  }

  private static void messageTakeRow() {
    cell(640, Actor.OWNER, "30, 641 `{messageId, queueId, userId: U, message, createdAt}`; G may then chat with U without a "
      + "chat sign", () -> {
        String uId = u("cu");
        String q = u("q");
        TestClient c = c1(uId, "u1");
        String id = leaveMessage(c, q, "call me");
        TestClient g = agent1(u("ag"), "g1");
        JsonObject t = takeMessage(g, q);
        assertThat(t.getString("messageId")).isEqualTo(id);
        assertThat(t.getString("userId")).isEqualTo(uId);
        assertThat(t.getString("message")).isEqualTo("call me");
        ok(g, f(130).put("receiveUserId", uId).put("message", "hello"));
        c.await(typeWith(140, "message", "hello"));
      });
    cell(640, Actor.PEER, "10 QUEUE_EMPTY for a second agent once G took U's message (taken exactly once)", () -> {
      String q = u("q");
      leaveMessage(c1(u("cu"), "u1"), q, "once");
      takeMessage(agent1(u("ag"), "g1"), q);
      err(agent1(u("ag"), "g1"), f(640).put("queueId", q), "QUEUE_EMPTY");
    });
    cell(640, Actor.OUTSIDER, "10 FORBIDDEN for an agent not serving `vip`; it gets no chat permission with U (132)", () -> {
      String uId = u("cu");
      leaveMessage(c1(uId, "u1"), VIP, "for vip");
      TestClient g = agent1(u("ag"), "g1");
      err(g, f(640).put("queueId", VIP).mergeIn(claims(VIP_AGENT, "g1")), "FORBIDDEN");
      refusedWith(g, f(130).put("receiveUserId", uId).put("message", "hi"), 132);
    });
    cell(640, Actor.OTHER_APP, "10 QUEUE_EMPTY for app 2's agent in a queue of that name; app 1's message is still there", () -> {
      String q = u("q");
      String id = leaveMessage(c1(u("cu"), "u1"), q, "app 1");
      err(c2(u("ag"), "g1", "agent"), f(640).put("queueId", q), "QUEUE_EMPTY");
      assertThat(takeMessage(agent1(u("ag"), "g1"), q).getString("messageId")).isEqualTo(id);
    });
    cell(640, Actor.WRONG_ROLE, "10 FORBIDDEN for a customer (claims of an agent in the frame); the message is still there", () -> {
      String q = u("q");
      String id = leaveMessage(c1(u("cu"), "u1"), q, "mine");
      err(c1(u("cu"), "u1"), f(640).put("queueId", q).mergeIn(claims(u("ag"), "g1")).put("role", "agent"), "FORBIDDEN");
      assertThat(takeMessage(agent1(u("ag"), "g1"), q).getString("messageId")).isEqualTo(id);
    });
    cell(640, Actor.WRONG_DEVICE, "G's d2 replaying the unique of d1's take: its own take (QUEUE_EMPTY), not d1's 641; the "
      + "grant is G's, so d2 may chat with U", () -> {
        String uId = u("cu");
        String q = u("q");
        leaveMessage(c1(uId, "u1"), q, "one");
        String gId = u("ag");
        TestClient d1 = agent1(gId, "g1");
        TestClient d2 = agent1(gId, "g2");
        String k = "mt-" + gId;
        assertThat(reply(d1, f(640).put("queueId", q).put("unique", k), 641).getString("userId")).isEqualTo(uId);
        err(d2, f(640).put("queueId", q).put("unique", k), "QUEUE_EMPTY");
        ok(d2, f(130).put("receiveUserId", uId).put("message", "from d2"));
      });
  }
}
