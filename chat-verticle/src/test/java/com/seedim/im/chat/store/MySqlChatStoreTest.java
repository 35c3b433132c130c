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

/** The contract on the machine's real MariaDB, in a database created for this class and dropped after it. */
@ExtendWith(VertxExtension.class)
@DisplayName("ChatStore contract: MySQL")
class MySqlChatStoreTest extends ChatStoreContract {
  static final String HOST = System.getenv().getOrDefault("IM_TEST_MYSQL_HOST", "127.0.0.1");
  private static final MySQLConnectOptions SERVER = new MySQLConnectOptions().setHost(HOST).setPort(3306).setUser("root")
    .setPassword("").setCharset("utf8mb4");
  private static Pool pool;
  private static String database;
  private static MySqlChatStore store;

  @BeforeAll
  static void createDatabase(Vertx vertx) {
    database = "chatc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Pool admin = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(SERVER).using(vertx).build();
    admin.query("CREATE DATABASE `" + database + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin").execute()
      .eventually(admin::close).await();
    pool = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(6))
      .connectingTo(new MySQLConnectOptions(SERVER).setDatabase(database).setPipeliningLimit(256)).using(vertx).build();
    store = new MySqlChatStore(pool);
    store.migrate().await();
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

  @Test
  @DisplayName("migrate drops the idx_recent index of databases created by earlier versions, and only then")
  void migrateDropsIdxRecent() {
    pool.query("ALTER TABLE chat_conversations ADD INDEX idx_recent (app_id, owner, updated_at)").execute().await();
    store.migrate().await();
    store.migrate().await();
    long n = pool.query(ChatSchema.HAS_IDX_RECENT).execute().await().iterator().next().getLong("n");
    assertThat(n).isZero();
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
}
