package com.seedim.client;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static com.seedim.client.Clients.get;
import static com.seedim.client.Recorder.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client against a real in-process server (gateway + chat verticle): chat, queries, errors, refusals, kicks. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("ImClient: chat against a real server")
@org.junit.jupiter.api.extension.ExtendWith(ContractCheck.class)
class ImClientChatTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.builder().durable(false).verticle(ChatVerticle::new).start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("signed connect; 130 → 30 with messageId; the receiver gets the 140 once and acks it; the sender gets 131")
  void chat() throws Exception {
    String a = Clients.uid("alice");
    String b = Clients.uid("bob");
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    try (ImClient alice = Clients.client(server, a, ra); ImClient bob = Clients.client(server, b, rb)) {
      get(alice.connect());
      get(bob.connect());
      assertThat(alice.state()).isEqualTo(ImClient.State.OPEN);

      SendResult sent = get(alice.sendText(b, "hello bob"));
      assertThat(sent.messageId()).matches("[0-9]+");
      assertThat(sent.sendTime()).isPositive();

      waitFor("bob's 140", () -> rb.messagesWithId(sent.messageId()) == 1);
      ChatMessage m = rb.messages.get(0);
      assertThat(m.userId()).isEqualTo(a);
      assertThat(m.receiveUserId()).isEqualTo(b);
      assertThat(m.message()).isEqualTo("hello bob");
      assertThat(m.contentType()).isEqualTo("text");
      // bob's automatic 141 marks it delivered: alice gets the 131 (and acks it with a 31)
      waitFor("alice's 131", () -> ra.delivered.stream().anyMatch(d -> sent.messageId().equals(d.string("messageId"))));
      assertThat(ra.delivered.get(0).string("receiveUserId")).isEqualTo(b);
      assertThat(rb.threads).allMatch(t -> t.startsWith("seedim-client-"));

      // the same unique again is the same message (idempotent 130, §4.3): same id, no second 140
      SendResult again = get(alice.sendMessage(b, "hello bob", "text", sent.unique()));
      assertThat(again.messageId()).isEqualTo(sent.messageId());
      Thread.sleep(300);
      assertThat(rb.messagesWithId(sent.messageId())).isEqualTo(1);

      // the 21 carries the server clock
      Frame hb = get(alice.heartbeat());
      assertThat(hb.type()).isEqualTo(MsgType.HEARTBEAT_REPLY);
      assertThat(hb.number("timestamp", 0)).isPositive();
      assertThat(get(alice.onlineStatus(List.of(b)))).containsEntry(b, true);
    }
  }

  @Test
  @DisplayName("history, unread and read helpers: 161 → 162, 102, 180, 160 → 199 to the sender")
  void historyAndUnread() throws Exception {
    String a = Clients.uid("alice");
    String c = Clients.uid("carol");
    Recorder ra = new Recorder();
    Recorder rc = new Recorder();
    try (ImClient alice = Clients.client(server, a, ra)) {
      get(alice.connect());
      String m1 = get(alice.sendText(c, "one")).messageId();
      String m2 = get(alice.sendText(c, "two")).messageId();
      String m3 = get(alice.sendText(c, "three")).messageId();

      // carol connects later, with autoAck off: the replayed 140s stay undelivered, the messages unread
      try (ImClient carol = Clients.client(server.port(), c, "d1", rc, null, bld -> bld.autoAck(false))) {
        get(carol.connect());
        waitFor("the replayed 140s", () -> rc.messages.size() == 3);
        assertThat(rc.messages).extracting(ChatMessage::messageId).containsExactly(m1, m2, m3);
        waitFor("the 1170 head", () -> !rc.heads.isEmpty());
        assertThat(rc.heads.get(0).messageId()).isEqualTo(m3);
        assertThat(rc.heads.get(0).frame().number("unreadCount", -1)).isEqualTo(3);

        UnreadTotal total = get(carol.unreadTotal());
        assertThat(total.total()).isEqualTo(3);
        assertThat(total.unreadCounts()).containsEntry(a, 3L);

        MessagePage unread = get(carol.unreadMessages(a));
        assertThat(unread.total()).isEqualTo(3);
        assertThat(unread.messages()).extracting(ChatMessage::message).containsExactly("one", "two", "three");

        MessagePage page = get(carol.history(a, 1, 2));
        assertThat(page.messages()).extracting(ChatMessage::messageId).containsExactly(m2, m3);
        assertThat(page.total()).isEqualTo(3);
        assertThat(page.hasMore()).isTrue();
        MessagePage older = get(carol.historyBefore(a, m2, 2));
        assertThat(older.messages()).extracting(ChatMessage::messageId).containsExactly(m1);
        assertThat(older.hasMore()).isFalse();

        get(carol.ackMessages(List.of(m1, m2, m3)));
        waitFor("three 131s", () -> ra.delivered.size() == 3);

        Frame ok = get(carol.viewPeer(a));
        assertThat(ok.type()).isEqualTo(MsgType.RECEIVED);
        assertThat(get(carol.unreadTotal()).total()).isZero();
        waitFor("alice's 199", () -> ra.reads.stream().anyMatch(r -> m3.equals(r.string("messageId"))));
        assertThat(ra.reads.get(0).string("userId")).isEqualTo(c);

        // alice's own view of the conversation: read and delivered flags on her messages
        MessagePage mine = get(alice.history(c, 1, 20));
        assertThat(mine.messages()).allMatch(m -> m.delivered() && m.read());
        Frame retracted = get(alice.retract(m3, c));
        assertThat(retracted.number("receiveMsgType", 0)).isEqualTo(MsgType.RETRACT);
      }
    }
  }

  @Test
  @DisplayName("error replies fail the future with an ImException carrying the §3.2 code; 132 maps to CHAT_SIGN_EXPIRED")
  void errors() throws Exception {
    String a = Clients.uid("alice");
    Recorder ra = new Recorder();
    try (ImClient alice = Clients.client(server, a, ra);
         ImClient unsigned = Clients.client(server.port(), Clients.uid("dave"), "d1", new Recorder(), null,
           b -> b.chatSigner(null))) {
      get(alice.connect());
      assertThatThrownBy(() -> get(alice.history("bob", 1, 0)))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ImException.class)
        .extracting(e -> ((ImException) e).code()).isEqualTo("INVALID_FIELD");
      ImException self = cause(() -> get(alice.sendText(a, "to myself")));
      assertThat(self.code()).isEqualTo("INVALID_FIELD");
      assertThat(self.frame().type()).isEqualTo(MsgType.ERROR);
      assertThat(self.frame().number("receiveMsgType", 0)).isEqualTo(MsgType.SEND);
      ImException missing = cause(() -> get(alice.request(Frame.of(MsgType.READ))));
      assertThat(missing.code()).isEqualTo("MISSING_FIELD");
      ImException notFound = cause(() -> get(alice.read("123456789", null)));
      assertThat(notFound.code()).isEqualTo("NOT_FOUND");

      get(unsigned.connect());
      ImException noPermission = cause(() -> get(unsigned.sendText(a, "hi")));
      assertThat(noPermission.code()).isEqualTo("CHAT_SIGN_EXPIRED");
      assertThat(noPermission.frame().type()).isEqualTo(MsgType.CHAT_SIGN_EXPIRED);
      assertThat(alice.state()).as("errors leave the connection open").isEqualTo(ImClient.State.OPEN);
    }
    ImClient idle = Clients.client(server, a, new Recorder());
    assertThat(cause(() -> get(idle.heartbeat())).code()).isEqualTo("NOT_CONNECTED");
    idle.close();
  }

  @Test
  @DisplayName("chatSigner: a 132 fetches a fresh chat sign once and resends with the same unique")
  void chatSignRefresh() throws Exception {
    String a = Clients.uid("alice");
    String b = Clients.uid("bob");
    AtomicInteger calls = new AtomicInteger();
    Recorder rb = new Recorder();
    try (ImClient alice = Clients.client(server.port(), a, "d1", new Recorder(), null, x -> x.chatSigner(peer -> {
           long now = System.currentTimeMillis();
           // the first sign is made with a wrong secret: the server answers 132
           String secret = calls.incrementAndGet() == 1 ? "wrong-secret" : TestServer.SECRET;
           return CompletableFuture.completedFuture(new ChatSign(Signer.chat(secret, TestServer.APP_ID, a, peer, now), now));
         }));
         ImClient bob = Clients.client(server, b, rb)) {
      get(alice.connect());
      get(bob.connect());
      SendResult r = get(alice.sendText(b, "after a refresh"));
      assertThat(calls.get()).isEqualTo(2);
      waitFor("bob's 140", () -> rb.messagesWithId(r.messageId()) == 1);
      get(alice.sendText(b, "cached sign"));
      assertThat(calls.get()).as("the sign is cached per receiver").isEqualTo(2);
    }
  }

  @Test
  @DisplayName("a refused upgrade reaches onRefused with the status: 400 is final, 401 is retried with a fresh URL")
  void refused() throws Exception {
    Recorder bad = new Recorder();
    ImClient c400 = ImClient.builder(() -> CompletableFuture.completedFuture("ws://127.0.0.1:" + server.port()
      + "/ws?appId=" + TestServer.APP_ID + "&txNo=1&sign=00")).listener(bad).build();
    ImException e = cause(() -> get(c400.connect()));
    assertThat(e.code()).isEqualTo("DISCONNECTED");
    assertThat(e.getCause()).isInstanceOf(HandshakeRefusedException.class);
    waitFor("the refusal", () -> bad.refusals.size() == 1);
    assertThat(bad.refusals.get(0).status()).isEqualTo(400);
    assertThat(bad.refusals.get(0).code()).as("from the JSON body").isEqualTo("MISSING_FIELD");
    assertThat(bad.refusals.get(0).body()).contains("userId");
    waitFor("closed", () -> c400.state() == ImClient.State.CLOSED);
    assertThat(bad.closes).singleElement().extracting(Recorder.Close::willReconnect).isEqualTo(false);
    c400.close();

    Recorder wrong = new Recorder();
    String u = Clients.uid("eve");
    ImClient c401 = ImClient.builder(() -> CompletableFuture.completedFuture(
        Signer.connectUrl("ws://127.0.0.1:" + server.port() + "/ws", "not-the-secret", TestServer.APP_ID, u, null, null)))
      .listener(wrong).backoff(Duration.ofMillis(100), Duration.ofMillis(200)).build();
    assertThat(cause(() -> get(c401.connect())).code()).isEqualTo("DISCONNECTED");
    waitFor("two refusals", () -> wrong.refusals.size() >= 2);
    assertThat(wrong.refusals.get(0).status()).isEqualTo(401);
    assertThat(wrong.refusals.get(0).code()).isEqualTo("UNAUTHORIZED");
    assertThat(wrong.closes.get(0).willReconnect()).isTrue();
    c401.close();
    waitFor("closed", () -> c401.state() == ImClient.State.CLOSED);
  }

  @Test
  @DisplayName("99 REPLACED (same user and device twice): the old client stops and does not reconnect")
  void replaced() throws Exception {
    String a = Clients.uid("alice");
    Recorder r1 = new Recorder();
    Recorder r2 = new Recorder();
    try (ImClient first = Clients.client(server.port(), a, "phone", r1, null,
           b -> b.backoff(Duration.ofMillis(100), Duration.ofMillis(200)));
         ImClient second = Clients.client(server.port(), a, "phone", r2, null, null)) {
      get(first.connect());
      get(second.connect());
      waitFor("the REPLACED notice", () -> r1.kicked.size() == 1);
      assertThat(r1.kicked.get(0).string("code")).isEqualTo("REPLACED");
      waitFor("closed", () -> first.state() == ImClient.State.CLOSED);
      Thread.sleep(800); // several backoff periods
      assertThat(r1.opens.get()).as("no reconnect after REPLACED").isEqualTo(1);
      assertThat(r1.closes).allMatch(c -> !c.willReconnect());
      assertThat(r1.closes.get(0).code()).isEqualTo(4001);
      assertThat(second.state()).isEqualTo(ImClient.State.OPEN);
      assertThat(r2.kicked).isEmpty();
      assertThat(get(second.heartbeat()).type()).isEqualTo(MsgType.HEARTBEAT_REPLY);
    }
  }

  @Test
  @DisplayName("99 KICKED through the signed HTTP API (POST /api/v1/kick): no reconnect")
  void kicked() throws Exception {
    String a = Clients.uid("frank");
    Recorder r = new Recorder();
    try (ImClient frank = Clients.client(server.port(), a, "d1", r, null,
      b -> b.backoff(Duration.ofMillis(100), Duration.ofMillis(200)))) {
      get(frank.connect());
      String body = new JsonObject().put("userId", a).toString();
      String path = "/api/v1/kick";
      String ts = Long.toString(System.currentTimeMillis());
      String nonce = UUID.randomUUID().toString();
      HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .header("Content-Type", "application/json").header("X-App-Id", TestServer.APP_ID).header("X-Timestamp", ts)
        .header("X-Nonce", nonce)
        .header("X-Signature", Signer.api(TestServer.SECRET, "POST", TestServer.APP_ID, path, ts, nonce, body))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
      assertThat(new JsonObject(res.body()).getInteger("kicked")).isEqualTo(1);
      waitFor("KICKED", () -> r.kicked.size() == 1);
      assertThat(r.kicked.get(0).string("code")).isEqualTo("KICKED");
      waitFor("closed", () -> frank.state() == ImClient.State.CLOSED);
      Thread.sleep(500);
      assertThat(r.opens.get()).isEqualTo(1);
    }
  }

  interface Call {
    void run() throws Exception;
  }

  static ImException cause(Call c) {
    try {
      c.run();
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ImException.class);
      return (ImException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError("expected an ImException, got " + e, e);
    }
    throw new AssertionError("expected an ImException");
  }
}
