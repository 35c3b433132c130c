package com.seedim.im.chat.store;

import com.seedim.im.chat.store.ChatStore.SendResult;
import com.seedim.im.common.events.MySqlEventStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Stores a batch of sends in one transaction: one dedupe SELECT, one inbox upsert taking the receivers' next
 * sequences (returning them), one multi-row message INSERT, one multi-row conversation upsert, the batch's
 * {@code message.created} events when its apps record them (two multi-row INSERTs), one COMMIT. Rows
 * are locked in one order by every writer: inboxes, then conversations, each in ascending (app, owner). A send never
 * writes a delivery row once it exists, so acks never wait for a send's commit.
 */
final class SendWriter {

  /** One send: the message and the start of its dedupe window. */
  record Send(NewMessage m, long dedupeSinceMs) {
  }

  /** A receiver's inbox. */
  private record Inbox(String appId, String user) {
    static final Comparator<Inbox> ORDER = Comparator.comparing(Inbox::appId).thenComparing(Inbox::user);
  }

  /** What a batch stores: each send's result in batch order, the new messages, and expired uniques to release. */
  private record Plan(List<SendResult> results, List<NewMessage> fresh, List<ChatMessage> expired) {
  }

  private final Transactions tx;
  private final MessageEvents events;

  SendWriter(Transactions tx, MessageEvents events) {
    this.tx = tx;
    this.events = events;
  }

  /** The results, in batch order; a repeat of a unique stored earlier (or earlier in the batch) gets that message. */
  Future<List<SendResult>> store(List<Send> batch) {
    return tx.run("send", conn -> findDuplicates(conn, batch).compose(found -> {
      Plan plan = plan(batch, found);
      Future<?> chain = Future.succeededFuture();
      for (ChatMessage old : plan.expired()) {
        chain = chain.compose(v -> conn.preparedQuery(ChatSql.RELEASE_UNIQUE).execute(Tuple.of(old.appId(), old.messageId())));
      }
      if (!plan.fresh().isEmpty()) {
        chain = chain.compose(v -> insert(conn, plan.fresh()))
          // message.created with the messages: recorded exactly when they are (docs/webhooks.md)
          .compose(v -> MySqlEventStore.insert(conn, events.created(plan.fresh(), System.currentTimeMillis())));
      }
      return chain.map(v -> plan.results());
    }));
  }

  private static Plan plan(List<Send> batch, Map<String, ChatMessage> found) {
    List<SendResult> results = new ArrayList<>(batch.size());
    Map<String, ChatMessage> storedInBatch = new HashMap<>();
    List<NewMessage> fresh = new ArrayList<>(batch.size());
    List<ChatMessage> expired = new ArrayList<>();
    for (Send s : batch) {
      NewMessage m = s.m();
      String key = m.unique() == null ? null : dedupeKey(m.appId(), m.sender(), m.senderDevice(), m.unique(), m.dedupeHash());
      if (key != null) {
        ChatMessage old = found.get(key);
        if (old != null && old.sendTime() >= s.dedupeSinceMs()) {
          results.add(new SendResult(old, true));
          continue;
        }
        ChatMessage earlier = storedInBatch.get(key);
        if (earlier != null) {
          results.add(new SendResult(earlier, true));
          continue;
        }
        if (old != null) {
          expired.add(old); // outside the window: its unique is released and this is a new message
          found.remove(key);
        }
        storedInBatch.put(key, m.toMessage());
      }
      fresh.add(m);
      results.add(new SendResult(m.toMessage(), false));
    }
    return new Plan(results, fresh, expired);
  }

  private static String dedupeKey(String appId, String sender, String device, String unique, String hash) {
    return appId + '\n' + sender + '\n' + device + '\n' + unique + '\n' + hash;
  }

  /** Committed messages matching the batch's dedupe keys, by key (one SELECT on the unique key). */
  private static Future<Map<String, ChatMessage>> findDuplicates(SqlConnection conn, List<Send> batch) {
    List<Tuple> keys = new ArrayList<>();
    for (Send s : batch) {
      NewMessage m = s.m();
      if (m.unique() != null) {
        keys.add(Tuple.of(m.appId(), m.sender(), m.senderDevice(), m.unique(), m.dedupeHash()));
      }
    }
    if (keys.isEmpty()) {
      return Future.succeededFuture(new HashMap<>());
    }
    List<Tuple> padded = ChatRows.padded(keys);
    return conn.preparedQuery(ChatSql.findDuplicates(padded.size())).execute(ChatRows.concat(padded)).map(rows -> {
      Map<String, ChatMessage> out = new HashMap<>();
      for (Row r : rows) {
        out.put(dedupeKey(r.getString("app_id"), r.getString("sender"), r.getString("sender_device"), r.getString("uniq"),
          r.getString("dedupe_hash")), ChatRows.message(r));
      }
      return out;
    });
  }

  /**
   * Takes the receivers' next sequences (creating the delivery rows of new inboxes), then inserts the messages with
   * them and upserts their conversations.
   */
  private static Future<Void> insert(SqlConnection conn, List<NewMessage> fresh) {
    TreeMap<Inbox, Integer> counts = new TreeMap<>(Inbox.ORDER);
    fresh.forEach(m -> counts.merge(new Inbox(m.appId(), m.receiver()), 1, Integer::sum));
    List<Tuple> bumps = new ArrayList<>(counts.size());
    counts.forEach((in, n) -> bumps.add(Tuple.of(in.appId(), in.user(), (long) n)));
    return conn.preparedQuery(ChatSql.bumpInboxes(bumps.size())).execute(ChatRows.concat(bumps))
      .compose(rows -> {
        // each inbox's messages of this batch take its sequences below last_seq, in id (time) order
        Map<Inbox, Long> next = new HashMap<>();
        List<Tuple> created = new ArrayList<>();
        for (Row r : rows) {
          Inbox in = new Inbox(r.getString("app_id"), r.getString("user_id"));
          long first = r.getLong("last_seq") - counts.get(in) + 1;
          next.put(in, first);
          if (first == 1) {
            created.add(Tuple.of(in.appId(), in.user()));
          }
        }
        List<NewMessage> ordered = new ArrayList<>(fresh);
        ordered.sort(Comparator.comparingLong(NewMessage::messageId));
        List<Tuple> inserts = new ArrayList<>(ordered.size());
        for (NewMessage m : ordered) {
          long seq = next.merge(new Inbox(m.appId(), m.receiver()), 1L, Long::sum) - 1;
          inserts.add(messageRow(m, seq));
        }
        Future<?> deliveries = created.isEmpty() ? Future.succeededFuture()
          : conn.preparedQuery(ChatSql.newDeliveries(created.size())).execute(ChatRows.concat(created));
        return deliveries.compose(v -> conn.preparedQuery(ChatSql.insertMessages(inserts.size()))
          .execute(ChatRows.concat(inserts)));
      })
      .compose(v -> conn.preparedQuery(ChatSql.upsertConversations(fresh.size() * 2)).execute(conversationRows(fresh)))
      .mapEmpty();
  }

  private static Tuple messageRow(NewMessage m, long seq) {
    boolean senderLow = m.sender().compareTo(m.receiver()) < 0;
    return Tuple.tuple().addString(m.appId()).addLong(m.messageId()).addString(m.sender()).addString(m.receiver())
      .addLong(seq).addString(senderLow ? m.sender() : m.receiver()).addString(senderLow ? m.receiver() : m.sender())
      .addString(m.senderDevice()).addString(m.unique()).addString(m.dedupeHash()).addString(m.content())
      .addString(m.contentType()).addLong(m.sendTime());
  }

  /** One conversation row to upsert; only the receiver's side counts the message as unread. */
  private record ConversationRow(String appId, String owner, String peer, long messageId, long unread, long sendTime) {
    static final Comparator<ConversationRow> LOCK_ORDER = Comparator.comparing(ConversationRow::appId)
      .thenComparing(ConversationRow::owner).thenComparing(ConversationRow::peer)
      .thenComparingLong(ConversationRow::messageId);

    Tuple tuple() {
      return Tuple.of(appId, owner, peer, messageId, unread, sendTime);
    }
  }

  /** Both conversation rows of every message, sorted by (app, owner, peer): the lock order of every writer. */
  private static Tuple conversationRows(List<NewMessage> fresh) {
    List<ConversationRow> rows = new ArrayList<>(fresh.size() * 2);
    for (NewMessage m : fresh) {
      rows.add(new ConversationRow(m.appId(), m.sender(), m.receiver(), m.messageId(), 0L, m.sendTime()));
      rows.add(new ConversationRow(m.appId(), m.receiver(), m.sender(), m.messageId(), 1L, m.sendTime()));
    }
    rows.sort(ConversationRow.LOCK_ORDER);
    List<Tuple> tuples = new ArrayList<>(rows.size());
    rows.forEach(r -> tuples.add(r.tuple()));
    return ChatRows.concat(tuples);
  }
}
