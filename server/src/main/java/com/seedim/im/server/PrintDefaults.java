package com.seedim.im.server;

import com.seedim.im.common.config.ConfigKeys;
import com.seedim.im.common.config.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code seedim print-defaults [--mode dev|prod]}: a complete config with every key at its default ({@code null} where
 * the default is computed at start) and one example app whose secret is a placeholder that production refuses.
 */
@Command(name = "print-defaults", mixinStandardHelpOptions = true,
  description = "Print a complete config with every key at its default (null = computed at start) and one example app "
    + "with a placeholder secret (production refuses it: replace it, e.g. with openssl rand -hex 32).")
final class PrintDefaults implements Callable<Integer> {
  /** The example app's secret: a known placeholder, refused outside dev mode. */
  static final String PLACEHOLDER_SECRET = "replace-with-32-or-more-random-bytes-of-secret";

  @Spec
  CommandSpec spec;

  @Option(names = "--mode", defaultValue = "dev", description = "dev (default) or prod: the mode and its defaults")
  String mode;

  @Override
  public Integer call() {
    if (!ServerConfig.MODE_DEV.equals(mode) && !ServerConfig.MODE_PROD.equals(mode)) {
      spec.commandLine().getErr().println("seedim: print-defaults --mode must be dev or prod, not " + mode);
      return 2;
    }
    spec.commandLine().getOut().println(ConfigKeys.defaults(ServerConfig.MODE_DEV.equals(mode), ServerConfig.DEV_APP_ID,
      PLACEHOLDER_SECRET).encodePrettily());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
