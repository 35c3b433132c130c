package com.seedim.im.chat.store;

import com.seedim.im.common.store.Deadlines;
import com.seedim.im.testkit.faults.BlackholeProxy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Flyway migrations on the machine's MariaDB, each test in a fresh database dropped after it. */
@ExtendWith(VertxExtension.class)
@Timeout(120)
@DisplayName("Chat schema migrations (Flyway)")
class ChatMigrationsTest {

  private static Pool open(Vertx vertx, String database) {
    return MySQLBuilder.pool().with(new PoolOptions().setMaxSize(2))
      .connectingTo(new MySQLConnectOptions(MySqlChatStoreTest.SERVER).setDatabase(database)).using(vertx).build();
  }

  private static void drop(Pool pool, String database) {
    try {
      pool.query("DROP DATABASE IF EXISTS `" + database + "`").execute().await();
    } finally {
      pool.close().await();
    }
  }

  @Test
  @DisplayName("a MariaDB that accepts the connection but never answers fails the start within the connect deadline")
  void silentDatabaseFailsTheStart(Vertx vertx) {
    try (BlackholeProxy proxy = new BlackholeProxy(MySqlChatStoreTest.HOST, 3306)) {
      proxy.blackhole();
      long t0 = System.currentTimeMillis();
      Future<Void> run = ChatMigrations.migrate(vertx, new ChatMigrations.Target("127.0.0.1", proxy.port(), "root", "", "chatm_silent"));
      assertThatThrownBy(run::await).hasMessageContaining("timeout");
      assertThat(System.currentTimeMillis() - t0).as("failed after the connect deadline, not hung")
        .isBetween((long) Deadlines.CONNECT_TIMEOUT_MS - 100, 4L * Deadlines.CONNECT_TIMEOUT_MS);
    }
  }

  @RepeatedTest(3)
  @DisplayName("three nodes starting at once on a fresh database: every migration run succeeds, each version is applied once")
  void concurrentStarts(Vertx vertx) throws Exception {
    String db = MySqlChatStoreTest.createDatabase(vertx, "chatm_");
    Pool pool = open(vertx, db);
    try {
      ChatMigrations.Target target = MySqlChatStoreTest.target(db);
      Future.all(ChatMigrations.migrate(vertx, target), ChatMigrations.migrate(vertx, target),
        ChatMigrations.migrate(vertx, target)).await();
      Map<String, Long> applied = new TreeMap<>();
      pool.query("SELECT version, COUNT(*) AS n FROM " + ChatMigrations.HISTORY_TABLE + " WHERE success = 1 GROUP BY version")
        .execute().await().forEach(r -> applied.put(r.getString("version"), r.getLong("n")));
      assertThat(applied).containsExactlyEntriesOf(new TreeMap<>(Map.of("1", 1L, "2", 1L, "3", 1L)));
      assertThat(ChatMigrations.run(target).migrationsExecuted).as("a later start has nothing to do").isZero();
      Row idx = pool.query("SELECT COUNT(*) AS n FROM information_schema.statistics WHERE table_schema = DATABASE() "
        + "AND table_name = 'chat_messages' AND index_name = 'idx_inbox'").execute().await().iterator().next();
      assertThat(idx.getLong("n")).isPositive();
    } finally {
      drop(pool, db);
    }
  }

  @Test
  @DisplayName("a database of the version before Flyway (no history, idx_recent, delivered flags): baselined, its data moved to sequences and watermarks")
  void movesExistingData(Vertx vertx) throws Exception {
    String db = MySqlChatStoreTest.createDatabase(vertx, "chatm_");
    Pool pool = open(vertx, db);
    try {
      ChatMigrations.Target target = MySqlChatStoreTest.target(db);
      // the schema as nodes created it at start, without a history table
      ChatMigrations.configure(target).target("1").load().migrate();
      pool.query("DROP TABLE " + ChatMigrations.HISTORY_TABLE).execute().await();
      pool.query("ALTER TABLE chat_conversations ADD INDEX idx_recent (app_id, owner, updated_at)").execute().await();
      // bob got 1..5 (2 and 4 delivered, 3 retracted), carol got 6 (delivered), alice got 7 (undelivered)
      String[][] rows = {{"1", "alice", "bob", "0", "0"}, {"2", "alice", "bob", "1", "0"}, {"3", "alice", "bob", "1", "1"},
        {"4", "alice", "bob", "1", "0"}, {"5", "alice", "bob", "0", "0"}, {"6", "alice", "carol", "1", "0"},
        {"7", "bob", "alice", "0", "0"}};
      for (String[] r : rows) {
        boolean low = r[1].compareTo(r[2]) < 0;
        pool.preparedQuery("INSERT INTO chat_messages (app_id, message_id, sender, receiver, user_lo, user_hi, sender_device, "
          + "uniq, dedupe_hash, content, content_type, send_time, delivered, retracted) VALUES "
          + "('app', ?, ?, ?, ?, ?, 'd', NULL, 'h', 'x', 'text', 1, ?, ?)")
          .execute(Tuple.of(Long.parseLong(r[0]) * 1000, r[1], r[2], low ? r[1] : r[2], low ? r[2] : r[1],
            Integer.parseInt(r[3]), Integer.parseInt(r[4]))).await();
      }
      assertThat(ChatMigrations.run(target).migrationsExecuted).as("V1 (a no-op here), V2 (the data move), V3 (the event outbox)").isEqualTo(3);

      Map<Long, Long> seqs = new TreeMap<>();
      pool.query("SELECT message_id, seq FROM chat_messages").execute().await()
        .forEach(r -> seqs.put(r.getLong("message_id"), r.getLong("seq")));
      assertThat(seqs).as("numbered per receiver in id order").containsExactlyEntriesOf(new TreeMap<>(Map.of(1000L, 1L,
        2000L, 2L, 3000L, 3L, 4000L, 4L, 5000L, 5L, 6000L, 1L, 7000L, 1L)));
      Map<String, String> inboxes = new TreeMap<>();
      pool.query("SELECT i.user_id, i.last_seq, d.delivered_seq, d.acked_above FROM chat_inboxes i JOIN chat_deliveries d "
        + "ON d.app_id = i.app_id AND d.user_id = i.user_id").execute().await().forEach(r -> inboxes.put(r.getString("user_id"),
          r.getLong("last_seq") + "/" + r.getLong("delivered_seq") + "/" + r.getString("acked_above")));
      assertThat(inboxes).as("last seq / watermark / acked above it")
        .containsExactlyEntriesOf(new TreeMap<>(Map.of("alice", "1/0/", "bob", "5/0/2,3,4", "carol", "1/1/")));
      Row old = pool.query("SELECT COUNT(*) AS n FROM information_schema.statistics WHERE table_schema = DATABASE() "
        + "AND index_name IN ('idx_recent', 'idx_undelivered', 'idx_sweep', 'idx_unread')").execute().await().iterator().next();
      assertThat(old.getLong("n")).isZero();

      // the store reads the moved data: bob's replay is 1 and 5, 2..4 are delivered
      MySqlChatStore store = new MySqlChatStore(pool);
      assertThat(store.undelivered("app", "bob", 10).await()).extracting(ChatMessage::messageId).containsExactly(1000L, 5000L);
      assertThat(store.message("app", 4000L).await().delivered()).isTrue();
      assertThat(store.markDelivered("app", "bob", List.of(1000L)).await()).extracting(ChatMessage::messageId)
        .containsExactly(1000L);
      Row bob = pool.query("SELECT delivered_seq, acked_above FROM chat_deliveries WHERE user_id = 'bob'").execute().await()
        .iterator().next();
      assertThat(bob.getLong("delivered_seq")).as("compacted over the moved acks").isEqualTo(4L);
      assertThat(bob.getString("acked_above")).isEmpty();
    } finally {
      drop(pool, db);
    }
  }
}
