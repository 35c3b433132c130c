package com.seedim.im.testkit.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Signals and clean-up shared by the private store servers the fault tests start. */
final class Processes {
  private Processes() {
  }

  /** {@code kill -SIG pid} (STOP, CONT). */
  static void signal(Process p, String sig) {
    try {
      int rc = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start().waitFor();
      if (rc != 0) {
        throw new IllegalStateException("kill -" + sig + " " + p.pid() + " exited " + rc);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops a process (continued first: a stopped process does not act on SIGTERM), forcibly after {@code graceS}. */
  static void stop(Process p, long graceS) {
    if (p == null || !p.isAlive()) {
      return;
    }
    signal(p, "CONT");
    p.destroy();
    try {
      if (!p.waitFor(graceS, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Deletes a directory tree, best effort. */
  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
