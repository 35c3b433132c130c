package com.seedim.im.chat.store;

import com.seedim.im.chat.store.ChatRows.Sequenced;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Delivered acks of one app in one transaction, on watermarks ({@link Watermark}): read the acked messages by
 * primary key, lock their receivers' inboxes and the acks above their watermarks, then at most one statement per
 * table: new out-of-order acks, acks a moved watermark now covers, the moved watermarks. An in-order ack (the usual
 * case) writes one inbox row; no message row is written at all.
 */
final class DeliveryMarks {
  /** At most this many message ids per transaction. */
  static final int BATCH_MAX_IDS = 256;

  /** One 141 (or API ack): the receiver and the message ids it acked. */
  record Ack(String appId, String receiver, Set<Long> ids) {
  }

  /** The oldest ack's app only (one transaction per app), up to {@link #BATCH_MAX_IDS} ids. */
  static final GroupCommit.Take<Ack> TAKE = waiting -> {
    String app = waiting.get(0).appId();
    List<Ack> out = new ArrayList<>();
    int n = 0;
    for (Ack a : waiting) {
      if (!a.appId().equals(app)) {
        continue;
      }
      if (n > 0 && n + a.ids().size() > BATCH_MAX_IDS) {
        break;
      }
      out.add(a);
      n += a.ids().size();
    }
    return out;
  };

  private final Transactions tx;

  DeliveryMarks(Transactions tx) {
    this.tx = tx;
  }

  /** Per ack, the messages it newly marked delivered (each message once), oldest first. */
  Future<List<List<ChatMessage>>> mark(List<Ack> batch) {
    String appId = batch.get(0).appId();
    TreeSet<Long> all = new TreeSet<>();
    batch.forEach(a -> all.addAll(a.ids()));
    List<Long> ids = ChatRows.padded(new ArrayList<>(all));
    Tuple t = Tuple.tuple().addString(appId);
    ids.forEach(t::addLong);
    return tx.run("markDelivered", conn -> conn.preparedQuery(ChatSql.deliveryMessages(ids.size())).execute(t)
      .compose(rows -> {
        // acked by their own receiver and not retracted (retracted ones count as delivered already)
        Map<String, List<Sequenced>> byReceiver = new TreeMap<>();
        for (Row r : rows) {
          Sequenced s = ChatRows.sequenced(r);
          ChatMessage m = s.message();
          if (!m.retracted() && batch.stream().anyMatch(a -> a.receiver().equals(m.receiver()) && a.ids().contains(m.messageId()))) {
            byReceiver.computeIfAbsent(m.receiver(), k -> new ArrayList<>()).add(s);
          }
        }
        if (byReceiver.isEmpty()) {
          return Future.succeededFuture(answers(batch, List.of()));
        }
        return apply(conn, appId, byReceiver).map(marked -> answers(batch, marked));
      }));
  }

  /** Locks the inboxes and their acks, moves the watermarks; returns the messages that were not delivered before. */
  private static Future<List<ChatMessage>> apply(SqlConnection conn, String appId, Map<String, List<Sequenced>> byReceiver) {
    List<String> users = ChatRows.padded(new ArrayList<>(byReceiver.keySet()));
    Tuple keys = Tuple.tuple().addString(appId);
    users.forEach(keys::addString);
    Map<String, Long> marks = new HashMap<>();
    Map<String, TreeSet<Long>> above = new HashMap<>();
    return conn.preparedQuery(ChatSql.lockInboxes(users.size())).execute(keys)
      .compose(rows -> {
        rows.forEach(r -> marks.put(r.getString("user_id"), r.getLong("delivered_seq")));
        return conn.preparedQuery(ChatSql.lockAcks(users.size())).execute(keys);
      })
      .compose(rows -> {
        rows.forEach(r -> above.computeIfAbsent(r.getString("user_id"), k -> new TreeSet<>()).add(r.getLong("seq")));
        List<ChatMessage> marked = new ArrayList<>();
        List<Tuple> adds = new ArrayList<>();
        List<Tuple> drops = new ArrayList<>();
        List<Tuple> moves = new ArrayList<>();
        byReceiver.forEach((user, acked) -> {
          Watermark before = new Watermark(marks.getOrDefault(user, 0L), above.getOrDefault(user, new TreeSet<>()));
          Set<Long> fresh = new HashSet<>();
          for (Sequenced s : acked) {
            if (!before.isDelivered(s.seq()) && fresh.add(s.seq())) {
              marked.add(s.message().withDelivered());
            }
          }
          Watermark after = before.ack(fresh);
          for (long seq : after.above()) {
            if (!before.above().contains(seq)) {
              adds.add(Tuple.of(appId, user, seq));
            }
          }
          if (after.delivered() > before.delivered()) {
            moves.add(Tuple.of(appId, user, after.delivered()));
            if (!before.above().isEmpty() && before.above().first() <= after.delivered()) {
              drops.add(Tuple.of(user, after.delivered()));
            }
          }
        });
        return write(conn, appId, adds, drops, moves).map(v -> marked);
      });
  }

  private static Future<Void> write(SqlConnection conn, String appId, List<Tuple> adds, List<Tuple> drops, List<Tuple> moves) {
    Future<?> f = Future.succeededFuture();
    if (!adds.isEmpty()) {
      List<Tuple> rows = ChatRows.padded(adds);
      f = f.compose(v -> conn.preparedQuery(ChatSql.addAcks(rows.size())).execute(ChatRows.concat(rows)));
    }
    if (!drops.isEmpty()) {
      List<Tuple> rows = ChatRows.padded(drops);
      Tuple t = Tuple.of(appId);
      f = f.compose(v -> conn.preparedQuery(ChatSql.dropAcks(rows.size())).execute(ChatRows.concat(prepend(t, rows))));
    }
    if (!moves.isEmpty()) {
      List<Tuple> rows = ChatRows.padded(moves);
      f = f.compose(v -> conn.preparedQuery(ChatSql.setWatermarks(rows.size())).execute(ChatRows.concat(rows)));
    }
    return f.mapEmpty();
  }

  private static List<Tuple> prepend(Tuple first, List<Tuple> rows) {
    List<Tuple> out = new ArrayList<>(rows.size() + 1);
    out.add(first);
    out.addAll(rows);
    return out;
  }

  /** Each newly delivered message goes to the first ack of its receiver that named it. */
  private static List<List<ChatMessage>> answers(List<Ack> batch, List<ChatMessage> marked) {
    List<List<ChatMessage>> per = new ArrayList<>(batch.size());
    batch.forEach(a -> per.add(new ArrayList<>()));
    List<ChatMessage> sorted = new ArrayList<>(marked);
    sorted.sort(Comparator.comparingLong(ChatMessage::messageId));
    for (ChatMessage m : sorted) {
      for (int i = 0; i < batch.size(); i++) {
        Ack a = batch.get(i);
        if (a.receiver().equals(m.receiver()) && a.ids().contains(m.messageId())) {
          per.get(i).add(m);
          break;
        }
      }
    }
    return per;
  }
}
