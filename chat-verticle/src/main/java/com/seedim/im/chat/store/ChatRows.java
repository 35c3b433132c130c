package com.seedim.im.chat.store;

import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** Rows of {@link ChatSql}'s statements as records, and tuples of many rows as one. */
final class ChatRows {

  /** A message with its receiver-inbox sequence (what a delivered ack needs). */
  record Sequenced(ChatMessage message, long seq) {
  }

  static ChatMessage message(Row r) {
    // statements that read no delivered flag (locking reads) only need it for retracted messages, which count as delivered
    boolean retracted = flag(r, "retracted");
    boolean delivered = r.getColumnIndex("delivered") >= 0 ? flag(r, "delivered") : retracted;
    return new ChatMessage(r.getString("app_id"), r.getLong("message_id"), r.getString("sender"), r.getString("receiver"),
      r.getString("sender_device"), r.getString("content"), r.getString("content_type"), r.getLong("send_time"),
      retracted, delivered);
  }

  static Sequenced sequenced(Row r) {
    return new Sequenced(message(r), r.getLong("seq"));
  }

  static ChatMessage first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : message(rows.iterator().next());
  }

  static List<ChatMessage> messages(RowSet<Row> rows) {
    List<ChatMessage> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(message(r)));
    return out;
  }

  static Conversation conversation(Row r) {
    return new Conversation(r.getString("peer"), r.getLong("last_message_id"), r.getLong("unread_count"),
      r.getLong("read_message_id"), r.getLong("peer_read_message_id"), r.getLong("message_count"), r.getLong("updated_at"));
  }

  /** One tuple of the values of several rows, in order (for multi-row statements). */
  static Tuple concat(List<Tuple> rows) {
    Tuple t = Tuple.tuple();
    for (Tuple one : rows) {
      for (int i = 0; i < one.size(); i++) {
        t.addValue(one.getValue(i));
      }
    }
    return t;
  }

  /** Pads a list to the next power of two by repeating its last item (statement shapes stay few and prepared). */
  static <T> List<T> padded(List<T> items) {
    int size = items.size() <= 1 ? items.size() : Integer.highestOneBit(items.size() - 1) << 1;
    List<T> out = new ArrayList<>(size);
    out.addAll(items);
    while (out.size() < size) {
      out.add(items.get(items.size() - 1));
    }
    return out;
  }

  private static boolean flag(Row r, String column) {
    Object v = r.getValue(column);
    return v instanceof Boolean b ? b : v instanceof Number n && n.intValue() != 0;
  }

  private ChatRows() {
  }
}
