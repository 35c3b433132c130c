package com.seedim.im.server;

import com.seedim.im.common.config.ConfigDoc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code seedim print-config-doc}: docs/configuration.md as generated from the config keys of this version. */
@Command(name = "print-config-doc", mixinStandardHelpOptions = true,
  description = "Print the configuration reference (docs/configuration.md) of this version: every key, type, default, "
    + "allowed values, environment override and meaning.")
final class PrintConfigDoc implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(ConfigDoc.markdown());
    spec.commandLine().getOut().flush();
    return 0;
  }
}
