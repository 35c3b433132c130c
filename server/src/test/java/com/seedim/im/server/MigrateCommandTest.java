package com.seedim.im.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code seedim migrate}: a fresh database is created and migrated to the latest chat schema; a second run does nothing. */
class MigrateCommandTest {
  private static final String HOST = System.getenv().getOrDefault("IM_TEST_MYSQL_HOST", "127.0.0.1");
  private final String database = "imt_migrate_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

  @AfterEach
  void drop() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + HOST + ":3306/", "root", "");
         Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS `" + database + "`");
    }
  }

  private int run(Path config, StringWriter out) {
    CommandLine cl = new CommandLine(new MigrateCommand());
    cl.setOut(new PrintWriter(out));
    return cl.execute("--config", config.toString());
  }

  @Test
  @DisplayName("migrate creates the database, applies every chat migration once, and is a no-op the second time")
  void migratesOnce() throws Exception {
    Path config = Files.createTempFile("seedim-migrate", ".json");
    Files.writeString(config, new JsonObject().put("mode", "prod")
      .put("mysql", new JsonObject().put("host", HOST).put("port", 3306).put("user", "root").put("password", "")
        .put("database", database))
      .put("apps", new JsonArray().add(new JsonObject().put("appId", "m1").put("secret", "k7Qz1v9XcR4mWp2sLd8hNf3bTy6uGe0A")))
      .encodePrettily());
    try {
      assertThat(run(config, new StringWriter())).isZero();
      try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + HOST + ":3306/" + database, "root", "");
           Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT MAX(CAST(version AS UNSIGNED)) FROM chat_schema_history WHERE success = 1")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).as("the latest migration is applied").isGreaterThanOrEqualTo(2);
      }
      try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + HOST + ":3306/" + database, "root", "");
           Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM chat_schema_history")) {
        rs.next();
        int rows = rs.getInt(1);
        assertThat(run(config, new StringWriter())).isZero();
        try (ResultSet again = s.executeQuery("SELECT COUNT(*) FROM chat_schema_history")) {
          again.next();
          assertThat(again.getInt(1)).as("nothing applied twice").isEqualTo(rows);
        }
      }
    } finally {
      Files.deleteIfExists(config);
    }
  }
}
