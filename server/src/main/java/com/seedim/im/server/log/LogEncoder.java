package com.seedim.im.server.log;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The encoder of {@code logback.xml}: {@code text} (a pattern, dates in ISO-8601 with zone) or {@code json} (one JSON
 * object per line), chosen by {@code IM_LOG_FORMAT} (environment variable or system property) without logback
 * conditions. A value other than text or json logs text and says so once (logback status error on stderr).
 *
 * <p>JSON fields: {@code timestamp} (ISO-8601 with offset, milliseconds), {@code level}, {@code logger}, {@code thread},
 * {@code node}, {@code message}, then every MDC key as a field of its own ({@code app}, {@code user}, {@code device},
 * {@code connection} on connection lines, see {@code LogContext}), and {@code exception} (the stack trace) when the line
 * has one. Logback's own {@code JsonEncoder} writes the time as epoch milliseconds and nests MDC keys under {@code mdc}
 * and the node under the context, hence this small encoder (Jackson, already on the class path, does the escaping).
 */
public final class LogEncoder extends EncoderBase<ILoggingEvent> {
  public static final String TEXT = "text";
  public static final String JSON = "json";
  private static final Set<String> RESERVED = Set.of("timestamp", "level", "logger", "thread", "node", "message", "exception");
  private static final JsonFactory FACTORY = new JsonFactory();

  private String format = TEXT;
  private String pattern = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";
  private String node = "local";
  private ZoneId zone = ZoneId.systemDefault();
  private DateTimeFormatter time;
  private PatternLayoutEncoder text;
  private boolean json;

  /** {@code text} or {@code json} (case-insensitive). */
  public void setFormat(String format) {
    this.format = format;
  }

  /** The text format's logback pattern. */
  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  /** The {@code node} field of JSON lines. */
  public void setNode(String node) {
    this.node = node;
  }

  /** The zone of JSON timestamps (default: the system's). */
  public void setZone(String zone) {
    this.zone = ZoneId.of(zone);
  }

  public boolean isJson() {
    return json;
  }

  @Override
  public void start() {
    String f = format == null ? TEXT : format.trim().toLowerCase(Locale.ROOT);
    json = JSON.equals(f);
    if (!json && !TEXT.equals(f)) {
      addError("IM_LOG_FORMAT='" + format + "' is neither 'text' nor 'json': logging text");
    }
    if (json) {
      time = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(zone);
    } else {
      text = new PatternLayoutEncoder();
      text.setContext(getContext());
      text.setPattern(pattern);
      text.setCharset(StandardCharsets.UTF_8);
      text.start();
    }
    super.start();
  }

  @Override
  public void stop() {
    if (text != null) {
      text.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return json ? null : text.headerBytes();
  }

  @Override
  public byte[] footerBytes() {
    return json ? null : text.footerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent e) {
    return json ? jsonLine(e) : text.encode(e);
  }

  private byte[] jsonLine(ILoggingEvent e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("timestamp", time.format(Instant.ofEpochMilli(e.getTimeStamp())));
      g.writeStringField("level", e.getLevel().toString());
      g.writeStringField("logger", e.getLoggerName());
      g.writeStringField("thread", e.getThreadName());
      g.writeStringField("node", node);
      g.writeStringField("message", e.getFormattedMessage());
      Map<String, String> mdc = e.getMDCPropertyMap();
      if (mdc != null) {
        for (Map.Entry<String, String> m : mdc.entrySet()) {
          if (!RESERVED.contains(m.getKey())) {
            g.writeStringField(m.getKey(), m.getValue());
          }
        }
      }
      IThrowableProxy t = e.getThrowableProxy();
      if (t != null) {
        g.writeStringField("exception", ThrowableProxyUtil.asString(t));
      }
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    out.write('\n');
    return out.toByteArray();
  }
}
