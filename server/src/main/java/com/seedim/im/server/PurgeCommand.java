package com.seedim.im.server;

import com.seedim.im.chat.store.ChatRetention;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.cs.store.mysql.ServiceRecordRetention;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.Callable;

/**
 * {@code seedim purge --config FILE}: applies each app's retention ({@code messageRetentionDays},
 * {@code serviceRecordRetentionDays}; 0 keeps forever) to the configured database, then exits. Meant to run on a
 * schedule beside the nodes (deploy/systemd's timer, a Kubernetes CronJob); it deletes in small batches, so nodes
 * keep serving, and running it twice at once only repeats work. Blocking JDBC on the command's own thread.
 */
@Command(name = "purge", mixinStandardHelpOptions = true,
  description = "Delete messages and service records older than each app's retention (production config), then exit.")
public final class PurgeCommand implements Callable<Integer> {
  private static final long DAY_MS = 86_400_000L;
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  /** The longest one statement may take: a page or a batch of deletes, far below this on a healthy database. */
  private static final int SOCKET_TIMEOUT_MS = 300_000;

  @Option(names = {"-c", "--config"}, required = true, description = "the production JSON config file (env overrides apply)")
  Path config;

  @Override
  public Integer call() throws Exception {
    ServerConfig cfg = Main.production(config, "purge");
    ServerConfig.MySqlConfig my = cfg.mysql();
    long now = System.currentTimeMillis();
    // bounded like every store call: a MariaDB that does not answer fails the run instead of holding the schedule
    String url = "jdbc:mariadb://" + my.host() + ":" + my.port() + "/" + my.database() + "?connectTimeout="
      + CONNECT_TIMEOUT_MS + "&socketTimeout=" + SOCKET_TIMEOUT_MS;
    try (Connection conn = DriverManager.getConnection(url, my.user(), my.password())) {
      ChatRetention.prepare(conn);
      for (AppConfig app : cfg.apps().all()) {
        if (app.messageRetentionDays() > 0) {
          ChatRetention.Purged p = ChatRetention.purge(conn, app.appId(), ChatRetention.floorId(now, app.messageRetentionDays()));
          System.out.println("seedim: app " + app.appId() + ": " + p.messages() + " messages and " + p.conversations()
            + " conversations older than " + app.messageRetentionDays() + " days deleted, " + p.watermarksMoved()
            + " delivery watermarks moved over them");
        }
        if (app.serviceRecordRetentionDays() > 0) {
          ServiceRecordRetention.Purged p = ServiceRecordRetention.purge(conn, app.appId(),
            now - app.serviceRecordRetentionDays() * DAY_MS);
          System.out.println("seedim: app " + app.appId() + ": " + p.queueEntries() + " queue entries, " + p.rooms()
            + " rooms, " + p.calls() + " calls and " + p.leftMessages() + " taken left messages ended more than "
            + app.serviceRecordRetentionDays() + " days ago deleted");
        }
      }
    }
    return 0;
  }
}
