package com.seedim.im.chat.store;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract on the machine's real MariaDB, in a database created (and migrated) for this class and dropped after it. */
@ExtendWith(VertxExtension.class)
@DisplayName("ChatStore contract: MySQL")
class MySqlChatStoreTest extends ChatStoreContract {
  static final String HOST = System.getenv().getOrDefault("IM_TEST_MYSQL_HOST", "127.0.0.1");
  static final MySQLConnectOptions SERVER = new MySQLConnectOptions().setHost(HOST).setPort(3306).setUser("root")
    .setPassword("").setCharset("utf8mb4");
  private static Pool pool;
  private static String database;
  private static MySqlChatStore store;

  /** A new empty database; returns its name. */
  static String createDatabase(Vertx vertx, String prefix) {
    String name = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Pool admin = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(SERVER).using(vertx).build();
    admin.query("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin").execute()
      .eventually(admin::close).await();
    return name;
  }

  static ChatMigrations.Target target(String database) {
    return new ChatMigrations.Target(HOST, 3306, "root", "", database);
  }

  @BeforeAll
  static void createDatabase(Vertx vertx) throws Exception {
    database = createDatabase(vertx, "chatc_");
    ChatMigrations.run(target(database));
    pool = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(6))
      .connectingTo(new MySQLConnectOptions(SERVER).setDatabase(database).setPipeliningLimit(256)).using(vertx).build();
    store = new MySqlChatStore(pool);
  }

  @AfterAll
  static void dropDatabase() {
    try {
      pool.query("DROP DATABASE IF EXISTS `" + database + "`").execute().await();
    } finally {
      pool.close().await();
    }
  }

  @Override
  protected ChatStore store() {
    return store;
  }

  @Override
  protected Watermark watermark(String app, String receiver) {
    var rows = pool.preparedQuery("SELECT delivered_seq, acked_above FROM chat_deliveries WHERE app_id = ? AND user_id = ?")
      .execute(Tuple.of(app, receiver)).await();
    return rows.size() == 0 ? Watermark.empty()
      : Watermark.of(rows.iterator().next().getLong("delivered_seq"), rows.iterator().next().getString("acked_above"));
  }

  @Test
  @DisplayName("after concurrent traffic every unread_count equals COUNT(*) recomputed from chat_messages")
  void unreadMatchesSql() {
    concurrency();
    Row drift = pool.query("SELECT COUNT(*) AS n FROM chat_conversations c WHERE c.unread_count <> ("
      + "SELECT COUNT(*) FROM chat_messages m WHERE m.app_id = c.app_id AND m.receiver = c.owner AND m.sender = c.peer "
      + "AND m.message_id > c.read_message_id AND m.retracted = 0)").execute().await().iterator().next();
    assertThat(drift.getLong("n")).isZero();
    Row rows = pool.preparedQuery("SELECT COUNT(*) AS n FROM chat_conversations WHERE unread_count > 0").execute(Tuple.tuple())
      .await().iterator().next();
    assertThat(rows.getLong("n")).isPositive();
  }

  @Test
  @DisplayName("after concurrent traffic each inbox numbers its messages 1..last_seq without gaps or repeats")
  void sequencesDense() {
    concurrency();
    Row bad = pool.query("SELECT COUNT(*) AS n FROM chat_inboxes i WHERE i.last_seq <> (SELECT COUNT(DISTINCT m.seq) "
      + "FROM chat_messages m WHERE m.app_id = i.app_id AND m.receiver = i.user_id AND m.seq BETWEEN 1 AND i.last_seq) "
      + "OR i.last_seq <> (SELECT COUNT(*) FROM chat_messages m WHERE m.app_id = i.app_id AND m.receiver = i.user_id)")
      .execute().await().iterator().next();
    assertThat(bad.getLong("n")).isZero();
  }
}
