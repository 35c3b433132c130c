package com.seedim.im.server.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.status.Status;
import com.seedim.im.common.infra.LogContext;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("LogEncoder: text with ISO dates, JSON lines with MDC fields, unknown formats fall back to text")
class LogEncoderTest {
  private final LoggerContext context = new LoggerContext();
  private final Logger logger = context.getLogger("com.seedim.im.gateway.Connection");

  LogEncoderTest() {
    context.setMDCAdapter(MDC.getMDCAdapter()); // the one SLF4J's MDC writes to
  }

  private LogEncoder encoder(String format) {
    LogEncoder e = new LogEncoder();
    e.setContext(context);
    e.setFormat(format);
    e.setNode("n1");
    e.setZone("+08:00");
    e.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} node=n1 - %msg%n");
    e.start();
    return e;
  }

  private LoggingEvent event(String message, Object... args) {
    LoggingEvent ev = new LoggingEvent(Logger.class.getName(), logger, Level.WARN, message, null, args);
    ev.setTimeStamp(1_780_000_000_123L);
    return ev;
  }

  @Test
  @DisplayName("text: the line starts with an ISO-8601 date and zone")
  void textHasDates() {
    String line = new String(encoder("text").encode(event("closing {}", "a/b/c")), StandardCharsets.UTF_8);
    assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) WARN  \\[.*\\] .* node=n1 - closing a/b/c\\n");
  }

  @Test
  @DisplayName("json: one object per line, timestamp in the configured zone, MDC keys as fields, quotes escaped")
  void jsonFields() {
    LogEncoder e = encoder("JSON");
    assertThat(e.isJson()).isTrue();
    String line;
    try (LogContext m = LogContext.of("app1", "u\"1", "web", "c-1")) {
      line = new String(e.encode(event("closing {}: {}", "x", "REPLACED")), StandardCharsets.UTF_8);
    }
    assertThat(MDC.get(LogContext.USER)).as("removed after the statement").isNull();
    assertThat(line).endsWith("}\n").doesNotContain("\n{");
    JsonObject j = new JsonObject(line);
    assertThat(j.getString("timestamp")).isEqualTo("2026-05-29T04:26:40.123+08:00");
    assertThat(j.getString("level")).isEqualTo("WARN");
    assertThat(j.getString("logger")).isEqualTo("com.seedim.im.gateway.Connection");
    assertThat(j.getString("thread")).isNotBlank();
    assertThat(j.getString("node")).isEqualTo("n1");
    assertThat(j.getString("message")).isEqualTo("closing x: REPLACED");
    assertThat(j.getString("app")).isEqualTo("app1");
    assertThat(j.getString("user")).isEqualTo("u\"1");
    assertThat(j.getString("device")).isEqualTo("web");
    assertThat(j.getString("connection")).isEqualTo("c-1");
  }

  @Test
  @DisplayName("json: an exception is one field holding the stack trace")
  void jsonException() {
    LoggingEvent ev = new LoggingEvent(Logger.class.getName(), logger, Level.ERROR, "failed", new IllegalStateException("boom"), null);
    JsonObject j = new JsonObject(new String(encoder("json").encode(ev), StandardCharsets.UTF_8));
    assertThat(j.getString("exception")).contains("IllegalStateException: boom").contains("\tat ");
  }

  @Test
  @DisplayName("a format other than text or json logs text and reports an error status")
  void unknownFormat() {
    LogEncoder e = encoder("yaml");
    assertThat(e.isJson()).isFalse();
    assertThat(context.getStatusManager().getCopyOfStatusList()).anyMatch(s -> s.getLevel() == Status.ERROR
      && s.getMessage().contains("IM_LOG_FORMAT='yaml'"));
    assertThat(new String(e.encode(event("hello")), StandardCharsets.UTF_8)).contains(" - hello");
  }
}
