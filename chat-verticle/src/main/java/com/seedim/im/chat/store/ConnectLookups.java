package com.seedim.im.chat.store;

import com.seedim.im.chat.store.ChatStore.ConnectAsk;
import com.seedim.im.chat.store.ChatStore.ConnectRead;
import com.seedim.im.chat.store.ChatStore.Head;
import com.seedim.im.common.id.IdGenerator;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The reads of a connect (heads, undelivered replay, recent peers), grouped: the reads of many users run as one
 * statement with three {@code UNION ALL} branches per user, each with its own index range and {@code LIMIT}, padded
 * with branches for {@link #NOBODY} to a power of two so the statement comes in a few shapes that stay prepared. A
 * reconnect storm then costs MariaDB one statement per batch instead of three per socket. Each branch is pinned to
 * its index: stale statistics once made MariaDB walk delete-marked index entries for seconds.
 */
final class ConnectLookups {
  /** Most users per batched lookup statement. */
  static final int BATCH_MAX = 64;
  /** A user id no user has (ids are never empty). */
  private static final String NOBODY = "";

  /**
   * Whole connects: heads, undelivered and recent peers of each user in one statement. A single lookup is a connect
   * read whose other limits are 0 (those branches return nothing), so every connect-time read shares one batch.
   */
  final GroupCommit<ConnectAsk, ConnectRead> connects;
  private final Pool pool;

  ConnectLookups(Pool pool, int maxInFlight, long deadlineMs) {
    this.pool = pool;
    connects = new GroupCommit<>("connect read", maxInFlight, GroupCommit.Take.upTo(BATCH_MAX), this::connect, null,
      deadlineMs);
  }

  /**
   * A batch of connects as one statement of {@link ChatSql#CONNECT_BRANCHES} per user, padded to a power of two with
   * branches for {@link #NOBODY}. A row's {@code k} is {@code user index × CONNECT_KINDS + kind}.
   */
  private Future<List<ConnectRead>> connect(List<ConnectAsk> asks) {
    int users = asks.size() == 1 ? 1 : Integer.highestOneBit(asks.size() - 1) << 1;
    Tuple t = Tuple.tuple();
    for (int i = 0; i < users; i++) {
      ConnectAsk a = i < asks.size() ? asks.get(i) : null;
      String app = a == null ? asks.get(0).appId() : a.appId();
      String user = a == null ? NOBODY : a.user();
      int k = i * ChatSql.CONNECT_KINDS;
      long headsSince = a == null || a.headsSince() == null ? Long.MIN_VALUE : a.headsSince();
      t.addInteger(k).addString(app).addString(user).addLong(headsSince).addInteger(a == null ? 0 : a.headsLimit());
      t.addInteger(k + 1).addString(app).addString(user).addLong(0L).addInteger(a == null ? 0 : a.replayLimit());
      t.addInteger(k + 2).addString(app).addString(user).addLong(a == null ? 0L : IdGenerator.firstIdAt(a.peersSince()))
        .addInteger(a == null ? 0 : a.peersLimit());
    }
    return pool.preparedQuery(ChatSql.unionAll(ChatSql.CONNECT_BRANCHES, users)).execute(t).map(rows -> {
      List<List<Head>> heads = lists(asks.size());
      List<List<ChatMessage>> pending = lists(asks.size());
      List<List<String>> peers = lists(asks.size());
      for (Row r : rows) {
        int k = ((Number) r.getValue("k")).intValue();
        int i = k / ChatSql.CONNECT_KINDS;
        if (i >= asks.size()) {
          continue;
        }
        switch (k % ChatSql.CONNECT_KINDS) {
          case 0 -> heads.get(i).add(new Head(ChatRows.conversation(r), ChatRows.message(r)));
          case 1 -> pending.get(i).add(ChatRows.message(r));
          default -> peers.get(i).add(r.getString("peer"));
        }
      }
      List<ConnectRead> out = new ArrayList<>(asks.size());
      for (int i = 0; i < asks.size(); i++) {
        out.add(new ConnectRead(heads.get(i), pending.get(i), peers.get(i)));
      }
      return out;
    });
  }

  private static <T> List<List<T>> lists(int n) {
    List<List<T>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new ArrayList<>());
    }
    return out;
  }
}
