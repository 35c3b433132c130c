package com.seedim.im.chat.store;

import com.seedim.im.chat.rules.RetractPolicy;
import io.vertx.core.Future;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Messages, conversations, unread counters and sensitive words (PROTOCOL.md §5). Implementations:
 * {@link MySqlChatStore} (production) and {@link MemoryChatStore} (dev); both pass one contract suite.
 * All ids are per app; nothing of one app is visible to another.
 */
public interface ChatStore {

  /** Outcome of {@link #insert}: the stored message, or the earlier one when this was a repeat (§4). */
  record SendResult(ChatMessage message, boolean duplicate) {
  }

  /** A 1170 head: the owner's conversation row and its latest message. */
  record Head(Conversation conversation, ChatMessage last) {
  }

  /** Outcome of a read: the owner's read mark after it and whether it moved. */
  record ReadResult(long readMessageId, boolean advanced) {
  }

  /** Outcome of a retraction; {@code changed} is false when it was already retracted. */
  record RetractResult(ChatMessage message, boolean changed) {
  }

  /**
   * One history page.
   *
   * @param messages          oldest first
   * @param total             messages in the conversation (the counter)
   * @param peerReadMessageId the peer's read mark of the caller's messages
   */
  record HistoryResult(List<ChatMessage> messages, boolean hasMore, long total, long peerReadMessageId) {
  }

  /** Unread messages (oldest first, limited) and the exact unread total. */
  record UnreadResult(List<ChatMessage> messages, long total) {
  }

  /** The exact unread total and the largest per-peer counts (largest first). */
  record UnreadTotals(long total, LinkedHashMap<String, Long> perPeer) {
  }

  /**
   * Stores a message, both conversation rows and the receiver's unread counter atomically. When
   * {@code m.unique()} is set and a message with the same (app, sender, device, unique, hash) was stored at or
   * after {@code dedupeSinceMs}, nothing is stored and that message is returned with {@code duplicate} true.
   */
  Future<SendResult> insert(NewMessage m, long dedupeSinceMs);

  /** A message by id, or null. */
  Future<ChatMessage> message(String appId, long messageId);

  /**
   * Marks the given messages sent to {@code receiver} delivered, in any order and any subset (acks above the
   * receiver's delivered watermark are kept until the gaps below them close); returns those not delivered before.
   */
  Future<List<ChatMessage>> markDelivered(String appId, String receiver, Collection<Long> messageIds);

  /**
   * Moves {@code reader}'s read mark of the conversation with {@code peer} forward to {@code upTo}
   * (null: the latest message from the peer) and recomputes the unread counter; never moves it back.
   */
  Future<ReadResult> markRead(String appId, String reader, String peer, Long upTo, long nowMs);

  /**
   * Retracts a message: checks {@link RetractPolicy} under a lock, marks it retracted
   * and delivered, and removes it from the receiver's unread count. Fails with the policy's ProtocolException.
   */
  Future<RetractResult> retract(String appId, String requester, long messageId, long nowMs, int retractSeconds);

  /**
   * A page of the conversation of {@code user} and {@code peer}: skipping the {@code offset} newest messages below
   * {@code beforeId} (if any), the next {@code limit}; {@code hasMore} tells whether older ones exist.
   */
  Future<HistoryResult> history(String appId, String user, String peer, Long beforeId, int offset, int limit);

  /**
   * The messages of {@code userA} and {@code userB} (both directions) with ids in [{@code fromId}, {@code toId}],
   * oldest first, at most {@code limit}: a window of a conversation (a desk room's transcript, §14.5).
   */
  Future<List<ChatMessage>> between(String appId, String userA, String userB, long fromId, long toId, int limit);

  /** The oldest {@code limit} unread messages of {@code user} (optionally only from {@code peer}) and the exact total. */
  Future<UnreadResult> unread(String appId, String user, String peer, int limit);

  /** The exact unread total and the {@code top} largest per-peer counts. */
  Future<UnreadTotals> unreadTotals(String appId, String user, int top);

  /** The owner's conversations, latest message first, changed at or after {@code sinceMs} (if given). */
  Future<List<Head>> heads(String appId, String owner, Long sinceMs, int limit);

  /** Undelivered messages to {@code receiver}, oldest (lowest inbox sequence) first. */
  Future<List<ChatMessage>> undelivered(String appId, String receiver, int limit);

  /**
   * What a connecting device needs, read together: its heads ({@link #heads}), its undelivered messages
   * ({@link #undelivered}) and, for a first device that may announce itself, its recent peers ({@link #recentPeers};
   * {@code peersLimit} 0 = not asked).
   *
   * @param headsSince null = every conversation
   */
  record ConnectAsk(String appId, String user, Long headsSince, int headsLimit, int replayLimit, long peersSince,
                    int peersLimit) {
  }

  /** The answer to a {@link ConnectAsk}: heads latest first, undelivered oldest first, peers latest first. */
  record ConnectRead(List<Head> heads, List<ChatMessage> undelivered, List<String> recentPeers) {
  }

  /**
   * The reads of a connect. The default asks the three lookups separately; {@link MySqlChatStore} answers a batch of
   * connects with one statement (a reconnect storm costs MariaDB one read per batch, not three per socket).
   */
  default Future<ConnectRead> connectRead(ConnectAsk a) {
    Future<List<Head>> heads = heads(a.appId(), a.user(), a.headsSince(), a.headsLimit());
    Future<List<ChatMessage>> pending = undelivered(a.appId(), a.user(), a.replayLimit());
    Future<List<String>> peers = a.peersLimit() > 0 ? recentPeers(a.appId(), a.user(), a.peersSince(), a.peersLimit())
      : Future.succeededFuture(List.of());
    return Future.all(heads, pending, peers).map(v -> new ConnectRead(heads.result(), pending.result(), peers.result()));
  }

  /** Undelivered messages of every app with ids in [{@code fromId}, {@code toId}], oldest first (the sweeper). */
  Future<List<ChatMessage>> undeliveredBetween(long fromId, long toId, int limit);

  /**
   * Peers the owner exchanged a message with at or after {@code sinceMs}, the latest conversation first (by the
   * time-ordered id of its last message, so the heads index serves it).
   */
  Future<List<String>> recentPeers(String appId, String owner, long sinceMs, int limit);

  /** Which of {@code candidates} share a conversation with {@code owner}. */
  Future<Set<String>> contactsAmong(String appId, String owner, Collection<String> candidates);

  /** The persisted sensitive-word list of an app, or null when none was ever set. */
  Future<List<String>> sensitiveWords(String appId);

  /** Replaces the persisted sensitive-word list of an app. */
  Future<Void> saveSensitiveWords(String appId, List<String> words);
}
