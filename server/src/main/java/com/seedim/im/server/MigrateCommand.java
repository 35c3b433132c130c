package com.seedim.im.server;

import com.seedim.im.chat.store.ChatMigrations;
import com.seedim.im.common.config.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code seedim migrate --config FILE}: creates the configured MySQL/MariaDB database if missing and applies the chat
 * schema's Flyway migrations, then exits — for a deployment step (a Kubernetes Job, an upgrade script) that runs before
 * the nodes. Nodes run the same migrations at start under the same MariaDB lock, so running it is optional and safe
 * while nodes start; the blocking JDBC driver runs here on the command's own thread, never on an event loop.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
  description = "Apply the chat schema's migrations to the configured MySQL/MariaDB database (production config), then exit.")
public final class MigrateCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, description = "the production JSON config file (env overrides apply)")
  Path config;

  @Override
  public Integer call() throws Exception {
    ServerConfig cfg = Main.production(config, "migrate");
    ServerConfig.MySqlConfig my = cfg.mysql();
    ChatMigrations.Target target = ChatMigrations.Target.of(my);
    int applied = ChatMigrations.migrateNow(target);
    System.out.println("seedim: database " + my.database() + " on " + my.host() + ":" + my.port() + ": " + applied
      + " migration(s) applied, chat schema at version " + ChatMigrations.currentVersion(target));
    return 0;
  }
}
