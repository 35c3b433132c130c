package com.seedim.im.server;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.gateway.GatewayLimits;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * Command line entry point: {@code java -jar seedim.jar [--config FILE] [--roles gateway,chat,...]} starts a node;
 * {@code check-config}, {@code print-defaults} and {@code print-config-doc} (docs/configuration.md), {@code migrate} and
 * {@code purge} (docs/operations.md) are subcommands.
 */
@Command(name = "seedim", mixinStandardHelpOptions = true, version = "SeedIM 0.1.0",
  subcommands = {CheckConfig.class, PrintDefaults.class, PrintConfigDoc.class, MigrateCommand.class, PurgeCommand.class},
  description = "IM and video customer-service server. Without --config it runs dev mode: every verticle in one "
    + "process, in-memory stores, the demo page and the /dev sign endpoints.")
public final class Main implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  static final String DEFAULT_CONFIG = "conf/dev.json";
  static final String BUILTIN_CONFIG = "dev-config.json";
  static final long STOP_TIMEOUT_S = 30;

  @Option(names = {"-c", "--config"}, description = "JSON config file (default: conf/dev.json if present, else the built-in dev config)")
  Path config;

  @Option(names = {"-r", "--roles"}, split = ",", defaultValue = "all",
    description = "Verticle kinds to run: all, gateway, chat, queue, room, signaling, events (comma separated)")
  List<String> roles;

  /** Exit status of a refused configuration (sysexits EX_CONFIG). */
  static final int EXIT_CONFIG = 78;
  /** How the built-in config is named in messages. */
  static final String BUILTIN_NAME = "built-in dev config";

  /** The environment the config's overrides come from (the process's; tests pass their own). */
  final Map<String, String> env;

  Main() {
    this(System.getenv());
  }

  Main(Map<String, String> env) {
    this.env = env;
  }

  /** A config as read, and where from: the --config path, conf/dev.json, or {@link #BUILTIN_NAME}. */
  record Loaded(JsonObject json, String source) {
  }

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * The command line with its error handling: a refused or unreadable configuration is reported as one line on
   * stderr, without a stack trace, and exits with {@link #EXIT_CONFIG}; other failures keep picocli's report.
   */
  static CommandLine commandLine() {
    return commandLine(System.getenv());
  }

  /** {@link #commandLine()} with the environment the config overrides are read from. */
  static CommandLine commandLine(Map<String, String> env) {
    CommandLine cl = new CommandLine(new Main(env));
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof IllegalArgumentException || ex instanceof IOException) {
        cmd.getErr().println((cmd.getParent() == null ? "seedim: refusing to start: " : "seedim " + cmd.getCommandName()
          + ": refused: ") + oneLine(ex));
        cmd.getErr().flush();
        return EXIT_CONFIG;
      }
      throw ex;
    });
    return cl;
  }

  /** The message of a refused or unreadable config, on one line. */
  static String oneLine(Exception ex) {
    String what = ex instanceof NoSuchFileException ? "no such file: " + ex.getMessage() : ex.getMessage();
    return String.valueOf(what).replaceAll("\\R", " ");
  }

  @Override
  public Integer call() throws Exception {
    Loaded loaded = load(config);
    LOG.info("config: {}", loaded.source());
    ServerConfig cfg = check(loaded, env);
    Set<Role> roleSet = Role.parse(roles);
    if (cfg.dev()) {
      warnDev(cfg);
    }
    ImNode node = ImNode.start(cfg, roleSet).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("shutting down");
      try {
        node.stop().toCompletionStage().toCompletableFuture().get(STOP_TIMEOUT_S, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("shutdown did not complete cleanly: {}", e.toString());
      }
    }, "seedim-shutdown"));
    if (node.gateway() != null) {
      int port = node.gateway().actualPort();
      LOG.info("WebSocket: ws://{}:{}/ws   HTTP API: http://{}:{}/api/v1   health: http://{}:{}/health",
        cfg.host(), port, cfg.host(), port, cfg.host(), port);
      if (cfg.dev()) {
        LOG.info("demo page: http://{}:{}/   dev sign: http://{}:{}/dev/sign?userId=alice", cfg.host(), port, cfg.host(), port);
      }
    }
    return 0;
  }

  /**
   * Reads the config: {@code path}, else conf/dev.json when present (the working directory of scripts/dev.sh), else
   * the built-in dev config.
   */
  static Loaded load(Path path) throws IOException {
    Path p = path;
    if (p == null && Files.exists(Path.of(DEFAULT_CONFIG))) {
      p = Path.of(DEFAULT_CONFIG);
    }
    if (p != null) {
      String text = Files.readString(p, StandardCharsets.UTF_8);
      try {
        return new Loaded(new JsonObject(text), p.toString());
      } catch (DecodeException e) {
        throw new IllegalArgumentException("config " + p + " is not a JSON object: " + e.getMessage());
      } catch (ClassCastException e) {
        throw new IllegalArgumentException("config " + p + " is not a JSON object");
      }
    }
    try (InputStream in = Main.class.getClassLoader().getResourceAsStream(BUILTIN_CONFIG)) {
      return new Loaded(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)), BUILTIN_NAME);
    }
  }

  /**
   * The config as a node would run it, checked (every key known and valid, ConfigRules, the gateway's limits),
   * without starting anything; a refusal names the config's source.
   */
  static ServerConfig check(Loaded loaded, Map<String, String> env) {
    try {
      ServerConfig cfg = ServerConfig.fromJson(loaded.json(), env);
      GatewayLimits.of(cfg);
      return cfg;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("config " + loaded.source() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The checked config of a maintenance command ({@code migrate}, {@code purge}): a production one, since dev mode
   * keeps nothing on disk.
   */
  static ServerConfig production(Path config, String command) throws IOException {
    ServerConfig cfg = check(load(config), System.getenv());
    if (cfg.dev()) {
      throw new IllegalArgumentException("config " + config + ": " + command + " works on a production config (mode "
        + "\"prod\"): dev mode's stores are its own");
    }
    return cfg;
  }

  private static void warnDev(ServerConfig cfg) {
    devBanner(cfg).forEach(LOG::warn);
  }

  /**
   * The dev-mode warning. An app's secret is printed only when it is the public {@code dev-secret} (so the README's
   * quick start can sign); any other secret is a real one and stays out of the log.
   */
  static List<String> devBanner(ServerConfig cfg) {
    List<String> lines = new ArrayList<>();
    lines.add("==================================================================================");
    lines.add(" DEV MODE: every verticle in one process, IN-MEMORY stores. Nothing is durable.");
    lines.add(" Do not use in production: run with a prod config (mode: prod, MySQL, Redis).");
    for (AppConfig a : cfg.apps().all()) {
      lines.add(ServerConfig.DEV_SECRET.equals(a.secret())
        ? " app " + a.appId() + " secret: '" + ServerConfig.DEV_SECRET + "'  (the public dev secret!)"
        : " app " + a.appId() + ": (secret hidden)");
    }
    lines.add("==================================================================================");
    return lines;
  }
}
