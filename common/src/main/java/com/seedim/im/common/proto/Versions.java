package com.seedim.im.common.proto;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What a client or an operator can ask the server about its version: the product version (this build's Maven
 * version) and the protocol version it speaks (docs/protocol.md §13). Both are in {@code /health} (gateway port and
 * management port) and in headers of the WebSocket upgrade response, so a client can log what it talked to.
 */
public final class Versions {
  /** The wire protocol this server speaks (docs/protocol.md). */
  public static final String PROTOCOL = "2.0";
  /** Upgrade response header with {@link #PROTOCOL}. */
  public static final String PROTOCOL_HEADER = "X-SeedIM-Protocol";
  /** Upgrade response header with {@link #PRODUCT}. */
  public static final String VERSION_HEADER = "X-SeedIM-Version";
  /** The product version of this build ({@code seedim-version.properties}, filled in by Maven). */
  public static final String PRODUCT = load();

  private Versions() {
  }

  private static String load() {
    try (InputStream in = Versions.class.getResourceAsStream("/seedim-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
