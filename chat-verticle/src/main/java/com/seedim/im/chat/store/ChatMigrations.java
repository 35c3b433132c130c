package com.seedim.im.chat.store;

import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.store.Deadlines;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The chat schema's versioned migrations ({@code db/migration/V*.sql}, Flyway), run once per node start before the
 * chat service serves, instead of DDL at every start. Nodes starting at once migrate one after the other under a
 * MariaDB named lock (see {@link #run}), and each later one finds nothing to do.
 *
 * <p>V1 is the schema as nodes created it before, written idempotently: a database from those versions (tables, no
 * history) is baselined at version 0 and runs V1 as a no-op, then V2 moves its data. The history table is the chat
 * service's own ({@value #HISTORY_TABLE}), so other services of the same database can version theirs apart.
 */
public final class ChatMigrations {
  private static final Logger LOG = LoggerFactory.getLogger(ChatMigrations.class);
  static final String HISTORY_TABLE = "chat_schema_history";
  private static final String LOCATION = "classpath:db/migration";
  private static final String LOCK_PREFIX = "chat_migrations.";
  /** How long a node waits for another's migrations (a data move on a large table takes a while). */
  private static final int LOCK_WAIT_S = 600;

  /** Where and as whom to connect (JDBC: the lock's connection and Flyway's are opened and closed for the run). */
  public record Target(String host, int port, String user, String password, String database) {
    /** The database of a node's {@code mysql} settings. */
    public static Target of(ServerConfig.MySqlConfig my) {
      return new Target(my.host(), my.port(), my.user(), my.password(), my.database());
    }

    /**
     * Bounded in time like every store call: a MariaDB that does not answer the connect (or its handshake) fails the
     * start after {@link Deadlines#CONNECT_TIMEOUT_MS}; one that stops answering mid-run fails it after
     * {@link #SOCKET_TIMEOUT_MS}, long enough for the lock wait and a data move.
     */
    String jdbcUrl() {
      return "jdbc:mariadb://" + host + ":" + port + "/" + database + "?connectTimeout=" + Deadlines.CONNECT_TIMEOUT_MS
        + "&socketTimeout=" + SOCKET_TIMEOUT_MS;
    }
  }

  /** The longest a migration run waits for one answer of MariaDB: the lock wait plus a minute. */
  static final int SOCKET_TIMEOUT_MS = (LOCK_WAIT_S + 60) * 1000;

  /**
   * A node's migrations before it serves: off the event loop, for durable nodes only (dev mode has no schema). The chat
   * role runs them, and the events role too (the outbox tables are part of this schema).
   */
  public static Future<Void> migrate(Vertx vertx, Infra infra) {
    return infra.durable() ? migrate(vertx, Target.of(infra.config().mysql())) : Future.succeededFuture();
  }

  /** Runs the migrations off the event loop (JDBC blocks); completes on the caller's context. */
  public static Future<Void> migrate(Vertx vertx, Target target) {
    return vertx.executeBlocking(() -> {
      MigrateResult r = run(target);
      LOG.info("chat schema of {}: {} migrations applied by this node", target.database(), r.migrationsExecuted);
      return null;
    }, false);
  }

  /**
   * Blocking, for the {@code migrate} command: creates the database if missing (as a node does at start), then runs
   * the migrations under the same lock as nodes do, so it is safe while nodes start. Returns how many ran.
   */
  public static int migrateNow(Target target) throws SQLException {
    String server = "jdbc:mariadb://" + target.host() + ":" + target.port() + "/?connectTimeout=" + Deadlines.CONNECT_TIMEOUT_MS;
    try (Connection conn = DriverManager.getConnection(server, target.user(), target.password());
         PreparedStatement create = conn.prepareStatement("CREATE DATABASE IF NOT EXISTS `" + target.database().replace("`", "``")
           + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")) {
      create.execute();
    }
    MigrateResult r = run(target);
    LOG.info("chat schema of {}: {} migrations applied, now at version {}", target.database(), r.migrationsExecuted,
      r.targetSchemaVersion == null ? "(unchanged)" : r.targetSchemaVersion);
    return r.migrationsExecuted;
  }

  /** The applied version of the chat schema, or null for a database without its history (blocking). */
  public static String currentVersion(Target target) {
    var current = configure(target).load().info().current();
    return current == null ? null : current.getVersion().getVersion();
  }

  /**
   * Blocking. Flyway locks each migration, but not its first look at a fresh database: a second node then finds the
   * history table the first just created, still empty, and fails to baseline it. So nodes take turns on a named lock
   * of their own (per database, held by one JDBC connection opened for the run; closing it releases the lock).
   */
  static MigrateResult run(Target target) throws SQLException {
    try (Connection conn = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password())) {
      String lock = LOCK_PREFIX + target.database();
      try (PreparedStatement get = conn.prepareStatement("SELECT GET_LOCK(?, ?)")) {
        get.setString(1, lock);
        get.setInt(2, LOCK_WAIT_S);
        try (ResultSet rs = get.executeQuery()) {
          if (!rs.next() || rs.getInt(1) != 1) {
            throw new SQLException("chat schema migrations: lock " + lock + " not acquired within " + LOCK_WAIT_S + " s");
          }
        }
      }
      try {
        return configure(target).load().migrate();
      } finally {
        try (PreparedStatement release = conn.prepareStatement("SELECT RELEASE_LOCK(?)")) {
          release.setString(1, lock);
          release.executeQuery().close();
        }
      }
    }
  }

  static FluentConfiguration configure(Target target) {
    return Flyway.configure(ChatMigrations.class.getClassLoader())
      .dataSource(target.jdbcUrl(), target.user(), target.password())
      .locations(LOCATION)
      .table(HISTORY_TABLE)
      .baselineOnMigrate(true)
      .baselineVersion("0");
  }

  private ChatMigrations() {
  }
}
