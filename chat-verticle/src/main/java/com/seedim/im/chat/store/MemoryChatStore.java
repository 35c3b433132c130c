package com.seedim.im.chat.store;

import com.seedim.im.chat.rules.RetractPolicy;
import com.seedim.im.common.events.Event;
import com.seedim.im.common.events.EventStore;
import com.seedim.im.common.id.IdGenerator;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Dev-mode {@link ChatStore}: everything in memory, one lock, shared by every chat verticle of the JVM
 * (obtain it with {@code infra.shared(MemoryChatStore.class, MemoryChatStore::new)}). Not durable. Delivery is on
 * the same model as {@link MySqlChatStore} ({@link MemoryInboxes}).
 */
public final class MemoryChatStore implements ChatStore {
  private static final char SEP = '\n';

  private record MsgKey(String appId, long id) {
  }

  /** Messages as stored, with delivered false: {@link #view} derives it from the inboxes, as the MySQL store does. */
  private final Map<MsgKey, ChatMessage> messages = new HashMap<>();
  private final MemoryInboxes inboxes = new MemoryInboxes();
  private final Map<String, Long> dedupe = new HashMap<>();
  private final Map<String, NavigableSet<Long>> conversationIds = new HashMap<>();
  private final Map<String, Map<String, MemoryConversation>> conversations = new HashMap<>();
  private final Map<String, List<String>> words = new HashMap<>();
  private final MessageEvents events;
  /** Where {@link #events} are recorded (the process's memory outbox), or null. */
  private final EventStore outbox;

  public MemoryChatStore() {
    this(MessageEvents.NONE, null);
  }

  /** A store that records message events in {@code outbox} with each change, as the MySQL store does in its transactions. */
  public MemoryChatStore(MessageEvents events, EventStore outbox) {
    this.events = events;
    this.outbox = outbox;
  }

  private void record(List<Event> list) {
    if (outbox != null && !list.isEmpty()) {
      outbox.append(list);
    }
  }

  private static String key(String... parts) {
    return String.join(String.valueOf(SEP), parts);
  }

  private static String pairKey(String appId, String a, String b) {
    return a.compareTo(b) < 0 ? key(appId, a, b) : key(appId, b, a);
  }

  private Map<String, MemoryConversation> rowsOf(String appId, String owner) {
    return conversations.computeIfAbsent(key(appId, owner), k -> new HashMap<>());
  }

  private MemoryConversation row(String appId, String owner, String peer) {
    Map<String, MemoryConversation> rows = conversations.get(key(appId, owner));
    return rows == null ? null : rows.get(peer);
  }

  /** The message with its delivered flag: retracted, or delivered by its receiver's watermark. */
  private ChatMessage view(MsgKey k) {
    ChatMessage m = messages.get(k);
    if (m == null || m.retracted() || !inboxes.isDelivered(k.appId(), m.receiver(), k.id())) {
      return m;
    }
    return m.withDelivered();
  }

  @Override
  public synchronized Future<SendResult> insert(NewMessage m, long dedupeSinceMs) {
    String dk = m.unique() == null ? null
      : key(m.appId(), m.sender(), m.senderDevice(), m.unique(), m.dedupeHash());
    if (dk != null) {
      Long existing = dedupe.get(dk);
      if (existing != null) {
        ChatMessage old = messages.get(new MsgKey(m.appId(), existing));
        if (old != null && old.sendTime() >= dedupeSinceMs) {
          return Future.succeededFuture(new SendResult(view(new MsgKey(m.appId(), existing)), true));
        }
      }
      dedupe.put(dk, m.messageId());
    }
    ChatMessage msg = m.toMessage();
    MsgKey mk = new MsgKey(m.appId(), m.messageId());
    messages.put(mk, msg);
    conversationIds.computeIfAbsent(pairKey(m.appId(), m.sender(), m.receiver()), k -> new TreeSet<>()).add(m.messageId());
    inboxes.append(m.appId(), m.receiver(), m.messageId());
    touch(rowsOf(m.appId(), m.sender()).computeIfAbsent(m.receiver(), k -> new MemoryConversation()), m, false);
    touch(rowsOf(m.appId(), m.receiver()).computeIfAbsent(m.sender(), k -> new MemoryConversation()), m, true);
    record(events.created(List.of(m), System.currentTimeMillis()));
    return Future.succeededFuture(new SendResult(msg, false));
  }

  private static void touch(MemoryConversation r, NewMessage m, boolean receiverSide) {
    r.lastMessageId = Math.max(r.lastMessageId, m.messageId());
    r.messageCount++;
    r.updatedAt = m.sendTime();
    if (receiverSide && m.messageId() > r.readMessageId) {
      r.unreadCount++;
    }
  }

  @Override
  public synchronized Future<ChatMessage> message(String appId, long messageId) {
    return Future.succeededFuture(view(new MsgKey(appId, messageId)));
  }

  @Override
  public synchronized Future<List<ChatMessage>> markDelivered(String appId, String receiver, Collection<Long> messageIds) {
    List<Long> own = new ArrayList<>();
    for (Long id : new TreeSet<>(messageIds)) {
      ChatMessage m = messages.get(new MsgKey(appId, id));
      if (m != null && m.receiver().equals(receiver) && !m.retracted()) {
        own.add(id);
      }
    }
    List<ChatMessage> out = new ArrayList<>();
    inboxes.ack(appId, receiver, own).forEach(id -> out.add(messages.get(new MsgKey(appId, id)).withDelivered()));
    return Future.succeededFuture(out);
  }

  /** The receiver's delivered watermark (tests: out-of-order acks and compaction). */
  synchronized Watermark watermark(String appId, String receiver) {
    return inboxes.watermark(appId, receiver);
  }

  @Override
  public synchronized Future<ReadResult> markRead(String appId, String reader, String peer, Long upTo, long nowMs) {
    MemoryConversation mine = row(appId, reader, peer);
    if (mine == null) {
      return Future.succeededFuture(new ReadResult(0, false));
    }
    long target = upTo != null ? upTo : latestFrom(appId, peer, reader);
    if (target <= mine.readMessageId) {
      return Future.succeededFuture(new ReadResult(mine.readMessageId, false));
    }
    mine.readMessageId = target;
    mine.unreadCount = countUnread(appId, reader, peer, target);
    mine.updatedAt = nowMs;
    MemoryConversation theirs = row(appId, peer, reader);
    if (theirs != null) {
      theirs.peerReadMessageId = Math.max(theirs.peerReadMessageId, target);
      theirs.updatedAt = nowMs;
    }
    record(events.read(appId, reader, peer, target, nowMs));
    return Future.succeededFuture(new ReadResult(target, true));
  }

  private long latestFrom(String appId, String sender, String receiver) {
    NavigableSet<Long> ids = conversationIds.get(pairKey(appId, sender, receiver));
    if (ids == null) {
      return 0;
    }
    for (Long id : ids.descendingSet()) {
      if (messages.get(new MsgKey(appId, id)).sender().equals(sender)) {
        return id;
      }
    }
    return 0;
  }

  private long countUnread(String appId, String owner, String peer, long mark) {
    NavigableSet<Long> ids = conversationIds.get(pairKey(appId, owner, peer));
    if (ids == null) {
      return 0;
    }
    long n = 0;
    for (Long id : ids.tailSet(mark, false)) {
      ChatMessage m = messages.get(new MsgKey(appId, id));
      if (m.sender().equals(peer) && !m.retracted()) {
        n++;
      }
    }
    return n;
  }

  @Override
  public synchronized Future<RetractResult> retract(String appId, String requester, long messageId, long nowMs,
                                                    int retractSeconds) {
    MsgKey k = new MsgKey(appId, messageId);
    ChatMessage m = messages.get(k);
    if (m != null && m.retracted() && m.sender().equals(requester)) {
      return Future.succeededFuture(new RetractResult(m, false));
    }
    try {
      RetractPolicy.check(m == null ? null : m.sender(), m == null ? null : m.receiver(), requester,
        m == null ? 0 : m.sendTime(), nowMs, retractSeconds);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    ChatMessage r = m.withRetracted();
    messages.put(k, r);
    inboxes.ack(appId, m.receiver(), List.of(messageId));
    MemoryConversation receiverRow = row(appId, m.receiver(), m.sender());
    if (receiverRow != null) {
      receiverRow.unreadCount = countUnread(appId, m.receiver(), m.sender(), receiverRow.readMessageId);
      receiverRow.updatedAt = nowMs;
    }
    MemoryConversation senderRow = row(appId, m.sender(), m.receiver());
    if (senderRow != null) {
      senderRow.updatedAt = nowMs;
    }
    record(events.retracted(m, nowMs));
    return Future.succeededFuture(new RetractResult(r, true));
  }

  @Override
  public synchronized Future<HistoryResult> history(String appId, String user, String peer, Long beforeId, int offset,
                                                    int limit) {
    MemoryConversation mine = row(appId, user, peer);
    NavigableSet<Long> ids = conversationIds.get(pairKey(appId, user, peer));
    if (mine == null || ids == null) {
      return Future.succeededFuture(new HistoryResult(List.of(), false, 0, 0));
    }
    NavigableSet<Long> range = beforeId == null ? ids.descendingSet() : ids.headSet(beforeId, false).descendingSet();
    List<ChatMessage> page = new ArrayList<>(limit);
    int skipped = 0;
    boolean more = false;
    for (Long id : range) {
      if (skipped < offset) {
        skipped++;
        continue;
      }
      if (page.size() == limit) {
        more = true;
        break;
      }
      page.add(view(new MsgKey(appId, id)));
    }
    Collections.reverse(page);
    return Future.succeededFuture(new HistoryResult(page, more, mine.messageCount, mine.peerReadMessageId));
  }

  @Override
  public synchronized Future<List<ChatMessage>> between(String appId, String userA, String userB, long fromId, long toId,
                                                        int limit) {
    NavigableSet<Long> ids = conversationIds.get(pairKey(appId, userA, userB));
    List<ChatMessage> out = new ArrayList<>();
    if (ids != null && fromId <= toId) {
      for (Long id : ids.subSet(fromId, true, toId, true)) {
        if (out.size() == limit) {
          break;
        }
        out.add(view(new MsgKey(appId, id)));
      }
    }
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<UnreadResult> unread(String appId, String user, String peer, int limit) {
    Map<String, MemoryConversation> rows = conversations.getOrDefault(key(appId, user), Map.of());
    long total = 0;
    TreeSet<MsgKey> candidates = new TreeSet<>(Comparator.comparingLong(MsgKey::id));
    for (Map.Entry<String, MemoryConversation> e : rows.entrySet()) {
      if (peer != null && !peer.equals(e.getKey())) {
        continue;
      }
      MemoryConversation r = e.getValue();
      total += r.unreadCount;
      if (r.unreadCount == 0) {
        continue;
      }
      for (Long id : conversationIds.get(pairKey(appId, user, e.getKey())).tailSet(r.readMessageId, false)) {
        ChatMessage m = messages.get(new MsgKey(appId, id));
        if (m.sender().equals(e.getKey()) && !m.retracted()) {
          candidates.add(new MsgKey(appId, id));
          if (candidates.size() > limit) {
            candidates.pollLast();
          }
        }
      }
    }
    List<ChatMessage> out = new ArrayList<>(candidates.size());
    for (MsgKey k : candidates) {
      out.add(view(k));
    }
    return Future.succeededFuture(new UnreadResult(out, total));
  }

  @Override
  public synchronized Future<UnreadTotals> unreadTotals(String appId, String user, int top) {
    Map<String, MemoryConversation> rows = conversations.getOrDefault(key(appId, user), Map.of());
    long total = 0;
    List<Map.Entry<String, Long>> nonZero = new ArrayList<>();
    for (Map.Entry<String, MemoryConversation> e : rows.entrySet()) {
      total += e.getValue().unreadCount;
      if (e.getValue().unreadCount > 0) {
        nonZero.add(Map.entry(e.getKey(), e.getValue().unreadCount));
      }
    }
    nonZero.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    LinkedHashMap<String, Long> perPeer = new LinkedHashMap<>();
    for (int i = 0; i < Math.min(top, nonZero.size()); i++) {
      perPeer.put(nonZero.get(i).getKey(), nonZero.get(i).getValue());
    }
    return Future.succeededFuture(new UnreadTotals(total, perPeer));
  }

  @Override
  public synchronized Future<List<Head>> heads(String appId, String owner, Long sinceMs, int limit) {
    Map<String, MemoryConversation> rows = conversations.getOrDefault(key(appId, owner), Map.of());
    List<Head> out = new ArrayList<>();
    for (Map.Entry<String, MemoryConversation> e : rows.entrySet()) {
      MemoryConversation r = e.getValue();
      if (sinceMs == null || r.updatedAt >= sinceMs) {
        out.add(new Head(r.view(e.getKey()), view(new MsgKey(appId, r.lastMessageId))));
      }
    }
    out.sort(Comparator.comparingLong((Head h) -> h.conversation().lastMessageId()).reversed());
    return Future.succeededFuture(out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out);
  }

  @Override
  public synchronized Future<List<ChatMessage>> undelivered(String appId, String receiver, int limit) {
    List<ChatMessage> out = new ArrayList<>();
    for (long id : inboxes.undelivered(appId, receiver)) {
      if (out.size() == limit) {
        break;
      }
      out.add(messages.get(new MsgKey(appId, id)));
    }
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<List<ChatMessage>> undeliveredBetween(long fromId, long toId, int limit) {
    List<ChatMessage> out = new ArrayList<>();
    inboxes.undeliveredBetween(fromId, toId).forEach(r -> out.add(messages.get(new MsgKey(r.appId(), r.messageId()))));
    out.sort(Comparator.comparingLong(ChatMessage::messageId));
    return Future.succeededFuture(out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out);
  }

  @Override
  public synchronized Future<List<String>> recentPeers(String appId, String owner, long sinceMs, int limit) {
    List<Map.Entry<String, MemoryConversation>> rows =
      new ArrayList<>(conversations.getOrDefault(key(appId, owner), Map.of()).entrySet());
    long firstId = IdGenerator.firstIdAt(sinceMs);
    rows.removeIf(e -> e.getValue().lastMessageId < firstId);
    rows.sort(Comparator.comparingLong((Map.Entry<String, MemoryConversation> e) -> e.getValue().lastMessageId).reversed());
    List<String> out = new ArrayList<>();
    for (int i = 0; i < Math.min(limit, rows.size()); i++) {
      out.add(rows.get(i).getKey());
    }
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<Set<String>> contactsAmong(String appId, String owner, Collection<String> candidates) {
    Map<String, MemoryConversation> rows = conversations.getOrDefault(key(appId, owner), Map.of());
    Set<String> out = new HashSet<>();
    for (String c : candidates) {
      if (rows.containsKey(c)) {
        out.add(c);
      }
    }
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<List<String>> sensitiveWords(String appId) {
    return Future.succeededFuture(words.get(appId));
  }

  @Override
  public synchronized Future<Void> saveSensitiveWords(String appId, List<String> list) {
    words.put(appId, List.copyOf(list));
    return Future.succeededFuture();
  }
}
