package com.seedim.im.chat.store;

import com.seedim.im.testkit.Codes;
import com.seedim.im.common.id.IdGenerator;
import com.seedim.im.common.proto.ErrorCode;
import io.vertx.core.Future;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link ChatStore} contract, run against every implementation. Each test uses its own app id, so tests
 * share one store without seeing each other (which also exercises app isolation).
 */
@Timeout(60)
abstract class ChatStoreContract {
  private static final IdGenerator IDS = new IdGenerator(3);

  protected abstract ChatStore store();

  protected static String newApp() {
    return "app" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  protected static ChatMessage send(ChatStore s, String app, String from, String to, String text) {
    return send(s, app, from, to, "d1", null, text).message();
  }

  protected static ChatStore.SendResult send(ChatStore s, String app, String from, String to, String device, String unique,
                                             String text) {
    long now = System.currentTimeMillis();
    NewMessage m = new NewMessage(app, IDS.next(), from, to, device, unique, NewMessage.hash(to, "text", text), text, "text", now);
    return s.insert(m, now - 86_400_000L).await();
  }

  private static Conversation conv(ChatStore s, String app, String owner, String peer) {
    for (ChatStore.Head h : s.heads(app, owner, null, 1000).await()) {
      if (h.conversation().peer().equals(peer)) {
        return h.conversation();
      }
    }
    return null;
  }

  @Test
  @DisplayName("sends arriving together are each stored once; concurrent repeats of a unique, even in one batch, all get the one stored message")
  void sendsTogether() {
    String app = newApp();
    long now = System.currentTimeMillis();
    List<Future<ChatStore.SendResult>> all = new ArrayList<>();
    List<NewMessage> asked = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String text = "m" + (i % 30);                 // messages 30..59 repeat 0..29 with the same unique and content
      String unique = "u" + (i % 30);
      NewMessage m = new NewMessage(app, IDS.next(), "alice", i % 2 == 0 ? "bob" : "carol", "d", unique,
        NewMessage.hash(i % 2 == 0 ? "bob" : "carol", "text", text), text, "text", now);
      asked.add(m);
      all.add(store().insert(m, now - 86_400_000L));
    }
    all.add(store().insert(new NewMessage(app, IDS.next(), "bob", "alice", "d", null, NewMessage.hash("alice", "text", "x"),
      "x", "text", now), now - 86_400_000L));
    Future.join(new ArrayList<>(all)).await();
    for (int i = 0; i < 30; i++) {
      ChatStore.SendResult first = all.get(i).result();
      ChatStore.SendResult repeat = all.get(i + 30).result();
      // concurrent repeats: whichever commits first is the message, the other one gets it back
      assertThat(first.duplicate() ^ repeat.duplicate()).as("exactly one of the two is stored").isTrue();
      assertThat(repeat.message().messageId()).isEqualTo(first.message().messageId())
        .isIn(asked.get(i).messageId(), asked.get(i + 30).messageId());
    }
    assertThat(conv(store(), app, "bob", "alice").unreadCount()).isEqualTo(15);
    assertThat(conv(store(), app, "carol", "alice").unreadCount()).isEqualTo(15);
    assertThat(conv(store(), app, "alice", "bob").unreadCount()).isEqualTo(1);
    assertThat(store().history(app, "alice", "bob", null, 0, 100).await().total()).isEqualTo(16);
    assertThat(store().history(app, "alice", "carol", null, 0, 100).await().total()).isEqualTo(15);
  }

  @Test
  @DisplayName("between: a window of one pair's messages by id, both directions, oldest first, limited (§14.5)")
  void between() {
    String app = newApp();
    ChatMessage before = send(store(), app, "cu", "ag", "before");
    ChatMessage a = send(store(), app, "cu", "ag", "a");
    send(store(), app, "cu", "other", "another pair");
    ChatMessage b = send(store(), app, "ag", "cu", "b");
    ChatMessage c = send(store(), app, "cu", "ag", "c");
    ChatMessage after = send(store(), app, "ag", "cu", "after");
    assertThat(store().between(app, "ag", "cu", a.messageId(), c.messageId(), 10).await()).containsExactly(a, b, c);
    assertThat(store().between(app, "cu", "ag", a.messageId(), c.messageId(), 2).await()).containsExactly(a, b);
    assertThat(store().between(app, "cu", "ag", 0, Long.MAX_VALUE, 10).await()).containsExactly(before, a, b, c, after);
    assertThat(store().between(app, "cu", "ag", c.messageId() + 1, c.messageId(), 10).await()).isEmpty();
    assertThat(store().between(newApp(), "cu", "ag", 0, Long.MAX_VALUE, 10).await()).as("other apps see nothing").isEmpty();
  }

  @Test
  @DisplayName("insert stores the message and both conversation rows; only the receiver's unread grows")
  void insertAndRows() {
    String app = newApp();
    ChatMessage m = send(store(), app, "alice", "bob", "hello");
    assertThat(store().message(app, m.messageId()).await()).isEqualTo(m);
    assertThat(store().message(newApp(), m.messageId()).await()).as("other apps see nothing").isNull();
    Conversation bob = conv(store(), app, "bob", "alice");
    Conversation alice = conv(store(), app, "alice", "bob");
    assertThat(bob.unreadCount()).isEqualTo(1);
    assertThat(alice.unreadCount()).isZero();
    assertThat(bob.messageCount()).isEqualTo(1);
    assertThat(alice.messageCount()).isEqualTo(1);
    assertThat(bob.lastMessageId()).isEqualTo(m.messageId());
    ChatStore.Head h = store().heads(app, "bob", null, 10).await().get(0);
    assertThat(h.last()).isEqualTo(m);
  }

  @Test
  @DisplayName("dedupe: same device+unique+content is the same message; other content, device or no unique is new")
  void dedupe() {
    String app = newApp();
    ChatStore.SendResult first = send(store(), app, "alice", "bob", "phone", "u-1", "hi");
    ChatStore.SendResult again = send(store(), app, "alice", "bob", "phone", "u-1", "hi");
    assertThat(first.duplicate()).isFalse();
    assertThat(again.duplicate()).isTrue();
    assertThat(again.message().messageId()).isEqualTo(first.message().messageId());
    assertThat(again.message().sendTime()).isEqualTo(first.message().sendTime());
    assertThat(conv(store(), app, "bob", "alice").unreadCount()).isEqualTo(1);
    assertThat(send(store(), app, "alice", "bob", "phone", "u-1", "other text").duplicate()).isFalse();
    assertThat(send(store(), app, "alice", "bob", "laptop", "u-1", "hi").duplicate()).isFalse();
    assertThat(send(store(), app, "alice", "bob", "phone", null, "hi").duplicate()).isFalse();
    assertThat(send(store(), app, "alice", "bob", "phone", null, "hi").duplicate()).isFalse();
    assertThat(conv(store(), app, "alice", "bob").messageCount()).isEqualTo(5);
    assertThat(conv(store(), app, "bob", "alice").unreadCount()).isEqualTo(5);
  }

  @Test
  @DisplayName("dedupe window: a repeat after the window is a new message, and later repeats match the new one")
  void dedupeWindow() {
    String app = newApp();
    ChatStore.SendResult first = send(store(), app, "alice", "bob", "phone", "u-1", "hi");
    long now = System.currentTimeMillis() + 5;
    NewMessage late = new NewMessage(app, IDS.next(), "alice", "bob", "phone", "u-1", NewMessage.hash("bob", "text", "hi"),
      "hi", "text", now);
    ChatStore.SendResult second = store().insert(late, now).await();
    assertThat(second.duplicate()).isFalse();
    assertThat(second.message().messageId()).isNotEqualTo(first.message().messageId());
    ChatStore.SendResult third = send(store(), app, "alice", "bob", "phone", "u-1", "hi");
    assertThat(third.duplicate()).isTrue();
    assertThat(third.message().messageId()).isEqualTo(second.message().messageId());
  }

  @Test
  @DisplayName("delivery: only the receiver's acks count, once; undelivered lists are oldest first")
  void delivery() {
    String app = newApp();
    ChatMessage m1 = send(store(), app, "alice", "bob", "1");
    ChatMessage m2 = send(store(), app, "alice", "bob", "2");
    ChatMessage m3 = send(store(), app, "carol", "bob", "3");
    assertThat(store().undelivered(app, "bob", 10).await()).extracting(ChatMessage::messageId)
      .containsExactly(m1.messageId(), m2.messageId(), m3.messageId());
    assertThat(store().undelivered(app, "bob", 2).await()).hasSize(2);
    assertThat(store().markDelivered(app, "alice", List.of(m1.messageId())).await()).as("sender's own ack").isEmpty();
    List<ChatMessage> done = store().markDelivered(app, "bob", List.of(m1.messageId(), m3.messageId(), 999L)).await();
    assertThat(done).extracting(ChatMessage::messageId).containsExactly(m1.messageId(), m3.messageId());
    assertThat(done).allMatch(ChatMessage::delivered);
    assertThat(store().markDelivered(app, "bob", List.of(m1.messageId())).await()).as("second ack").isEmpty();
    assertThat(store().undelivered(app, "bob", 10).await()).extracting(ChatMessage::messageId).containsExactly(m2.messageId());
    assertThat(store().message(app, m1.messageId()).await().delivered()).isTrue();
    List<ChatMessage> swept = store().undeliveredBetween(m1.messageId(), m3.messageId(), 100).await();
    assertThat(swept).extracting(ChatMessage::messageId).contains(m2.messageId()).doesNotContain(m1.messageId(), m3.messageId());
  }

  @Test
  @DisplayName("read marks only move forward, recompute unread exactly and set the peer's view of them")
  void read() {
    String app = newApp();
    ChatMessage a1 = send(store(), app, "alice", "bob", "1");
    ChatMessage b1 = send(store(), app, "bob", "alice", "reply");
    ChatMessage a2 = send(store(), app, "alice", "bob", "2");
    ChatMessage a3 = send(store(), app, "alice", "bob", "3");
    assertThat(conv(store(), app, "bob", "alice").unreadCount()).isEqualTo(3);
    ChatStore.ReadResult r = store().markRead(app, "bob", "alice", a2.messageId(), System.currentTimeMillis()).await();
    assertThat(r).isEqualTo(new ChatStore.ReadResult(a2.messageId(), true));
    assertThat(conv(store(), app, "bob", "alice").unreadCount()).isEqualTo(1);
    assertThat(conv(store(), app, "bob", "alice").readMessageId()).isEqualTo(a2.messageId());
    assertThat(conv(store(), app, "alice", "bob").peerReadMessageId()).isEqualTo(a2.messageId());
    ChatStore.ReadResult back = store().markRead(app, "bob", "alice", a1.messageId(), System.currentTimeMillis()).await();
    assertThat(back).isEqualTo(new ChatStore.ReadResult(a2.messageId(), false));
    assertThat(conv(store(), app, "bob", "alice").unreadCount()).isEqualTo(1);
    ChatStore.ReadResult all = store().markRead(app, "bob", "alice", null, System.currentTimeMillis()).await();
    assertThat(all).isEqualTo(new ChatStore.ReadResult(a3.messageId(), true));
    assertThat(conv(store(), app, "bob", "alice").unreadCount()).isZero();
    assertThat(conv(store(), app, "alice", "bob").unreadCount()).as("alice's side untouched").isEqualTo(1);
    assertThat(store().markRead(app, "alice", "bob", null, System.currentTimeMillis()).await().readMessageId())
      .isEqualTo(b1.messageId());
    assertThat(store().markRead(app, "bob", "nobody", null, System.currentTimeMillis()).await().advanced()).isFalse();
    ChatMessage a4 = send(store(), app, "alice", "bob", "4");
    assertThat(conv(store(), app, "bob", "alice").unreadCount()).isEqualTo(1);
    assertThat(a4.messageId()).isGreaterThan(a3.messageId());
  }

  @Test
  @DisplayName("retract: policy errors, leaves unread, marks retracted and delivered, repeat is a no-op")
  void retract() {
    String app = newApp();
    ChatMessage m1 = send(store(), app, "alice", "bob", "1");
    ChatMessage m2 = send(store(), app, "alice", "bob", "2");
    long now = System.currentTimeMillis();
    assertThat(Codes.of(() -> store().retract(app, "bob", m2.messageId(), now, 120).await())).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(Codes.of(() -> store().retract(app, "eve", m2.messageId(), now, 120).await())).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(Codes.of(() -> store().retract(app, "alice", 12345L, now, 120).await())).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(Codes.of(() -> store().retract(app, "alice", m2.messageId(), now + 121_000, 120).await()))
      .isEqualTo(ErrorCode.RETRACT_EXPIRED);
    ChatStore.RetractResult r = store().retract(app, "alice", m2.messageId(), now, 120).await();
    assertThat(r.changed()).isTrue();
    assertThat(r.message().retracted()).isTrue();
    ChatMessage stored = store().message(app, m2.messageId()).await();
    assertThat(stored.retracted()).isTrue();
    assertThat(stored.delivered()).isTrue();
    assertThat(conv(store(), app, "bob", "alice").unreadCount()).isEqualTo(1);
    assertThat(store().undelivered(app, "bob", 10).await()).extracting(ChatMessage::messageId).containsExactly(m1.messageId());
    assertThat(store().unread(app, "bob", null, 10).await().messages()).extracting(ChatMessage::messageId)
      .containsExactly(m1.messageId());
    assertThat(store().retract(app, "alice", m2.messageId(), now, 120).await().changed()).isFalse();
    assertThat(conv(store(), app, "alice", "bob").messageCount()).as("lists keep it").isEqualTo(2);
    // retracting an already-read message changes nothing in the counters
    store().markRead(app, "bob", "alice", null, now).await();
    store().retract(app, "alice", m1.messageId(), now, 120).await();
    assertThat(conv(store(), app, "bob", "alice").unreadCount()).isZero();
  }


  @Test
  @DisplayName("history: pages newest first, oldest first within a page, hasMore, cursor, total from the counter")
  void history() {
    String app = newApp();
    List<ChatMessage> all = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      all.add(i % 2 == 0 ? send(store(), app, "alice", "bob", "m" + i) : send(store(), app, "bob", "alice", "m" + i));
    }
    send(store(), app, "alice", "carol", "elsewhere");
    ChatStore.HistoryResult p1 = store().history(app, "alice", "bob", null, 0, 10).await();
    assertThat(p1.messages()).extracting(ChatMessage::content).containsExactly(
      "m15", "m16", "m17", "m18", "m19", "m20", "m21", "m22", "m23", "m24");
    assertThat(p1.hasMore()).isTrue();
    assertThat(p1.total()).isEqualTo(25);
    ChatStore.HistoryResult p3 = store().history(app, "bob", "alice", null, 20, 10).await();
    assertThat(p3.messages()).extracting(ChatMessage::content).containsExactly("m0", "m1", "m2", "m3", "m4");
    assertThat(p3.hasMore()).isFalse();
    ChatStore.HistoryResult cursor = store().history(app, "alice", "bob", all.get(5).messageId(), 0, 3).await();
    assertThat(cursor.messages()).extracting(ChatMessage::content).containsExactly("m2", "m3", "m4");
    assertThat(cursor.hasMore()).isTrue();
    ChatStore.HistoryResult exact = store().history(app, "alice", "bob", all.get(3).messageId(), 0, 3).await();
    assertThat(exact.messages()).extracting(ChatMessage::content).containsExactly("m0", "m1", "m2");
    assertThat(exact.hasMore()).isFalse();
    assertThat(store().history(app, "alice", "zed", null, 0, 10).await().messages()).isEmpty();
    assertThat(store().history(newApp(), "alice", "bob", null, 0, 10).await().total()).isZero();
  }

  @Test
  @DisplayName("unread list (oldest first, limited, peer filter) and totals (exact, largest first) agree")
  void unread() {
    String app = newApp();
    ChatMessage c1 = send(store(), app, "carol", "bob", "c1");
    ChatMessage a1 = send(store(), app, "alice", "bob", "a1");
    send(store(), app, "alice", "bob", "a2");
    send(store(), app, "alice", "bob", "a3");
    send(store(), app, "bob", "alice", "mine");
    ChatStore.UnreadResult u = store().unread(app, "bob", null, 2).await();
    assertThat(u.total()).isEqualTo(4);
    assertThat(u.messages()).extracting(ChatMessage::messageId).containsExactly(c1.messageId(), a1.messageId());
    ChatStore.UnreadResult fromAlice = store().unread(app, "bob", "alice", 10).await();
    assertThat(fromAlice.total()).isEqualTo(3);
    assertThat(fromAlice.messages()).extracting(ChatMessage::content).containsExactly("a1", "a2", "a3");
    ChatStore.UnreadTotals t = store().unreadTotals(app, "bob", 500).await();
    assertThat(t.total()).isEqualTo(4);
    assertThat(new ArrayList<>(t.perPeer().entrySet())).containsExactly(Map.entry("alice", 3L), Map.entry("carol", 1L));
    assertThat(store().unreadTotals(app, "bob", 1).await().perPeer()).containsOnlyKeys("alice");
    assertThat(store().unreadTotals(app, "bob", 1).await().total()).isEqualTo(4);
    assertThat(store().unreadTotals(app, "alice", 500).await().total()).isEqualTo(1);
  }

  @Test
  @DisplayName("heads: latest conversation first, limited, filtered by change time; contacts and recent peers")
  void headsAndContacts() throws InterruptedException {
    String app = newApp();
    send(store(), app, "alice", "bob", "1");
    send(store(), app, "carol", "alice", "2");
    Thread.sleep(5);
    long mid = System.currentTimeMillis();
    Thread.sleep(5);
    ChatMessage last = send(store(), app, "alice", "dave", "3");
    List<ChatStore.Head> heads = store().heads(app, "alice", null, 10).await();
    assertThat(heads).extracting(h -> h.conversation().peer()).containsExactly("dave", "carol", "bob");
    assertThat(heads.get(0).last()).isEqualTo(last);
    assertThat(store().heads(app, "alice", null, 2).await()).hasSize(2);
    assertThat(store().heads(app, "alice", mid, 10).await()).extracting(h -> h.conversation().peer()).containsExactly("dave");
    assertThat(store().recentPeers(app, "alice", 0, 10).await()).containsExactly("dave", "carol", "bob");
    assertThat(store().recentPeers(app, "alice", mid, 10).await()).containsExactly("dave");
    assertThat(store().contactsAmong(app, "alice", List.of("bob", "dave", "zed")).await()).containsExactlyInAnyOrder("bob", "dave");
    assertThat(store().contactsAmong(app, "zed", List.of("bob")).await()).isEmpty();
  }

  @Test
  @DisplayName("connect lookups asked together (batched into one statement on MariaDB) each get their own user's "
    + "heads, undelivered messages and recent peers, with their own limits; users without any get empty lists")
  void lookupsTogether() {
    String app = newApp();
    String other = newApp();
    int users = 45; // more than one power-of-two batch, fewer than a full one: padding and two batches
    for (int i = 0; i < users; i += 3) {
      for (int k = 0; k <= i % 4; k++) {
        send(store(), app, "peer" + k, "u" + i, "to u" + i + " #" + k);
      }
    }
    send(store(), other, "peer0", "u0", "another app");
    List<Future<List<ChatStore.Head>>> heads = new ArrayList<>();
    List<Future<List<ChatMessage>>> pending = new ArrayList<>();
    List<Future<List<String>>> peers = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      heads.add(store().heads(app, "u" + i, null, 2));
      pending.add(store().undelivered(app, "u" + i, 3));
      peers.add(store().recentPeers(app, "u" + i, 0, 10));
    }
    heads.add(store().heads(other, "u0", null, 10));
    Future.join(new ArrayList<Future<?>>(heads)).await();
    Future.join(new ArrayList<Future<?>>(pending)).await();
    Future.join(new ArrayList<Future<?>>(peers)).await();
    for (int i = 0; i < users; i++) {
      int sent = i % 3 == 0 ? i % 4 + 1 : 0;
      int user = i;
      assertThat(heads.get(i).result()).as("heads of u%d", i).hasSize(Math.min(sent, 2))
        .allSatisfy(h -> assertThat(h.last().receiver()).isEqualTo("u" + user));
      List<ChatMessage> mine = pending.get(i).result();
      assertThat(mine).as("undelivered of u%d", i).hasSize(Math.min(sent, 3));
      assertThat(mine).allSatisfy(m -> assertThat(m.receiver()).isEqualTo("u" + user));
      assertThat(mine).extracting(ChatMessage::messageId).isSorted();
      assertThat(peers.get(i).result()).as("recent peers of u%d", i).hasSize(sent);
    }
    assertThat(heads.get(users).result()).extracting(h -> h.last().content()).containsExactly("another app");
  }

  @Test
  @DisplayName("a connect's reads asked together (one statement per batch on MariaDB) answer exactly what the three "
    + "separate lookups answer: heads with their since and limit, undelivered oldest first with the replay limit, "
    + "recent peers only when asked; acked and other apps' messages left out")
  void connectReadsTogether() {
    String app = newApp();
    String other = newApp();
    int users = 21; // two batches with padding
    for (int i = 0; i < users; i++) {
      for (int k = 0; k <= i % 5; k++) {
        send(store(), app, "peer" + k, "u" + i, "to u" + i + " #" + k);
      }
    }
    ChatMessage acked = send(store(), app, "peer9", "u0", "acked");
    store().markDelivered(app, "u0", List.of(acked.messageId())).await();
    send(store(), other, "peer0", "u0", "another app");
    long mid = System.currentTimeMillis() + 1;
    List<Future<ChatStore.ConnectRead>> reads = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      Long since = i % 4 == 3 ? mid : null;
      reads.add(store().connectRead(new ChatStore.ConnectAsk(app, "u" + i, since, 1 + i % 3, 1 + i % 4, 0, i % 2 == 0 ? 10 : 0)));
    }
    reads.add(store().connectRead(new ChatStore.ConnectAsk(app, "nobody", null, 10, 10, 0, 10)));
    Future.join(new ArrayList<Future<?>>(reads)).await();
    for (int i = 0; i < users; i++) {
      ChatStore.ConnectRead r = reads.get(i).result();
      Long since = i % 4 == 3 ? mid : null;
      assertThat(r.heads()).as("heads of u%d", i).usingRecursiveFieldByFieldElementComparator()
        .containsExactlyElementsOf(store().heads(app, "u" + i, since, 1 + i % 3).await());
      assertThat(r.undelivered()).as("undelivered of u%d", i).extracting(ChatMessage::messageId)
        .containsExactlyElementsOf(store().undelivered(app, "u" + i, 1 + i % 4).await().stream().map(ChatMessage::messageId).toList());
      assertThat(r.undelivered()).as("undelivered of u%d", i).hasSize(Math.min(i % 5 + 1, 1 + i % 4))
        .allSatisfy(m -> assertThat(m.delivered()).isFalse());
      assertThat(r.recentPeers()).as("recent peers of u%d", i)
        .containsExactlyElementsOf(i % 2 == 0 ? store().recentPeers(app, "u" + i, 0, 10).await() : List.of());
    }
    assertThat(reads.get(0).result().recentPeers()).contains("peer9");
    assertThat(reads.get(0).result().undelivered()).extracting(ChatMessage::content).doesNotContain("acked", "another app");
    ChatStore.ConnectRead nobody = reads.get(users).result();
    assertThat(nobody.heads()).isEmpty();
    assertThat(nobody.undelivered()).isEmpty();
    assertThat(nobody.recentPeers()).isEmpty();
  }

  @Test
  @DisplayName("sensitive words: none until saved, then replaced as a whole")
  void words() {
    String app = newApp();
    assertThat(store().sensitiveWords(app).await()).isNull();
    store().saveSensitiveWords(app, List.of("foo", "赌博")).await();
    assertThat(store().sensitiveWords(app).await()).containsExactly("foo", "赌博");
    store().saveSensitiveWords(app, List.of()).await();
    assertThat(store().sensitiveWords(app).await()).isEmpty();
  }

  @Test
  @DisplayName("concurrent sends, reads and retracts: every unread counter equals the recomputed truth")
  void concurrency() {
    String app = newApp();
    List<String> users = List.of("u1", "u2", "u3", "u4");
    List<Future<?>> ops = new ArrayList<>();
    List<ChatMessage> sent = Collections.synchronizedList(new ArrayList<>());
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    for (int i = 0; i < 200; i++) {
      String from = users.get(rnd.nextInt(users.size()));
      String to = users.get((users.indexOf(from) + 1 + rnd.nextInt(users.size() - 1)) % users.size());
      long now = System.currentTimeMillis();
      String text = "t" + i;
      ops.add(store().insert(new NewMessage(app, IDS.next(), from, to, "d", null, NewMessage.hash(to, "text", text), text,
        "text", now), 0).onSuccess(r -> sent.add(r.message())));
      if (i % 5 == 0) {
        ops.add(store().markRead(app, to, from, null, now));
      }
      if (i % 17 == 0 && !sent.isEmpty()) {
        ChatMessage victim = sent.get(rnd.nextInt(sent.size()));
        ops.add(store().retract(app, victim.sender(), victim.messageId(), now, 120));
      }
    }
    Future.join(ops).await();
    assertThat(sent).hasSize(200);
    for (String owner : users) {
      long total = 0;
      for (String peer : users) {
        if (peer.equals(owner)) {
          continue;
        }
        Conversation c = conv(store(), app, owner, peer);
        if (c == null) {
          continue;
        }
        long truth = 0;
        for (ChatMessage m : sent) {
          ChatMessage now = store().message(app, m.messageId()).await();
          if (now.receiver().equals(owner) && now.sender().equals(peer) && now.messageId() > c.readMessageId() && !now.retracted()) {
            truth++;
          }
        }
        assertThat(c.unreadCount()).as("unread of %s from %s", owner, peer).isEqualTo(truth);
        total += truth;
      }
      assertThat(store().unreadTotals(app, owner, 500).await().total()).isEqualTo(total);
      assertThat(store().unread(app, owner, null, 1000).await().messages()).hasSize((int) total);
    }
    Map<String, Long> counts = new HashMap<>();
    sent.forEach(m -> counts.merge(m.sender().compareTo(m.receiver()) < 0 ? m.sender() + m.receiver() : m.receiver() + m.sender(),
      1L, Long::sum));
    for (String a : users) {
      for (String b : users) {
        if (a.compareTo(b) < 0 && counts.containsKey(a + b)) {
          assertThat(conv(store(), app, a, b).messageCount()).isEqualTo(counts.get(a + b));
        }
      }
    }
  }

  @Test
  @DisplayName("acks in any order and subset: 3 and 5 of 1..6, then 1, 2 (with 3 again), 4 and 6; replay after each step; the watermark compacts")
  void outOfOrderAcks() {
    String app = newApp();
    List<ChatMessage> m = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      m.add(send(store(), app, "alice", "bob", "m" + i));
    }
    assertThat(ack(app, m, 3, 5)).containsExactly(id(m, 3), id(m, 5));
    assertThat(replay(app)).containsExactly(id(m, 1), id(m, 2), id(m, 4), id(m, 6));
    assertThat(watermark(app, "bob")).isEqualTo(new Watermark(0, new TreeSet<>(List.of(3L, 5L))));
    assertThat(store().message(app, id(m, 5)).await().delivered()).isTrue();
    assertThat(store().message(app, id(m, 4)).await().delivered()).isFalse();
    assertThat(ack(app, m, 1)).containsExactly(id(m, 1));
    assertThat(replay(app)).containsExactly(id(m, 2), id(m, 4), id(m, 6));
    assertThat(watermark(app, "bob")).isEqualTo(new Watermark(1, new TreeSet<>(List.of(3L, 5L))));
    assertThat(ack(app, m, 2, 3)).as("3 was acked before").containsExactly(id(m, 2));
    assertThat(replay(app)).containsExactly(id(m, 4), id(m, 6));
    assertThat(watermark(app, "bob")).isEqualTo(new Watermark(3, new TreeSet<>(List.of(5L))));
    assertThat(ack(app, m, 4, 6)).containsExactly(id(m, 4), id(m, 6));
    assertThat(replay(app)).isEmpty();
    assertThat(watermark(app, "bob")).as("compacted").isEqualTo(new Watermark(6, new TreeSet<>()));
    assertThat(store().history(app, "bob", "alice", null, 0, 10).await().messages()).allMatch(ChatMessage::delivered);
    assertThat(store().undeliveredBetween(id(m, 1), id(m, 6), 100).await()).extracting(ChatMessage::appId)
      .doesNotContain(app);
    // a retracted message counts as delivered: the watermark passes it
    for (int i = 7; i <= 9; i++) {
      m.add(send(store(), app, "alice", "bob", "m" + i));
    }
    store().retract(app, "alice", id(m, 8), System.currentTimeMillis(), 120).await();
    assertThat(ack(app, m, 7)).containsExactly(id(m, 7));
    assertThat(replay(app)).containsExactly(id(m, 9));
    assertThat(ack(app, m, 8, 9)).as("8 is retracted").containsExactly(id(m, 9));
    assertThat(watermark(app, "bob")).isEqualTo(new Watermark(9, new TreeSet<>()));
  }

  /** The receiver's delivered watermark and acks above it, as the implementation stores them. */
  protected abstract Watermark watermark(String app, String receiver);

  private static long id(List<ChatMessage> m, int n) {
    return m.get(n - 1).messageId();
  }

  private List<Long> ack(String app, List<ChatMessage> m, int... n) {
    List<Long> ids = new ArrayList<>();
    for (int i : n) {
      ids.add(id(m, i));
    }
    return store().markDelivered(app, "bob", ids).await().stream().map(ChatMessage::messageId).toList();
  }

  private List<Long> replay(String app) {
    return store().undelivered(app, "bob", 100).await().stream().map(ChatMessage::messageId).toList();
  }
}
