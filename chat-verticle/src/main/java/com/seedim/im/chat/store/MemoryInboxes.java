package com.seedim.im.chat.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The delivery state of {@link MemoryChatStore}, on the model of the MySQL store: each message takes the next
 * sequence of its receiver's inbox, and each inbox has a {@link Watermark}. A retracted message is acked here too, so
 * undelivered lists skip it. Not thread-safe: used under the store's lock.
 */
final class MemoryInboxes {

  /** A message of an app. */
  record Ref(String appId, long messageId) {
  }

  private record InboxKey(String appId, String user) {
  }

  private static final class Inbox {
    final NavigableMap<Long, Long> idsBySeq = new TreeMap<>();
    Watermark delivered = Watermark.empty();
  }

  private final Map<InboxKey, Inbox> inboxes = new HashMap<>();
  private final Map<Ref, Long> seqs = new HashMap<>();

  private Inbox inbox(String appId, String user) {
    return inboxes.computeIfAbsent(new InboxKey(appId, user), k -> new Inbox());
  }

  void append(String appId, String receiver, long messageId) {
    Inbox in = inbox(appId, receiver);
    long seq = in.idsBySeq.isEmpty() ? 1 : in.idsBySeq.lastKey() + 1;
    in.idsBySeq.put(seq, messageId);
    seqs.put(new Ref(appId, messageId), seq);
  }

  boolean isDelivered(String appId, String receiver, long messageId) {
    return inbox(appId, receiver).delivered.isDelivered(seqs.get(new Ref(appId, messageId)));
  }

  /** Acks messages of the receiver's inbox (the caller checked they are); returns those not delivered before. */
  List<Long> ack(String appId, String receiver, Collection<Long> messageIds) {
    Inbox in = inbox(appId, receiver);
    List<Long> fresh = new ArrayList<>();
    List<Long> acked = new ArrayList<>();
    for (long id : messageIds) {
      long seq = seqs.get(new Ref(appId, id));
      if (!in.delivered.isDelivered(seq) && !acked.contains(seq)) {
        fresh.add(id);
        acked.add(seq);
      }
    }
    in.delivered = in.delivered.ack(acked);
    return fresh;
  }

  Watermark watermark(String appId, String receiver) {
    return inbox(appId, receiver).delivered;
  }

  /** The receiver's undelivered messages by sequence: above the watermark and not acked out of order. */
  List<Long> undelivered(String appId, String receiver) {
    Inbox in = inbox(appId, receiver);
    List<Long> out = new ArrayList<>();
    in.idsBySeq.tailMap(in.delivered.delivered(), false).forEach((seq, id) -> {
      if (!in.delivered.isDelivered(seq)) {
        out.add(id);
      }
    });
    return out;
  }

  /** Undelivered messages of every app with ids in [{@code fromId}, {@code toId}], in no particular order. */
  List<Ref> undeliveredBetween(long fromId, long toId) {
    List<Ref> out = new ArrayList<>();
    inboxes.forEach((k, in) -> {
      for (long id : undelivered(k.appId(), k.user())) {
        if (id >= fromId && id <= toId) {
          out.add(new Ref(k.appId(), id));
        }
      }
    });
    return out;
  }
}
