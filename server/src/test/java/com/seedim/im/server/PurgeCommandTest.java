package com.seedim.im.server;

import com.seedim.im.chat.store.ChatMigrations;
import com.seedim.im.common.id.IdGenerator;
import com.seedim.im.cs.store.mysql.MySqlLeftMessages;
import com.seedim.im.cs.store.mysql.MySqlServiceRecords;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code seedim purge}: each app's retention deletes its old messages, conversations whose latest message is old, and
 * ended service records; newer rows, open records and apps without a retention are kept.
 */
class PurgeCommandTest {
  private static final String HOST = System.getenv().getOrDefault("IM_TEST_MYSQL_HOST", "127.0.0.1");
  private static final long DAY = 86_400_000L;
  private final String database = "imt_purge_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

  @AfterEach
  void drop() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:mariadb://" + HOST + ":3306/", "root", "");
         Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS `" + database + "`");
    }
  }

  @Test
  @DisplayName("purge deletes what is older than each app's retention and keeps the rest")
  void purgesByRetention() throws Exception {
    ChatMigrations.migrateNow(new ChatMigrations.Target(HOST, 3306, "root", "", database));
    long now = System.currentTimeMillis();
    long oldId = IdGenerator.firstIdAt(now - 40 * DAY) + 1;
    long newId = IdGenerator.firstIdAt(now - DAY) + 1;
    try (Connection c = db(); Statement s = c.createStatement()) {
      for (String ddl : MySqlServiceRecords.DDL) {
        s.execute(ddl);
      }
      s.execute(MySqlLeftMessages.DDL);
      message(c, "p1", oldId, "a", "b", 1);
      message(c, "p1", newId, "a", "b", 2);
      message(c, "p1", oldId + 1, "c", "d", 1);
      message(c, "keep", oldId, "a", "b", 1);
      // b never acked its old message (seq 1) but acked the new one (seq 2, kept above the watermark); d acked nothing
      s.execute("INSERT INTO chat_inboxes (app_id, user_id, last_seq) VALUES ('p1', 'b', 2), ('p1', 'd', 1), ('keep', 'b', 1)");
      s.execute("INSERT INTO chat_deliveries (app_id, user_id, delivered_seq, acked_above) VALUES "
        + "('p1', 'b', 0, '2'), ('p1', 'd', 0, ''), ('keep', 'b', 0, '')");
      conversation(c, "p1", "a", "b", newId);
      conversation(c, "p1", "c", "d", oldId + 1);
      conversation(c, "keep", "a", "b", oldId);
      s.execute("INSERT INTO cs_room (app_id, room_id, queue_id, agent_id, customer_id, waited_ms, created_at, closed_at, close_reason) VALUES "
        + "('p1', 1, 'q', 'ag', 'cu', 0, " + (now - 40 * DAY) + ", " + (now - 39 * DAY) + ", 'left'), "
        + "('p1', 2, 'q', 'ag', 'cu', 0, " + (now - 40 * DAY) + ", NULL, NULL), "
        + "('p1', 3, 'q', 'ag', 'cu', 0, " + (now - 2 * DAY) + ", " + (now - DAY) + ", 'left')");
      s.execute("INSERT INTO cs_queue_entry (app_id, queue_id, user_id, entered_at, ended_at, outcome) VALUES "
        + "('p1', 'q', 'u1', " + (now - 40 * DAY) + ", " + (now - 40 * DAY) + ", 'taken'), "
        + "('p1', 'q', 'u2', " + (now - 40 * DAY) + ", NULL, NULL)");
      s.execute("INSERT INTO cs_call (app_id, call_id, room_id, caller, callee, started_at, ended_at, outcome) VALUES "
        + "('p1', 7, 1, 'ag', 'cu', " + (now - 40 * DAY) + ", " + (now - 40 * DAY) + ", 'hangup'), "
        + "('p1', 8, 3, 'ag', 'cu', " + (now - 2 * DAY) + ", " + (now - 2 * DAY) + ", 'hangup')");
      // left messages: taken long ago (gone), taken lately, left long ago and never taken, another app's old taken one
      s.execute("INSERT INTO cs_left_message (id, app_id, queue_id, user_id, message, created_at, taken_by, taken_at) VALUES "
        + "(1, 'p1', 'q', 'u1', 'm', " + (now - 41 * DAY) + ", 'ag', " + (now - 40 * DAY) + "), "
        + "(2, 'p1', 'q', 'u2', 'm', " + (now - 41 * DAY) + ", 'ag', " + (now - DAY) + "), "
        + "(3, 'p1', 'q', 'u3', 'm', " + (now - 41 * DAY) + ", NULL, NULL), "
        + "(4, 'keep', 'q', 'u1', 'm', " + (now - 41 * DAY) + ", 'ag', " + (now - 40 * DAY) + ")");
      // §14: a room's transfers and a call's 660 reports go with their room and call
      s.execute("INSERT INTO cs_room_agent (app_id, room_id, from_agent, to_agent, transferred_at) VALUES "
        + "('p1', 1, 'ag0', 'ag', " + (now - 40 * DAY) + "), ('p1', 3, 'ag0', 'ag', " + (now - 2 * DAY) + ")");
      s.execute("INSERT INTO cs_call_stats (app_id, call_id, user_id, candidate_type, reported_at) VALUES "
        + "('p1', 7, 'ag', 'relay', " + (now - 40 * DAY) + "), ('p1', 7, 'cu', 'host', " + (now - 40 * DAY) + "), "
        + "('p1', 8, 'cu', 'host', " + (now - 2 * DAY) + ")");
    }
    Path config = Files.createTempFile("seedim-purge", ".json");
    Files.writeString(config, new JsonObject().put("mode", "prod")
      .put("mysql", new JsonObject().put("host", HOST).put("port", 3306).put("user", "root").put("password", "").put("database", database))
      .put("apps", new JsonArray()
        .add(new JsonObject().put("appId", "p1").put("secret", "k7Qz1v9XcR4mWp2sLd8hNf3bTy6uGe0A")
          .put("messageRetentionDays", 30).put("serviceRecordRetentionDays", 30))
        .add(new JsonObject().put("appId", "keep").put("secret", "Zq8w2Ex4Rc6Tv1By3Nu5Mi7Ol9Pk0JhQ2wE")))
      .encodePrettily());
    try {
      assertThat(new CommandLine(new PurgeCommand()).execute("--config", config.toString())).isZero();
    } finally {
      Files.deleteIfExists(config);
    }
    try (Connection c = db()) {
      assertThat(longs(c, "SELECT message_id FROM chat_messages WHERE app_id = 'p1'")).containsExactly(newId);
      assertThat(longs(c, "SELECT message_id FROM chat_messages WHERE app_id = 'keep'")).containsExactly(oldId);
      assertThat(longs(c, "SELECT last_message_id FROM chat_conversations WHERE app_id = 'p1'")).as("the active conversation")
        .containsExactly(newId);
      assertThat(longs(c, "SELECT last_message_id FROM chat_conversations WHERE app_id = 'keep'")).containsExactly(oldId);
      assertThat(longs(c, "SELECT delivered_seq FROM chat_deliveries WHERE app_id = 'p1' ORDER BY user_id"))
        .as("the watermarks move over what no longer exists, and over b's ack above it").containsExactly(2L, 1L);
      assertThat(longs(c, "SELECT LENGTH(acked_above) FROM chat_deliveries WHERE app_id = 'p1' AND user_id = 'b'")).containsExactly(0L);
      assertThat(longs(c, "SELECT delivered_seq FROM chat_deliveries WHERE app_id = 'keep'")).as("no retention").containsExactly(0L);
      assertThat(longs(c, "SELECT room_id FROM cs_room ORDER BY room_id")).as("open and recent rooms").containsExactly(2L, 3L);
      assertThat(longs(c, "SELECT COUNT(*) FROM cs_queue_entry WHERE ended_at IS NULL")).containsExactly(1L);
      assertThat(longs(c, "SELECT COUNT(*) FROM cs_queue_entry")).containsExactly(1L);
      assertThat(longs(c, "SELECT id FROM cs_left_message ORDER BY id")).as("recent, not taken, no retention")
        .containsExactly(2L, 3L, 4L);
      assertThat(longs(c, "SELECT call_id FROM cs_call")).as("the recent call").containsExactly(8L);
      assertThat(longs(c, "SELECT room_id FROM cs_room_agent")).as("the transfers of the kept room").containsExactly(3L);
      assertThat(longs(c, "SELECT call_id FROM cs_call_stats")).as("the reports of the kept call").containsExactly(8L);
    }
  }

  @Test
  @DisplayName("a negative or fractional retention refuses the config with one line")
  void badRetention() throws Exception {
    Path config = Files.createTempFile("seedim-purge", ".json");
    Files.writeString(config, new JsonObject().put("mode", "prod").put("apps", new JsonArray()
      .add(new JsonObject().put("appId", "p1").put("secret", "k7Qz1v9XcR4mWp2sLd8hNf3bTy6uGe0A").put("messageRetentionDays", -1)))
      .encode());
    try {
      CommandLine cl = new CommandLine(new PurgeCommand());
      java.io.StringWriter err = new java.io.StringWriter();
      cl.setErr(new java.io.PrintWriter(err));
      cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
        cmd.getErr().println(ex.getMessage());
        return 78;
      });
      assertThat(cl.execute("--config", config.toString())).isEqualTo(78);
      assertThat(err.toString()).contains("messageRetentionDays");
    } finally {
      Files.deleteIfExists(config);
    }
  }

  private Connection db() throws Exception {
    return DriverManager.getConnection("jdbc:mariadb://" + HOST + ":3306/" + database, "root", "");
  }

  private static void message(Connection c, String app, long id, String from, String to, long seq) throws Exception {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO chat_messages (app_id, message_id, sender, receiver, seq, user_lo, "
      + "user_hi, sender_device, uniq, dedupe_hash, content, content_type, send_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
      ps.setString(1, app);
      ps.setLong(2, id);
      ps.setString(3, from);
      ps.setString(4, to);
      ps.setLong(5, seq);
      ps.setString(6, from.compareTo(to) < 0 ? from : to);
      ps.setString(7, from.compareTo(to) < 0 ? to : from);
      ps.setString(8, "d");
      ps.setString(9, "u" + id);
      ps.setString(10, "0".repeat(64));
      ps.setString(11, "hi");
      ps.setString(12, "text");
      ps.setLong(13, IdGenerator.timeOf(id));
      ps.executeUpdate();
    }
  }

  private static void conversation(Connection c, String app, String owner, String peer, long last) throws Exception {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO chat_conversations (app_id, owner, peer, last_message_id, "
      + "unread_count, updated_at) VALUES (?,?,?,?,1,?)")) {
      ps.setString(1, app);
      ps.setString(2, owner);
      ps.setString(3, peer);
      ps.setLong(4, last);
      ps.setLong(5, IdGenerator.timeOf(last));
      ps.executeUpdate();
    }
  }

  private static List<Long> longs(Connection c, String sql) throws Exception {
    List<Long> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }
}
