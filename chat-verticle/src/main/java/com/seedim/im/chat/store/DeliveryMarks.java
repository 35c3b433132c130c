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
 * primary key, lock their receivers' delivery rows (watermark and acks above it), write the changed ones back in one
 * statement. An ack writes one row per receiver and no message row; sends never wait on these rows.
 */
final class DeliveryMarks {
  /** At most this many message ids per transaction. */
  static final int BATCH_MAX_IDS = 256;

  /** One 141 (or API ack): the receiver and the message ids it acked. */
  record Ack(String appId, String receiver, Set<Long> ids) {
  }

  /** The oldest acks of one app (one transaction per app), up to {@link #BATCH_MAX_IDS} ids. */
  static final GroupCommit.Take<Ack> TAKE = (oldestFirst, waiting) -> {
    String app = null;
    int asks = 0;
    int ids = 0;
    for (Ack a : oldestFirst) {
      if ((app != null && !a.appId().equals(app)) || (asks > 0 && ids + a.ids().size() > BATCH_MAX_IDS)) {
        break;
      }
      app = a.appId();
      asks++;
      ids += a.ids().size();
    }
    return asks;
  };

  private final Transactions tx;

  DeliveryMarks(Transactions tx) {
    this.tx = tx;
  }

  /** Per ack, the messages it newly marked delivered (each message once), oldest first. */
  Future<List<List<ChatMessage>>> mark(List<Ack> batch) {
    String appId = batch.get(0).appId();
    // which ack first named each (receiver, message): it gets the message in its answer
    Map<String, Integer> firstAsker = new HashMap<>();
    TreeSet<Long> all = new TreeSet<>();
    for (int i = 0; i < batch.size(); i++) {
      Ack a = batch.get(i);
      for (long id : a.ids()) {
        firstAsker.putIfAbsent(key(a.receiver(), id), i);
        all.add(id);
      }
    }
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
          if (!m.retracted() && firstAsker.containsKey(key(m.receiver(), m.messageId()))) {
            byReceiver.computeIfAbsent(m.receiver(), k -> new ArrayList<>()).add(s);
          }
        }
        if (byReceiver.isEmpty()) {
          return Future.succeededFuture(answers(batch.size(), firstAsker, List.of()));
        }
        return apply(conn, appId, byReceiver).map(marked -> answers(batch.size(), firstAsker, marked));
      }));
  }

  /** Locks the receivers' delivery rows and moves them; returns the messages that were not delivered before. */
  private static Future<List<ChatMessage>> apply(SqlConnection conn, String appId, Map<String, List<Sequenced>> byReceiver) {
    List<String> users = ChatRows.padded(new ArrayList<>(byReceiver.keySet()));
    Tuple keys = Tuple.tuple().addString(appId);
    users.forEach(keys::addString);
    return conn.preparedQuery(ChatSql.lockDeliveries(users.size())).execute(keys).compose(rows -> {
      Map<String, Watermark> before = new HashMap<>();
      rows.forEach(r -> before.put(r.getString("user_id"), Watermark.of(r.getLong("delivered_seq"), r.getString("acked_above"))));
      List<ChatMessage> marked = new ArrayList<>();
      List<Tuple> changed = new ArrayList<>();
      byReceiver.forEach((user, acked) -> {
        Watermark w = before.getOrDefault(user, Watermark.empty());
        Set<Long> fresh = new HashSet<>();
        for (Sequenced s : acked) {
          if (!w.isDelivered(s.seq()) && fresh.add(s.seq())) {
            marked.add(s.message().withDelivered());
          }
        }
        if (!fresh.isEmpty()) {
          Watermark after = w.ack(fresh);
          changed.add(Tuple.of(appId, user, after.delivered(), after.aboveList()));
        }
      });
      if (changed.isEmpty()) {
        return Future.succeededFuture(marked);
      }
      List<Tuple> padded = ChatRows.padded(changed);
      return conn.preparedQuery(ChatSql.setDeliveries(padded.size())).execute(ChatRows.concat(padded)).map(v -> marked);
    });
  }

  private static String key(String receiver, long messageId) {
    return receiver + '\n' + messageId;
  }

  /** Each newly delivered message goes to the first ack of its receiver that named it, oldest first. */
  private static List<List<ChatMessage>> answers(int asks, Map<String, Integer> firstAsker, List<ChatMessage> marked) {
    List<List<ChatMessage>> per = new ArrayList<>(asks);
    for (int i = 0; i < asks; i++) {
      per.add(new ArrayList<>());
    }
    List<ChatMessage> sorted = new ArrayList<>(marked);
    sorted.sort(Comparator.comparingLong(ChatMessage::messageId));
    sorted.forEach(m -> per.get(firstAsker.get(key(m.receiver(), m.messageId()))).add(m));
    return per;
  }
}
