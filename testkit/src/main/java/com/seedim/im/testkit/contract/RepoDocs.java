package com.seedim.im.testkit.contract;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's {@code docs/} folder from a module's working directory (tests run in the module folder). */
public final class RepoDocs {
  private RepoDocs() {
  }

  /** {@code docs/<name>} of the repository that holds the current working directory. */
  public static Path file(String name) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("docs").resolve(name);
      if (Files.isRegularFile(candidate) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("docs/" + name + " not found above " + Path.of("").toAbsolutePath());
  }
}
