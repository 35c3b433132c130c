package com.seedim.im.chat.store;

import com.seedim.im.chat.rules.RetractPolicy;
import com.seedim.im.common.store.Deadlines;
import com.seedim.im.common.events.MySqlEventStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link ChatStore} on MySQL (MariaDB) through the reactive client; the schema comes from {@link ChatMigrations}.
 * Sends, delivered acks and connect-time lookups go through {@link GroupCommit} ({@link SendWriter},
 * {@link DeliveryMarks}, {@link ConnectLookups}); every statement is in {@link ChatSql}. Every write is one
 * transaction ({@link Transactions}); the two rows of a conversation are always locked in ascending owner order.
 */
public final class MySqlChatStore implements ChatStore {
  /** At most this many send (or delivered-mark, or lookup) batches run at once. */
  static final int IN_FLIGHT = 4;
  /** At most this many messages per send transaction. */
  static final int INSERT_BATCH_MAX = 64;
  /** At most this many asks wait per group-commit queue; beyond it a call fails at once (UNAVAILABLE). */
  public static final int MAX_QUEUED = GroupCommit.MAX_QUEUED;
  /**
   * Default deadline of one store operation (a transaction with its retries, a queued ask from enqueue to answer),
   * below the 5000 ms bus timeout so a stalled MariaDB gives UNAVAILABLE in time (audit M5).
   */
  public static final long DEFAULT_DEADLINE_MS = Deadlines.MYSQL_QUERY_TIMEOUT_MS;

  private final Pool pool;
  private final MessageEvents events;
  private final Transactions tx;
  private final GroupCommit<SendWriter.Send, SendResult> sends;
  private final GroupCommit<DeliveryMarks.Ack, List<ChatMessage>> acks;
  private final ConnectLookups lookups;

  public MySqlChatStore(Pool pool) {
    this(pool, DEFAULT_DEADLINE_MS);
  }

  /** @param deadlineMs deadline of each store operation (0 = none) */
  public MySqlChatStore(Pool pool, long deadlineMs) {
    this(pool, deadlineMs, MessageEvents.NONE);
  }

  /**
   * @param deadlineMs deadline of each store operation (0 = none)
   * @param events     the message events recorded in the transactions of sends, reads and retractions
   */
  public MySqlChatStore(Pool pool, long deadlineMs, MessageEvents events) {
    this.pool = pool;
    this.events = events;
    this.tx = new Transactions(pool, deadlineMs);
    SendWriter writer = new SendWriter(tx, events);
    // a failed batch is retried one send per transaction, so one bad row never fails the others
    this.sends = new GroupCommit<>("send", IN_FLIGHT, GroupCommit.Take.powerOfTwo(INSERT_BATCH_MAX), writer::store,
      s -> writer.store(List.of(s)).map(r -> r.get(0)), deadlineMs);
    this.acks = new GroupCommit<>("delivered mark", IN_FLIGHT, DeliveryMarks.TAKE, new DeliveryMarks(tx)::mark, null,
      deadlineMs);
    this.lookups = new ConnectLookups(pool, IN_FLIGHT, deadlineMs);
  }

  /** Group commit: every message is durable before its caller is answered, and many share one commit. */
  @Override
  public Future<SendResult> insert(NewMessage m, long dedupeSinceMs) {
    return sends.ask(new SendWriter.Send(m, dedupeSinceMs));
  }

  @Override
  public Future<ChatMessage> message(String appId, long messageId) {
    return pool.preparedQuery(ChatSql.MESSAGE_BY_ID).execute(Tuple.of(appId, messageId)).map(ChatRows::first);
  }

  @Override
  public Future<List<ChatMessage>> markDelivered(String appId, String receiver, Collection<Long> messageIds) {
    if (messageIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return acks.ask(new DeliveryMarks.Ack(appId, receiver, new TreeSet<>(messageIds)));
  }

  @Override
  public Future<ReadResult> markRead(String appId, String reader, String peer, Long upTo, long nowMs) {
    return tx.run("markRead", conn -> lockPair(conn, appId, reader, peer).compose(marks -> {
      Long mine = marks[0];
      if (mine == null) {
        return Future.succeededFuture(new ReadResult(0, false));
      }
      Future<Long> target = upTo != null ? Future.succeededFuture(upTo)
        : conn.preparedQuery(ChatSql.LATEST_TO).execute(pair(appId, reader, peer).addString(reader))
          .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong("message_id"));
      return target.compose(to -> {
        if (to <= mine) {
          return Future.succeededFuture(new ReadResult(mine, false));
        }
        return countUnread(conn, appId, reader, peer, to)
          .compose(n -> conn.preparedQuery(ChatSql.SET_READ).execute(Tuple.of(to, n, nowMs, appId, reader, peer)))
          .compose(v -> conn.preparedQuery(ChatSql.SET_PEER_READ).execute(Tuple.of(to, nowMs, appId, peer, reader)))
          .compose(v -> MySqlEventStore.insert(conn, events.read(appId, reader, peer, to, nowMs)))
          .map(v -> new ReadResult(to, true));
      });
    }));
  }

  /** (app, user_lo, user_hi) of the pair: the prefix of idx_pair. */
  private static Tuple pair(String appId, String a, String b) {
    boolean aLow = a.compareTo(b) < 0;
    return Tuple.tuple().addString(appId).addString(aLow ? a : b).addString(aLow ? b : a);
  }

  /** Locks both conversation rows (ascending owner) and returns {user's read mark, peer's read mark} (null = no row). */
  private static Future<Long[]> lockPair(SqlConnection conn, String appId, String user, String peer) {
    return conn.preparedQuery(ChatSql.LOCK_PAIR).execute(Tuple.of(appId, user, peer, peer, user)).map(rows -> {
      Long[] out = new Long[2];
      for (Row r : rows) {
        out[r.getString("owner").equals(user) ? 0 : 1] = r.getLong("read_message_id");
      }
      return out;
    });
  }

  private static Future<Long> countUnread(SqlConnection conn, String appId, String owner, String peer, long mark) {
    return conn.preparedQuery(ChatSql.COUNT_UNREAD).execute(pair(appId, owner, peer).addLong(mark).addString(owner))
      .map(rows -> rows.iterator().next().getLong("n"));
  }

  /** Also acks the message above its receiver's watermark: a retracted message counts as delivered. */
  @Override
  public Future<RetractResult> retract(String appId, String requester, long messageId, long nowMs, int retractSeconds) {
    return tx.run("retract", conn -> conn.preparedQuery(ChatSql.LOCK_MESSAGE).execute(Tuple.of(appId, messageId))
      .compose(rows -> {
        ChatRows.Sequenced s = rows.size() == 0 ? null : ChatRows.sequenced(rows.iterator().next());
        ChatMessage m = s == null ? null : s.message();
        if (m != null && m.retracted() && m.sender().equals(requester)) {
          return Future.succeededFuture(new RetractResult(m, false));
        }
        RetractPolicy.check(m == null ? null : m.sender(), m == null ? null : m.receiver(), requester,
          m == null ? 0 : m.sendTime(), nowMs, retractSeconds);
        return conn.preparedQuery(ChatSql.SET_RETRACTED).execute(Tuple.of(appId, messageId))
          .compose(v -> ackRetracted(conn, appId, m.receiver(), s.seq()))
          .compose(v -> lockPair(conn, appId, m.receiver(), m.sender()))
          .compose(marks -> marks[0] == null ? Future.succeededFuture()
            : countUnread(conn, appId, m.receiver(), m.sender(), marks[0])
              .compose(n -> conn.preparedQuery(ChatSql.SET_UNREAD).execute(Tuple.of(n, nowMs, appId, m.receiver(), m.sender()))))
          .compose(v -> conn.preparedQuery(ChatSql.TOUCH).execute(Tuple.of(nowMs, appId, m.sender(), m.receiver())))
          .compose(v -> MySqlEventStore.insert(conn, events.retracted(m, nowMs)))
          .map(v -> new RetractResult(m.withRetracted(), true));
      }));
  }

  private static Future<Void> ackRetracted(SqlConnection conn, String appId, String receiver, long seq) {
    return conn.preparedQuery(ChatSql.lockDeliveries(1)).execute(Tuple.of(appId, receiver)).compose(rows -> {
      Row r = rows.size() == 0 ? null : rows.iterator().next();
      Watermark w = r == null ? Watermark.empty() : Watermark.of(r.getLong("delivered_seq"), r.getString("acked_above"));
      if (w.isDelivered(seq)) {
        return Future.succeededFuture();
      }
      Watermark after = w.ack(List.of(seq));
      return conn.preparedQuery(ChatSql.setDeliveries(1)).execute(Tuple.of(appId, receiver, after.delivered(),
        after.aboveList())).mapEmpty();
    });
  }

  @Override
  public Future<HistoryResult> history(String appId, String user, String peer, Long beforeId, int offset, int limit) {
    Tuple t = pair(appId, user, peer);
    if (beforeId != null) {
      t.addLong(beforeId);
    }
    t.addInteger(limit + 1).addInteger(offset);
    Future<RowSet<Row>> page = pool.preparedQuery(beforeId == null ? ChatSql.HISTORY : ChatSql.HISTORY_BEFORE).execute(t);
    Future<Conversation> conv = conversation(pool, appId, user, peer);
    return Future.all(page, conv).map(v -> {
      Conversation c = conv.result();
      if (c == null) {
        return new HistoryResult(List.of(), false, 0, 0);
      }
      List<ChatMessage> list = ChatRows.messages(page.result());
      boolean more = list.size() > limit;
      if (more) {
        list.remove(list.size() - 1);
      }
      Collections.reverse(list);
      return new HistoryResult(list, more, c.messageCount(), c.peerReadMessageId());
    });
  }

  @Override
  public Future<List<ChatMessage>> between(String appId, String userA, String userB, long fromId, long toId, int limit) {
    return pool.preparedQuery(ChatSql.BETWEEN).execute(pair(appId, userA, userB).addLong(fromId).addLong(toId).addInteger(limit))
      .map(ChatRows::messages);
  }

  private static Future<Conversation> conversation(SqlClient client, String appId, String owner, String peer) {
    return client.preparedQuery(ChatSql.CONVERSATION).execute(Tuple.of(appId, owner, peer))
      .map(rows -> rows.size() == 0 ? null : ChatRows.conversation(rows.iterator().next()));
  }

  @Override
  public Future<UnreadResult> unread(String appId, String user, String peer, int limit) {
    Tuple total = peer == null ? Tuple.of(appId, user) : Tuple.of(appId, user, peer);
    Tuple list = peer == null ? Tuple.of(appId, user, limit) : Tuple.of(appId, user, peer, limit);
    return pool.withTransaction(conn -> conn.preparedQuery(peer == null ? ChatSql.UNREAD_TOTAL : ChatSql.UNREAD_TOTAL_PEER)
      .execute(total)
      .compose(tr -> conn.preparedQuery(peer == null ? ChatSql.UNREAD_MESSAGES : ChatSql.UNREAD_MESSAGES_PEER).execute(list)
        .map(rows -> new UnreadResult(ChatRows.messages(rows), tr.iterator().next().getLong("n")))));
  }

  @Override
  public Future<UnreadTotals> unreadTotals(String appId, String user, int top) {
    return pool.withTransaction(conn -> conn.preparedQuery(ChatSql.UNREAD_TOTAL).execute(Tuple.of(appId, user))
      .compose(tr -> conn.preparedQuery(ChatSql.UNREAD_TOP).execute(Tuple.of(appId, user, top)).map(rows -> {
        LinkedHashMap<String, Long> per = new LinkedHashMap<>();
        for (Row r : rows) {
          per.put(r.getString("peer"), r.getLong("unread_count"));
        }
        return new UnreadTotals(tr.iterator().next().getLong("n"), per);
      })));
  }

  @Override
  public Future<List<Head>> heads(String appId, String owner, Long sinceMs, int limit) {
    return lookups.connects.ask(new ConnectAsk(appId, owner, sinceMs, limit, 0, 0, 0)).map(ConnectRead::heads);
  }

  @Override
  public Future<List<ChatMessage>> undelivered(String appId, String receiver, int limit) {
    return lookups.connects.ask(new ConnectAsk(appId, receiver, null, 0, limit, 0, 0)).map(ConnectRead::undelivered);
  }

  @Override
  public Future<ConnectRead> connectRead(ConnectAsk a) {
    return lookups.connects.ask(a);
  }

  @Override
  public Future<List<ChatMessage>> undeliveredBetween(long fromId, long toId, int limit) {
    return pool.preparedQuery(ChatSql.UNDELIVERED_BETWEEN).execute(Tuple.of(fromId, toId, limit)).map(ChatRows::messages);
  }

  @Override
  public Future<List<String>> recentPeers(String appId, String owner, long sinceMs, int limit) {
    return lookups.connects.ask(new ConnectAsk(appId, owner, null, 0, 0, sinceMs, limit)).map(ConnectRead::recentPeers);
  }

  @Override
  public Future<Set<String>> contactsAmong(String appId, String owner, Collection<String> candidates) {
    if (candidates.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    List<String> list = new ArrayList<>(new TreeSet<>(candidates));
    Tuple t = Tuple.tuple().addString(appId).addString(owner);
    list.forEach(t::addString);
    return pool.preparedQuery(ChatSql.contactsAmong(list.size())).execute(t).map(rows -> {
      Set<String> out = new HashSet<>();
      rows.forEach(r -> out.add(r.getString("peer")));
      return out;
    });
  }

  @Override
  public Future<List<String>> sensitiveWords(String appId) {
    return pool.preparedQuery(ChatSql.WORDS).execute(Tuple.of(appId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      List<String> out = new ArrayList<>();
      new JsonArray(rows.iterator().next().getString("words")).forEach(o -> out.add(String.valueOf(o)));
      return out;
    });
  }

  @Override
  public Future<Void> saveSensitiveWords(String appId, List<String> words) {
    return pool.preparedQuery(ChatSql.SAVE_WORDS)
      .execute(Tuple.of(appId, new JsonArray(new ArrayList<>(words)).encode(), System.currentTimeMillis())).mapEmpty();
  }
}
