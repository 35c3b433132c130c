package com.seedim.im.common.infra;

import org.slf4j.MDC;

/**
 * Who a log line is about, as MDC keys ({@code app}, {@code user}, {@code device}, {@code connection}) for the
 * lines of one statement: {@code try (var m = LogContext.of(app, user, device, conn)) { LOG.info(..); }}. The JSON log
 * format writes them as fields; the text format keeps them in the message. Put and removed on the calling thread
 * (an event loop), so nothing leaks to the next event; a key that was already set is restored, not removed.
 */
public final class LogContext implements AutoCloseable {
  public static final String APP = "app";
  public static final String USER = "user";
  public static final String DEVICE = "device";
  public static final String CONNECTION = "connection";
  private static final String[] KEYS = {APP, USER, DEVICE, CONNECTION};

  private final String[] previous = new String[KEYS.length];

  private LogContext(String... values) {
    for (int i = 0; i < KEYS.length; i++) {
      previous[i] = MDC.get(KEYS[i]);
      if (values[i] != null) {
        MDC.put(KEYS[i], values[i]);
      }
    }
  }

  /** Sets the keys that are not null until {@link #close()}. */
  public static LogContext of(String app, String user, String device, String connection) {
    return new LogContext(app, user, device, connection);
  }

  @Override
  public void close() {
    for (int i = 0; i < KEYS.length; i++) {
      if (previous[i] == null) {
        MDC.remove(KEYS[i]);
      } else {
        MDC.put(KEYS[i], previous[i]);
      }
    }
  }
}
