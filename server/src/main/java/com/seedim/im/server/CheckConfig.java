package com.seedim.im.server;

import com.seedim.im.common.config.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code seedim check-config --config FILE}: the checks a start runs on the config (every key known and valid, the
 * environment overrides, secrets and cluster trust, the gateway's limits), without starting anything or connecting to
 * a store. Prints {@code OK ...} (exit 0) or the one-line refusal a start would print (exit 78).
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
  description = "Check a config file (with the IM_* environment overrides) without starting anything: prints OK and "
    + "exits 0, or prints the one-line refusal and exits 78.")
final class CheckConfig implements Callable<Integer> {
  @ParentCommand
  Main parent;

  @Spec
  CommandSpec spec;

  @Option(names = {"-c", "--config"}, description = "JSON config file (default: as a start would: --config of seedim, "
    + "conf/dev.json if present, else the built-in dev config)")
  Path config;

  @Override
  public Integer call() {
    Path p = config != null ? config : parent.config;
    try {
      Main.Loaded loaded = Main.load(p);
      ServerConfig cfg = Main.check(loaded, parent.env);
      spec.commandLine().getOut().println("OK: config " + loaded.source() + " (mode " + (cfg.dev() ? "dev" : "prod")
        + ", " + cfg.apps().all().size() + (cfg.apps().all().size() == 1 ? " app" : " apps") + ")");
      spec.commandLine().getOut().flush();
      return 0;
    } catch (IllegalArgumentException | IOException e) {
      spec.commandLine().getErr().println("seedim: config refused: " + Main.oneLine(e));
      spec.commandLine().getErr().flush();
      return Main.EXIT_CONFIG;
    }
  }
}
