package com.seedim.im.chat.store;

import com.seedim.im.chat.rules.RetractPolicy;
import com.seedim.im.common.id.IdGenerator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@link ChatStore} on MySQL (MariaDB) through the reactive client. Every write is one transaction; rows of
 * the two conversation sides are always locked in ascending owner order, and a transaction that loses a
 * deadlock (or a duplicate-key race on the dedupe key) is retried a few times.
 */
public final class MySqlChatStore implements ChatStore {
  private static final Logger LOG = LoggerFactory.getLogger(MySqlChatStore.class);
  private static final int MAX_ATTEMPTS = 4;
  private static final int ER_DUP_ENTRY = 1062;
  private static final int ER_LOCK_WAIT_TIMEOUT = 1205;
  private static final int ER_LOCK_DEADLOCK = 1213;

  private static final String COLS = "app_id, message_id, sender, receiver, sender_device, content, content_type, send_time, "
    + "retracted, delivered";
  private static final String M_COLS = "m.app_id, m.message_id, m.sender, m.receiver, m.sender_device, m.content, "
    + "m.content_type, m.send_time, m.retracted, m.delivered";
  private static final String CONV_COLS = "c.peer, c.last_message_id, c.unread_count, c.read_message_id, "
    + "c.peer_read_message_id, c.message_count, c.updated_at";

  private static final String FIND_DUPLICATE = "SELECT " + COLS + " FROM chat_messages"
    + " WHERE app_id = ? AND sender = ? AND sender_device = ? AND uniq = ? AND dedupe_hash = ?";
  private static final String RELEASE_UNIQUE = "UPDATE chat_messages SET uniq = NULL WHERE app_id = ? AND message_id = ?";
  private static final String INSERT_MESSAGE = "INSERT INTO chat_messages (app_id, message_id, sender, receiver, user_lo, "
    + "user_hi, sender_device, uniq, dedupe_hash, content, content_type, send_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String UPSERT_CONVERSATIONS = "INSERT INTO chat_conversations (app_id, owner, peer, last_message_id, "
    + "unread_count, read_message_id, peer_read_message_id, message_count, updated_at) VALUES "
    + "(?, ?, ?, ?, ?, 0, 0, 1, ?), (?, ?, ?, ?, ?, 0, 0, 1, ?) ON DUPLICATE KEY UPDATE "
    + "unread_count = unread_count + IF(VALUES(last_message_id) > read_message_id, VALUES(unread_count), 0), "
    + "last_message_id = GREATEST(last_message_id, VALUES(last_message_id)), "
    + "message_count = message_count + 1, updated_at = VALUES(updated_at)";
  private static final String MESSAGE_BY_ID = "SELECT " + COLS + " FROM chat_messages WHERE app_id = ? AND message_id = ?";
  private static final String LOCK_PAIR = "SELECT owner, peer, read_message_id FROM chat_conversations WHERE app_id = ? AND "
    + "((owner = ? AND peer = ?) OR (owner = ? AND peer = ?)) ORDER BY owner FOR UPDATE";
  private static final String LATEST_FROM = "SELECT MAX(message_id) AS id FROM chat_messages WHERE app_id = ? AND receiver = ? "
    + "AND sender = ?";
  private static final String COUNT_UNREAD = "SELECT COUNT(*) AS n FROM chat_messages WHERE app_id = ? AND receiver = ? "
    + "AND sender = ? AND message_id > ? AND retracted = 0";
  private static final String SET_READ = "UPDATE chat_conversations SET read_message_id = ?, unread_count = ?, updated_at = ? "
    + "WHERE app_id = ? AND owner = ? AND peer = ?";
  private static final String SET_PEER_READ = "UPDATE chat_conversations SET peer_read_message_id = "
    + "GREATEST(peer_read_message_id, ?), updated_at = ? WHERE app_id = ? AND owner = ? AND peer = ?";
  private static final String SET_UNREAD = "UPDATE chat_conversations SET unread_count = ?, updated_at = ? "
    + "WHERE app_id = ? AND owner = ? AND peer = ?";
  private static final String TOUCH = "UPDATE chat_conversations SET updated_at = ? WHERE app_id = ? AND owner = ? AND peer = ?";
  private static final String SET_RETRACTED = "UPDATE chat_messages SET retracted = 1, delivered = 1 "
    + "WHERE app_id = ? AND message_id = ?";
  private static final String CONVERSATION = "SELECT " + CONV_COLS + " FROM chat_conversations c "
    + "WHERE c.app_id = ? AND c.owner = ? AND c.peer = ?";
  private static final String UNREAD_TOTAL = "SELECT COALESCE(SUM(unread_count), 0) AS n FROM chat_conversations "
    + "WHERE app_id = ? AND owner = ?";
  private static final String UNREAD_TOP = "SELECT peer, unread_count FROM chat_conversations WHERE app_id = ? AND owner = ? "
    + "AND unread_count > 0 ORDER BY unread_count DESC, peer LIMIT ?";
  private static final String UNREAD_MESSAGES = "SELECT " + M_COLS + " FROM chat_conversations c JOIN chat_messages m "
    + "ON m.app_id = c.app_id AND m.receiver = c.owner AND m.sender = c.peer AND m.message_id > c.read_message_id "
    + "WHERE c.app_id = ? AND c.owner = ? AND c.unread_count > 0 AND m.retracted = 0";
  private static final String UNDELIVERED_BETWEEN = "SELECT " + COLS + " FROM chat_messages WHERE delivered = 0 "
    + "AND message_id BETWEEN ? AND ? ORDER BY message_id LIMIT ?";
  private static final String WORDS = "SELECT words FROM chat_sensitive_words WHERE app_id = ?";
  private static final String SAVE_WORDS = "INSERT INTO chat_sensitive_words (app_id, words, updated_at) VALUES (?, ?, ?) "
    + "ON DUPLICATE KEY UPDATE words = VALUES(words), updated_at = VALUES(updated_at)";

  /** At most this many send transactions run at once; more sends wait and are stored together. */
  static final int INSERT_IN_FLIGHT = 4;
  /**
   * A second (third, ...) transaction starts only when this many asks wait; below it, asks wait for the running one
   * and go together in the next, so a moderate rate costs few commits (each one an fsync) instead of one per message.
   */
  static final int PARALLEL_WHEN_WAITING = 16;
  /** At most this many messages per send transaction. */
  static final int INSERT_BATCH_MAX = 64;
  /** At most this many delivered-mark transactions run at once; more acks wait and are marked together. */
  static final int DELIVERED_IN_FLIGHT = 4;
  /** At most this many message ids per delivered-mark transaction. */
  static final int DELIVERED_BATCH_MAX = 256;
  /**
   * At most this many asks wait in each group-commit queue (sends, delivered marks, each batched lookup); beyond it
   * a call fails at once with a {@link java.util.concurrent.TimeoutException} (UNAVAILABLE), so a MariaDB stall
   * cannot grow the queues until the chat node runs out of memory (audit M5).
   */
  public static final int MAX_QUEUED = 4096;
  /**
   * Default deadline of one store operation (a transaction with its retries, a queued ask from enqueue to answer),
   * below the 5000 ms bus timeout so a stalled MariaDB gives UNAVAILABLE in time (audit M5).
   */
  public static final long DEFAULT_DEADLINE_MS = com.seedim.im.common.store.Deadlines.MYSQL_QUERY_TIMEOUT_MS;

  /** A group-commit queue is full: the store is far behind; the caller gets UNAVAILABLE. */
  static final class QueueFull extends java.util.concurrent.TimeoutException {
    QueueFull(String what) {
      super("chat store " + what + " queue full (" + MAX_QUEUED + " waiting): MariaDB is not keeping up");
    }
  }

  private final Pool pool;
  private final ArrayDeque<DeliveredAsk> deliveredQueue = new ArrayDeque<>();
  private final ArrayDeque<InsertAsk> insertQueue = new ArrayDeque<>();
  private int insertInFlight;
  private int deliveredInFlight;

  private final long deadlineMs;

  public MySqlChatStore(Pool pool) {
    this(pool, DEFAULT_DEADLINE_MS);
  }

  /** @param deadlineMs deadline of each store operation (0 = none) */
  public MySqlChatStore(Pool pool, long deadlineMs) {
    this.pool = pool;
    this.deadlineMs = deadlineMs;
  }

  /** Fails a queued caller once its deadline passes (it is then skipped when its batch forms). */
  private void arm(Promise<?> done, String what) {
    Context ctx = Vertx.currentContext();
    if (deadlineMs <= 0 || ctx == null) {
      return;
    }
    Vertx v = ctx.owner();
    long timer = v.setTimer(deadlineMs, t -> done.tryFail(new java.util.concurrent.TimeoutException(
      "chat store " + what + " did not complete within " + deadlineMs + " ms")));
    done.future().onComplete(ar -> v.cancelTimer(timer));
  }

  @Override
  public Future<Void> migrate() {
    Future<Void> f = Future.succeededFuture();
    for (String ddl : ChatSchema.STATEMENTS) {
      f = f.compose(v -> pool.query(ddl).execute().mapEmpty());
    }
    return f.compose(v -> pool.query(ChatSchema.HAS_IDX_RECENT).execute())
      .compose(rows -> rows.iterator().next().getLong("n") > 0
        ? pool.query(ChatSchema.DROP_IDX_RECENT).execute().onSuccess(x -> LOG.info("dropped the unused index idx_recent"))
          .mapEmpty()
        : Future.succeededFuture());
  }

  private <T> Future<T> tx(String what, Function<SqlConnection, Future<T>> body) {
    return com.seedim.im.common.store.Deadlines.within(attempt(what, body, 1), deadlineMs, "chat transaction " + what);
  }

  private <T> Future<T> attempt(String what, Function<SqlConnection, Future<T>> body, int n) {
    return pool.withTransaction(body).recover(err -> {
      if (n < MAX_ATTEMPTS && retryable(err)) {
        LOG.debug("{}: attempt {} lost a race ({}), retrying", what, n, err.getMessage());
        return attempt(what, body, n + 1);
      }
      return Future.failedFuture(err);
    });
  }

  private static boolean retryable(Throwable err) {
    if (err instanceof DatabaseException de) {
      int code = de.getErrorCode();
      return code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT || code == ER_DUP_ENTRY;
    }
    return false;
  }

  /**
   * Stores a message with group commit: while {@value #INSERT_IN_FLIGHT} send transactions are running, further
   * sends queue up and the next transaction stores up to {@value #INSERT_BATCH_MAX} of them together (one dedupe
   * SELECT, one multi-row INSERT, one multi-row conversation upsert, one COMMIT). An idle store still runs each send
   * at once, and every message is still durable before its caller is answered. A batch that fails is retried one
   * message per transaction, so one bad row never fails the others.
   */
  @Override
  public Future<SendResult> insert(NewMessage m, long dedupeSinceMs) {
    Promise<SendResult> done = Promise.promise();
    synchronized (insertQueue) {
      if (insertQueue.size() >= MAX_QUEUED) {
        return Future.failedFuture(new QueueFull("send"));
      }
      insertQueue.add(new InsertAsk(m, dedupeSinceMs, done, Vertx.currentContext()));
    }
    arm(done, "send");
    flushInserts();
    return done.future();
  }

  /** One queued send; it completes on the context that asked (a batch may run on another's). */
  private record InsertAsk(NewMessage m, long dedupeSinceMs, Promise<SendResult> done, Context context) {
    void complete(SendResult result, Throwable failure) {
      completeOn(context, done, result, failure);
    }
  }

  /** Completes a queued caller's promise on the caller's own context (a batch may have run on another's). */
  private static <T> void completeOn(Context context, Promise<T> done, T result, Throwable failure) {
      Runnable r = () -> {
        // try: the caller may have been failed by its deadline already
        if (failure == null) {
          done.tryComplete(result);
        } else {
          done.tryFail(failure);
        }
      };
      if (context == null || context == Vertx.currentContext()) {
        r.run();
      } else {
        context.runOnContext(v -> r.run());
      }
  }

  private void flushInserts() {
    List<InsertAsk> batch;
    synchronized (insertQueue) {
      insertQueue.removeIf(a -> a.done().future().isComplete()); // callers whose deadline passed while they waited
      if (!mayStart(insertInFlight, INSERT_IN_FLIGHT, insertQueue.size())) {
        return;
      }
      // a power of two of rows, so the multi-row statements come in a few shapes that stay prepared
      int take = Integer.highestOneBit(Math.min(insertQueue.size(), INSERT_BATCH_MAX));
      batch = new ArrayList<>(take);
      while (batch.size() < take) {
        batch.add(insertQueue.poll());
      }
      insertInFlight++;
    }
    Future<List<SendResult>> run = batch.size() == 1
      ? insertOne(batch.get(0).m(), batch.get(0).dedupeSinceMs()).map(List::of)
      : insertBatch(batch);
    run.onComplete(ar -> {
      synchronized (insertQueue) {
        insertInFlight--;
      }
      if (ar.succeeded()) {
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).complete(ar.result().get(i), null);
        }
      } else if (batch.size() == 1 || ar.cause() instanceof java.util.concurrent.TimeoutException) {
        // a timed-out batch is not retried row by row: MariaDB is stalled, and its callers are past their deadline
        batch.forEach(a -> a.complete(null, ar.cause()));
      } else {
        LOG.warn("a batch of {} sends failed ({}); storing them one per transaction", batch.size(), ar.cause().toString());
        for (InsertAsk a : batch) {
          insertOne(a.m(), a.dedupeSinceMs()).onComplete(r -> a.complete(r.result(), r.cause()));
        }
      }
      flushInserts();
    });
  }

  /** Whether another batch transaction may start now (see {@link #PARALLEL_WHEN_WAITING}). */
  static boolean mayStart(int inFlight, int maxInFlight, int waiting) {
    return waiting > 0 && (inFlight == 0 || (inFlight < maxInFlight && waiting >= PARALLEL_WHEN_WAITING));
  }

  private Future<SendResult> insertOne(NewMessage m, long dedupeSinceMs) {
    return tx("insert", conn -> findDuplicate(conn, m).compose(old -> {
      if (old != null && old.sendTime() >= dedupeSinceMs) {
        return Future.succeededFuture(new SendResult(old, true));
      }
      Future<?> released = old == null ? Future.succeededFuture()
        : conn.preparedQuery(RELEASE_UNIQUE).execute(Tuple.of(m.appId(), old.messageId()));
      return released
        .compose(v -> conn.preparedQuery(INSERT_MESSAGE).execute(insertTuple(m)))
        .compose(v -> conn.preparedQuery(UPSERT_CONVERSATIONS).execute(conversationTuple(m)))
        .map(v -> new SendResult(m.toMessage(), false));
    }));
  }

  /** The results, in batch order; a repeat of a unique stored earlier (or earlier in the batch) gets that message. */
  private Future<List<SendResult>> insertBatch(List<InsertAsk> batch) {
    return tx("insertBatch", conn -> findDuplicates(conn, batch).compose(found -> {
      SendResult[] results = new SendResult[batch.size()];
      Map<String, ChatMessage> storedInBatch = new HashMap<>();
      List<NewMessage> fresh = new ArrayList<>(batch.size());
      List<ChatMessage> expired = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        InsertAsk a = batch.get(i);
        NewMessage m = a.m();
        String key = m.unique() == null ? null : dedupeKey(m.appId(), m.sender(), m.senderDevice(), m.unique(), m.dedupeHash());
        if (key != null) {
          ChatMessage old = found.get(key);
          if (old != null && old.sendTime() >= a.dedupeSinceMs()) {
            results[i] = new SendResult(old, true);
            continue;
          }
          ChatMessage earlier = storedInBatch.get(key);
          if (earlier != null) {
            results[i] = new SendResult(earlier, true);
            continue;
          }
          if (old != null) {
            expired.add(old); // outside the window: its unique is released and this is a new message
            found.remove(key);
          }
          storedInBatch.put(key, m.toMessage());
        }
        fresh.add(m);
        results[i] = new SendResult(m.toMessage(), false);
      }
      Future<?> chain = Future.succeededFuture();
      for (ChatMessage old : expired) {
        chain = chain.compose(v -> conn.preparedQuery(RELEASE_UNIQUE).execute(Tuple.of(old.appId(), old.messageId())));
      }
      if (!fresh.isEmpty()) {
        chain = chain
          .compose(v -> conn.preparedQuery(insertMessages(fresh.size())).execute(insertTuples(fresh)))
          .compose(v -> conn.preparedQuery(upsertConversations(fresh.size() * 2)).execute(conversationTuples(fresh)));
      }
      return chain.map(v -> List.of(results));
    }));
  }

  private static String dedupeKey(String appId, String sender, String device, String unique, String hash) {
    return appId + '\n' + sender + '\n' + device + '\n' + unique + '\n' + hash;
  }

  /** Committed messages matching the batch's dedupe keys, by key (one indexed SELECT on the unique key). */
  private static Future<Map<String, ChatMessage>> findDuplicates(SqlConnection conn, List<InsertAsk> batch) {
    Tuple t = Tuple.tuple();
    StringBuilder where = new StringBuilder();
    for (InsertAsk a : batch) {
      NewMessage m = a.m();
      if (m.unique() == null) {
        continue;
      }
      where.append(where.length() == 0 ? "" : " OR ")
        .append("(app_id = ? AND sender = ? AND sender_device = ? AND uniq = ? AND dedupe_hash = ?)");
      t.addString(m.appId()).addString(m.sender()).addString(m.senderDevice()).addString(m.unique()).addString(m.dedupeHash());
    }
    if (where.length() == 0) {
      return Future.succeededFuture(new HashMap<>());
    }
    // FORCE INDEX: see markDeliveredBatch
    return conn.preparedQuery("SELECT " + COLS + ", uniq, dedupe_hash FROM chat_messages FORCE INDEX (uk_dedupe) WHERE " + where).execute(t).map(rows -> {
      Map<String, ChatMessage> out = new HashMap<>();
      for (Row r : rows) {
        out.put(dedupeKey(r.getString("app_id"), r.getString("sender"), r.getString("sender_device"), r.getString("uniq"),
          r.getString("dedupe_hash")), messageOf(r));
      }
      return out;
    });
  }

  private static String insertMessages(int rows) {
    StringBuilder sb = new StringBuilder(INSERT_MESSAGE);
    for (int i = 1; i < rows; i++) {
      sb.append(", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    }
    return sb.toString();
  }

  private static Tuple insertTuples(List<NewMessage> fresh) {
    Tuple t = Tuple.tuple();
    for (NewMessage m : fresh) {
      Tuple one = insertTuple(m);
      for (int i = 0; i < one.size(); i++) {
        t.addValue(one.getValue(i));
      }
    }
    return t;
  }

  private static String upsertConversations(int rows) {
    StringBuilder sb = new StringBuilder("INSERT INTO chat_conversations (app_id, owner, peer, last_message_id, "
      + "unread_count, read_message_id, peer_read_message_id, message_count, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0, 1, ?)");
    for (int i = 1; i < rows; i++) {
      sb.append(", (?, ?, ?, ?, ?, 0, 0, 1, ?)");
    }
    return sb.append(UPSERT_CONVERSATIONS.substring(UPSERT_CONVERSATIONS.indexOf(" ON DUPLICATE KEY UPDATE "))).toString();
  }

  /** Both conversation rows of every message, sorted by (app, owner, peer): the lock order of every writer. */
  private static Tuple conversationTuples(List<NewMessage> fresh) {
    List<Object[]> rows = new ArrayList<>(fresh.size() * 2);
    for (NewMessage m : fresh) {
      rows.add(new Object[] {m.appId(), m.sender(), m.receiver(), m.messageId(), 0L, m.sendTime()});
      rows.add(new Object[] {m.appId(), m.receiver(), m.sender(), m.messageId(), 1L, m.sendTime()});
    }
    rows.sort(java.util.Comparator.<Object[], String>comparing(r -> (String) r[0]).thenComparing(r -> (String) r[1])
      .thenComparing(r -> (String) r[2]).thenComparing(r -> (Long) r[3]));
    Tuple t = Tuple.tuple();
    for (Object[] r : rows) {
      for (Object v : r) {
        t.addValue(v);
      }
    }
    return t;
  }

  private static Future<ChatMessage> findDuplicate(SqlConnection conn, NewMessage m) {
    if (m.unique() == null) {
      return Future.succeededFuture(null);
    }
    return conn.preparedQuery(FIND_DUPLICATE)
      .execute(Tuple.of(m.appId(), m.sender(), m.senderDevice(), m.unique(), m.dedupeHash()))
      .map(MySqlChatStore::firstMessage);
  }

  private static Tuple insertTuple(NewMessage m) {
    boolean senderLow = m.sender().compareTo(m.receiver()) < 0;
    return Tuple.tuple().addString(m.appId()).addLong(m.messageId()).addString(m.sender()).addString(m.receiver())
      .addString(senderLow ? m.sender() : m.receiver()).addString(senderLow ? m.receiver() : m.sender())
      .addString(m.senderDevice()).addString(m.unique()).addString(m.dedupeHash()).addString(m.content())
      .addString(m.contentType()).addLong(m.sendTime());
  }

  /** Both conversation rows, in ascending owner order (the lock order); only the receiver's unread grows. */
  private static Tuple conversationTuple(NewMessage m) {
    Tuple t = Tuple.tuple();
    boolean senderFirst = m.sender().compareTo(m.receiver()) < 0;
    addConversation(t, m, senderFirst ? m.sender() : m.receiver(), senderFirst ? m.receiver() : m.sender());
    addConversation(t, m, senderFirst ? m.receiver() : m.sender(), senderFirst ? m.sender() : m.receiver());
    return t;
  }

  private static void addConversation(Tuple t, NewMessage m, String owner, String peer) {
    t.addString(m.appId()).addString(owner).addString(peer).addLong(m.messageId())
      .addLong(owner.equals(m.receiver()) ? 1L : 0L).addLong(m.sendTime());
  }

  @Override
  public Future<ChatMessage> message(String appId, long messageId) {
    return pool.preparedQuery(MESSAGE_BY_ID).execute(Tuple.of(appId, messageId)).map(MySqlChatStore::firstMessage);
  }

  /**
   * Marks delivered with group commit: while {@value #DELIVERED_IN_FLIGHT} transactions are running, further acks
   * queue up and the next transaction marks them all (one SELECT ... FOR UPDATE and one UPDATE for many receivers),
   * instead of one four-statement transaction per 141. An idle store still runs each ack at once.
   */
  @Override
  public Future<List<ChatMessage>> markDelivered(String appId, String receiver, Collection<Long> messageIds) {
    if (messageIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Promise<List<ChatMessage>> done = Promise.promise();
    synchronized (deliveredQueue) {
      if (deliveredQueue.size() >= MAX_QUEUED) {
        return Future.failedFuture(new QueueFull("delivered-mark"));
      }
      deliveredQueue.add(new DeliveredAsk(appId, receiver, new TreeSet<>(messageIds), done, Vertx.currentContext()));
    }
    arm(done, "delivered mark");
    flushDelivered();
    return done.future();
  }

  /** One queued delivered mark; it completes on the context that asked (a batch may run on another's). */
  private record DeliveredAsk(String appId, String receiver, Set<Long> ids, Promise<List<ChatMessage>> done, Context context) {
    void complete(List<ChatMessage> marked, Throwable failure) {
      completeOn(context, done, marked, failure);
    }
  }

  private void flushDelivered() {
    List<DeliveredAsk> batch = new ArrayList<>();
    synchronized (deliveredQueue) {
      deliveredQueue.removeIf(a -> a.done().future().isComplete());
      if (!mayStart(deliveredInFlight, DELIVERED_IN_FLIGHT, deliveredQueue.size())) {
        return;
      }
      String app = deliveredQueue.peek().appId();
      int n = 0;
      for (Iterator<DeliveredAsk> it = deliveredQueue.iterator(); it.hasNext(); ) {
        DeliveredAsk a = it.next();
        if (!a.appId().equals(app)) {
          continue;
        }
        if (n > 0 && n + a.ids().size() > DELIVERED_BATCH_MAX) {
          break;
        }
        batch.add(a);
        n += a.ids().size();
        it.remove();
      }
      deliveredInFlight++;
    }
    markDeliveredBatch(batch).onComplete(ar -> {
      synchronized (deliveredQueue) {
        deliveredInFlight--;
      }
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).complete(ar.succeeded() ? ar.result().get(i) : null, ar.failed() ? ar.cause() : null);
      }
      flushDelivered();
    });
  }

  /** One transaction for a batch of one app; returns, per ask, the messages it newly marked (each message once). */
  private Future<List<List<ChatMessage>>> markDeliveredBatch(List<DeliveredAsk> batch) {
    String appId = batch.get(0).appId();
    TreeSet<Long> all = new TreeSet<>();
    batch.forEach(a -> all.addAll(a.ids()));
    List<Long> ids = padded(new ArrayList<>(all));
    // FORCE INDEX: on a table that grows fast, stale index statistics sometimes made MariaDB read the whole app's
    // idx_undelivered range instead of the listed primary keys (500,000 index reads a second under load).
    String select = "SELECT " + COLS + " FROM chat_messages FORCE INDEX (PRIMARY) WHERE app_id = ? AND delivered = 0 "
      + "AND message_id IN (" + placeholders(ids.size()) + ") ORDER BY message_id FOR UPDATE";
    return tx("markDelivered", conn -> {
      Tuple t = Tuple.tuple().addString(appId);
      ids.forEach(t::addLong);
      return conn.preparedQuery(select).execute(t).compose(rows -> {
        List<List<ChatMessage>> per = new ArrayList<>(batch.size());
        batch.forEach(a -> per.add(new ArrayList<>()));
        List<Long> found = new ArrayList<>();
        for (ChatMessage m : messages(rows)) {
          for (int i = 0; i < batch.size(); i++) {
            DeliveredAsk a = batch.get(i);
            if (a.receiver().equals(m.receiver()) && a.ids().contains(m.messageId())) {
              per.get(i).add(m.withDelivered());
              found.add(m.messageId());
              break;
            }
          }
        }
        if (found.isEmpty()) {
          return Future.succeededFuture(per);
        }
        List<Long> upd = padded(found);
        Tuple u = Tuple.tuple().addString(appId);
        upd.forEach(u::addLong);
        return conn.preparedQuery("UPDATE chat_messages FORCE INDEX (PRIMARY) SET delivered = 1 WHERE app_id = ? AND message_id IN ("
          + placeholders(upd.size()) + ")").execute(u).map(v -> per);
      });
    });
  }

  /**
   * Pads an id list to the next power of two by repeating its last id, so the IN lists of batched statements come
   * in a few shapes and stay in the prepared-statement cache.
   */
  private static List<Long> padded(List<Long> ids) {
    int size = Integer.highestOneBit(Math.max(1, ids.size() - 1)) << 1;
    if (ids.size() <= 1) {
      size = 1;
    }
    List<Long> out = new ArrayList<>(size);
    out.addAll(ids);
    while (out.size() < size) {
      out.add(ids.get(ids.size() - 1));
    }
    return out;
  }

  @Override
  public Future<ReadResult> markRead(String appId, String reader, String peer, Long upTo, long nowMs) {
    return tx("markRead", conn -> lockPair(conn, appId, reader, peer).compose(marks -> {
      Long mine = marks[0];
      if (mine == null) {
        return Future.succeededFuture(new ReadResult(0, false));
      }
      Future<Long> target = upTo != null ? Future.succeededFuture(upTo)
        : conn.preparedQuery(LATEST_FROM).execute(Tuple.of(appId, reader, peer)).map(rows -> {
          Long id = rows.iterator().next().getLong("id");
          return id == null ? 0L : id;
        });
      return target.compose(to -> {
        if (to <= mine) {
          return Future.succeededFuture(new ReadResult(mine, false));
        }
        return countUnread(conn, appId, reader, peer, to)
          .compose(n -> conn.preparedQuery(SET_READ).execute(Tuple.of(to, n, nowMs, appId, reader, peer)))
          .compose(v -> conn.preparedQuery(SET_PEER_READ).execute(Tuple.of(to, nowMs, appId, peer, reader)))
          .map(v -> new ReadResult(to, true));
      });
    }));
  }

  /** Locks both conversation rows (ascending owner) and returns {user's read mark, peer's read mark} (null = no row). */
  private static Future<Long[]> lockPair(SqlConnection conn, String appId, String user, String peer) {
    return conn.preparedQuery(LOCK_PAIR).execute(Tuple.of(appId, user, peer, peer, user)).map(rows -> {
      Long[] out = new Long[2];
      for (Row r : rows) {
        out[r.getString("owner").equals(user) ? 0 : 1] = r.getLong("read_message_id");
      }
      return out;
    });
  }

  private static Future<Long> countUnread(SqlConnection conn, String appId, String owner, String peer, long mark) {
    return conn.preparedQuery(COUNT_UNREAD).execute(Tuple.of(appId, owner, peer, mark))
      .map(rows -> rows.iterator().next().getLong("n"));
  }

  @Override
  public Future<RetractResult> retract(String appId, String requester, long messageId, long nowMs, int retractSeconds) {
    return tx("retract", conn -> conn.preparedQuery(MESSAGE_BY_ID + " FOR UPDATE").execute(Tuple.of(appId, messageId))
      .compose(rows -> {
        ChatMessage m = firstMessage(rows);
        if (m != null && m.retracted() && m.sender().equals(requester)) {
          return Future.succeededFuture(new RetractResult(m, false));
        }
        RetractPolicy.check(m == null ? null : m.sender(), m == null ? null : m.receiver(), requester,
          m == null ? 0 : m.sendTime(), nowMs, retractSeconds);
        return conn.preparedQuery(SET_RETRACTED).execute(Tuple.of(appId, messageId))
          .compose(v -> lockPair(conn, appId, m.receiver(), m.sender()))
          .compose(marks -> {
            if (marks[0] == null) {
              return Future.succeededFuture();
            }
            return countUnread(conn, appId, m.receiver(), m.sender(), marks[0])
              .compose(n -> conn.preparedQuery(SET_UNREAD).execute(Tuple.of(n, nowMs, appId, m.receiver(), m.sender())));
          })
          .compose(v -> conn.preparedQuery(TOUCH).execute(Tuple.of(nowMs, appId, m.sender(), m.receiver())))
          .map(v -> new RetractResult(m.withRetracted(), true));
      }));
  }

  @Override
  public Future<HistoryResult> history(String appId, String user, String peer, Long beforeId, int offset, int limit) {
    boolean userLow = user.compareTo(peer) < 0;
    Tuple t = Tuple.tuple().addString(appId).addString(userLow ? user : peer).addString(userLow ? peer : user);
    String sql = "SELECT " + COLS + " FROM chat_messages WHERE app_id = ? AND user_lo = ? AND user_hi = ?";
    if (beforeId != null) {
      sql += " AND message_id < ?";
      t.addLong(beforeId);
    }
    sql += " ORDER BY message_id DESC LIMIT ? OFFSET ?";
    t.addInteger(limit + 1).addInteger(offset);
    Future<RowSet<Row>> page = pool.preparedQuery(sql).execute(t);
    Future<Conversation> conv = conversation(pool, appId, user, peer);
    return Future.all(page, conv).map(v -> {
      Conversation c = conv.result();
      if (c == null) {
        return new HistoryResult(List.of(), false, 0, 0);
      }
      List<ChatMessage> list = messages(page.result());
      boolean more = list.size() > limit;
      if (more) {
        list.remove(list.size() - 1);
      }
      java.util.Collections.reverse(list);
      return new HistoryResult(list, more, c.messageCount(), c.peerReadMessageId());
    });
  }

  private static Future<Conversation> conversation(SqlClient client, String appId, String owner, String peer) {
    return client.preparedQuery(CONVERSATION).execute(Tuple.of(appId, owner, peer))
      .map(rows -> rows.size() == 0 ? null : conversationOf(rows.iterator().next()));
  }

  @Override
  public Future<UnreadResult> unread(String appId, String user, String peer, int limit) {
    Tuple t = Tuple.tuple().addString(appId).addString(user);
    String list = UNREAD_MESSAGES;
    String total = UNREAD_TOTAL;
    if (peer != null) {
      list += " AND c.peer = ?";
      total += " AND peer = ?";
      t.addString(peer);
    }
    String listSql = list + " ORDER BY m.message_id LIMIT ?";
    Tuple lt = Tuple.tuple();
    for (int i = 0; i < t.size(); i++) {
      lt.addValue(t.getValue(i));
    }
    lt.addInteger(limit);
    String totalSql = total;
    return pool.withTransaction(conn -> conn.preparedQuery(totalSql).execute(t)
      .compose(tr -> conn.preparedQuery(listSql).execute(lt)
        .map(rows -> new UnreadResult(messages(rows), tr.iterator().next().getLong("n")))));
  }

  @Override
  public Future<UnreadTotals> unreadTotals(String appId, String user, int top) {
    return pool.withTransaction(conn -> conn.preparedQuery(UNREAD_TOTAL).execute(Tuple.of(appId, user))
      .compose(tr -> conn.preparedQuery(UNREAD_TOP).execute(Tuple.of(appId, user, top)).map(rows -> {
        LinkedHashMap<String, Long> per = new LinkedHashMap<>();
        for (Row r : rows) {
          per.put(r.getString("peer"), r.getLong("unread_count"));
        }
        return new UnreadTotals(tr.iterator().next().getLong("n"), per);
      })));
  }

  @Override
  public Future<List<Head>> heads(String appId, String owner, Long sinceMs, int limit) {
    return headsLookups.ask(new Lookup(appId, owner, sinceMs == null ? Long.MIN_VALUE : sinceMs, limit));
  }

  @Override
  public Future<List<ChatMessage>> undelivered(String appId, String receiver, int limit) {
    return undeliveredLookups.ask(new Lookup(appId, receiver, 0, limit));
  }

  @Override
  public Future<List<ChatMessage>> undeliveredBetween(long fromId, long toId, int limit) {
    return pool.preparedQuery(UNDELIVERED_BETWEEN).execute(Tuple.of(fromId, toId, limit)).map(MySqlChatStore::messages);
  }

  @Override
  public Future<List<String>> recentPeers(String appId, String owner, long sinceMs, int limit) {
    return recentPeersLookups.ask(new Lookup(appId, owner, IdGenerator.firstIdAt(sinceMs), limit));
  }

  // ---- connect-time lookups, batched -------------------------------------------------------------------------

  /** One user's connect-time lookup: its app, the user, a lower bound (time or unused) and a row limit. */
  record Lookup(String appId, String user, long since, int limit) {
  }

  /** Most users per batched lookup statement (one {@code UNION ALL} branch each). */
  static final int LOOKUP_BATCH_MAX = 64;
  /** A user id no user has (ids are never empty): pads a batch to a power of two of branches. */
  private static final String NOBODY = "";

  private final Batcher<Lookup, List<Head>> headsLookups = new Batcher<>("heads", asks -> runLookups(asks,
    "(SELECT ? AS k, " + CONV_COLS + ", " + M_COLS + " FROM chat_conversations c FORCE INDEX (idx_heads) JOIN chat_messages m "
      + "ON m.app_id = c.app_id AND m.message_id = c.last_message_id WHERE c.app_id = ? AND c.owner = ? "
      + "AND c.updated_at >= ? ORDER BY c.last_message_id DESC LIMIT ?)",
    r -> new Head(conversationOf(r), messageOf(r))));

  private final Batcher<Lookup, List<ChatMessage>> undeliveredLookups = new Batcher<>("undelivered", asks -> runLookups(asks,
    "(SELECT ? AS k, " + COLS + " FROM chat_messages FORCE INDEX (idx_undelivered) WHERE app_id = ? AND receiver = ? "
      + "AND delivered = 0 "
      + "AND message_id >= ? ORDER BY message_id LIMIT ?)",
    MySqlChatStore::messageOf));

  private final Batcher<Lookup, List<String>> recentPeersLookups = new Batcher<>("recentPeers", asks -> runLookups(asks,
    "(SELECT ? AS k, peer FROM chat_conversations FORCE INDEX (idx_heads) WHERE app_id = ? AND owner = ? AND last_message_id >= ? "
      + "ORDER BY last_message_id DESC LIMIT ?)",
    r -> r.getString("peer")));

  /**
   * Runs the lookups of many users as one statement (each branch pinned to its index: while delivered marks churn,
   * stale statistics made MariaDB walk idx_sweep's delete-marked {@code delivered = 0} entries for seconds): one {@code UNION ALL} branch per user (each with its own
   * index range and {@code LIMIT}, params: branch index, app, user, lower bound, limit), padded with branches for
   * {@link #NOBODY} to a power of two so the statement comes in a few shapes that stay prepared. A reconnect storm
   * then costs MariaDB one statement per batch instead of three per socket.
   */
  private <T> Future<List<List<T>>> runLookups(List<Lookup> asks, String branch, Function<Row, T> map) {
    int branches = Integer.highestOneBit(Math.max(1, asks.size() - 1)) << 1;
    if (asks.size() == 1) {
      branches = 1;
    }
    StringBuilder sql = new StringBuilder();
    Tuple t = Tuple.tuple();
    for (int i = 0; i < branches; i++) {
      Lookup l = i < asks.size() ? asks.get(i) : null;
      sql.append(i == 0 ? "" : " UNION ALL ").append(branch);
      t.addInteger(i).addString(l == null ? asks.get(0).appId() : l.appId()).addString(l == null ? NOBODY : l.user())
        .addLong(l == null ? 0L : l.since()).addInteger(l == null ? 0 : l.limit());
    }
    return pool.preparedQuery(sql.toString()).execute(t).map(rows -> {
      List<List<T>> out = new ArrayList<>(asks.size());
      for (int i = 0; i < asks.size(); i++) {
        out.add(new ArrayList<>());
      }
      for (Row r : rows) {
        int k = ((Number) r.getValue("k")).intValue();
        if (k < asks.size()) {
          out.get(k).add(map.apply(r));
        }
      }
      return out;
    });
  }

  /**
   * Group execution of independent read-only asks: while one batch runs, asks queue up and go together in the next
   * (a second batch starts only when {@link #PARALLEL_WHEN_WAITING} wait); each caller completes on its own context.
   */
  private final class Batcher<A, R> {
    private record Ask<A, R>(A arg, Promise<R> done, Context context) {
    }

    private final String name;
    private final Function<List<A>, Future<List<R>>> run;
    private final ArrayDeque<Ask<A, R>> queue = new ArrayDeque<>();
    private int inFlight;

    Batcher(String name, Function<List<A>, Future<List<R>>> run) {
      this.name = name;
      this.run = run;
    }

    Future<R> ask(A arg) {
      Promise<R> p = Promise.promise();
      synchronized (queue) {
        if (queue.size() >= MAX_QUEUED) {
          return Future.failedFuture(new QueueFull(name + " lookup"));
        }
        queue.add(new Ask<>(arg, p, Vertx.currentContext()));
      }
      arm(p, name + " lookup");
      flush();
      return p.future();
    }

    private void flush() {
      List<Ask<A, R>> batch;
      synchronized (queue) {
        queue.removeIf(a -> a.done().future().isComplete());
        if (!mayStart(inFlight, INSERT_IN_FLIGHT, queue.size())) {
          return;
        }
        batch = new ArrayList<>(Math.min(queue.size(), LOOKUP_BATCH_MAX));
        while (!queue.isEmpty() && batch.size() < LOOKUP_BATCH_MAX) {
          batch.add(queue.poll());
        }
        inFlight++;
      }
      List<A> args = new ArrayList<>(batch.size());
      batch.forEach(a -> args.add(a.arg()));
      Future<List<R>> f;
      try {
        f = com.seedim.im.common.store.Deadlines.within(run.apply(args), deadlineMs, "chat " + name + " lookup");
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        synchronized (queue) {
          inFlight--;
        }
        if (ar.failed()) {
          LOG.debug("batched {} lookup of {} failed: {}", name, batch.size(), ar.cause().toString());
        }
        for (int i = 0; i < batch.size(); i++) {
          Ask<A, R> a = batch.get(i);
          completeOn(a.context(), a.done(), ar.succeeded() ? ar.result().get(i) : null, ar.failed() ? ar.cause() : null);
        }
        flush();
      });
    }
  }

  @Override
  public Future<Set<String>> contactsAmong(String appId, String owner, Collection<String> candidates) {
    if (candidates.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    List<String> list = new ArrayList<>(new TreeSet<>(candidates));
    Tuple t = Tuple.tuple().addString(appId).addString(owner);
    list.forEach(t::addString);
    return pool.preparedQuery("SELECT peer FROM chat_conversations WHERE app_id = ? AND owner = ? AND peer IN ("
      + placeholders(list.size()) + ")").execute(t).map(rows -> {
        Set<String> out = new HashSet<>();
        rows.forEach(r -> out.add(r.getString("peer")));
        return out;
      });
  }

  @Override
  public Future<List<String>> sensitiveWords(String appId) {
    return pool.preparedQuery(WORDS).execute(Tuple.of(appId)).map(rows -> {
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
    return pool.preparedQuery(SAVE_WORDS)
      .execute(Tuple.of(appId, new JsonArray(new ArrayList<>(words)).encode(), System.currentTimeMillis())).mapEmpty();
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  private static ChatMessage firstMessage(RowSet<Row> rows) {
    return rows.size() == 0 ? null : messageOf(rows.iterator().next());
  }

  private static List<ChatMessage> messages(RowSet<Row> rows) {
    List<ChatMessage> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(messageOf(r)));
    return out;
  }

  private static ChatMessage messageOf(Row r) {
    return new ChatMessage(r.getString("app_id"), r.getLong("message_id"), r.getString("sender"), r.getString("receiver"),
      r.getString("sender_device"), r.getString("content"), r.getString("content_type"), r.getLong("send_time"),
      flag(r, "retracted"), flag(r, "delivered"));
  }

  private static Conversation conversationOf(Row r) {
    return new Conversation(r.getString("peer"), r.getLong("last_message_id"), r.getLong("unread_count"),
      r.getLong("read_message_id"), r.getLong("peer_read_message_id"), r.getLong("message_count"), r.getLong("updated_at"));
  }

  private static boolean flag(Row r, String column) {
    Object v = r.getValue(column);
    return v instanceof Boolean b ? b : v instanceof Number n && n.intValue() != 0;
  }
}
