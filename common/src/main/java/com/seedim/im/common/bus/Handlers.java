package com.seedim.im.common.bus;

import com.seedim.im.common.bus.msg.BusMessage;
import com.seedim.im.common.bus.msg.BusMessages;
import com.seedim.im.common.bus.msg.FrameRequest;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adapts a service's frame handler {@code (ctx, frame) -> Future<ServiceReply>} to an event-bus consumer:
 * a {@link ProtocolException} (thrown or as the failed future) becomes {@code fail(code.busCode(), message)};
 * anything else is logged once here and answered {@code INTERNAL}.
 */
public final class Handlers {
  private static final Logger LOG = LoggerFactory.getLogger(Handlers.class);
  private static final java.util.Map<String, io.micrometer.core.instrument.Timer> TIMERS = new java.util.concurrent.ConcurrentHashMap<>();

  /** {@code im_handler_seconds{handler, outcome}}: latency of every service handler, by outcome (ok, or the error code). */
  private static io.micrometer.core.instrument.Timer timer(String handler, String outcome) {
    return TIMERS.computeIfAbsent(handler + '\n' + outcome, k -> io.micrometer.core.instrument.Timer.builder("im_handler")
      .description("service handler latency").tag("handler", handler).tag("outcome", outcome)
      .publishPercentileHistogram(false).register(com.seedim.im.common.infra.Metrics.registry()));
  }

  private static String outcome(Throwable cause) {
    if (cause == null) {
      return "ok";
    }
    if (cause instanceof ProtocolException pe) {
      return pe.code().name();
    }
    return "failed";
  }

  /** A handler of one client frame. */
  @FunctionalInterface
  public interface FrameHandler {
    Future<ServiceReply> handle(RequestContext ctx, JsonObject frame);
  }

  /** A handler of one internal {@link BusMessage} record whose reply is JSON, a record, or a Boolean. */
  @FunctionalInterface
  public interface MessageHandler<T extends BusMessage, R> {
    Future<R> handle(T message);
  }

  /** A handler of an internal request whose reply is any JSON object. */
  @FunctionalInterface
  public interface JsonHandler {
    Future<JsonObject> handle(JsonObject body);
  }

  private Handlers() {
  }

  /** A client frame ({@link FrameRequest}) answered by a {@link ServiceReply}, delivered uncopied in this JVM. */
  public static Handler<Message<Object>> frame(String name, FrameHandler h) {
    return msg -> {
      long start = System.nanoTime();
      Future<ServiceReply> f;
      RequestContext ctx = null;
      try {
        FrameRequest r = BusMessages.read(msg.body(), FrameRequest.class, FrameRequest::fromJson);
        ctx = r.ctx();
        f = h.handle(ctx, r.frame());
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      RequestContext c = ctx;
      f.onComplete(ar -> {
        timer(name, outcome(ar.cause())).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          fail(msg, name, c, ar.cause());
        }
      });
    };
  }

  /** An internal message record of type {@code type}; the reply is whatever the handler's future holds. */
  public static <T extends BusMessage, R> Handler<Message<Object>> message(String name, Class<T> type,
                                                                          java.util.function.Function<JsonObject, T> fromJson,
                                                                          MessageHandler<T, R> h) {
    return msg -> {
      long start = System.nanoTime();
      Future<R> f;
      try {
        f = h.handle(BusMessages.read(msg.body(), type, fromJson));
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        timer(name, outcome(ar.cause())).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          fail(msg, name, null, ar.cause());
        }
      });
    };
  }

  /** An internal request read as JSON (a record sent to it is read through its {@code toJson()}). */
  public static Handler<Message<Object>> json(String name, JsonHandler h) {
    return msg -> {
      long start = System.nanoTime();
      Future<JsonObject> f;
      try {
        f = h.handle(BusMessages.json(msg.body()));
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        timer(name, outcome(ar.cause())).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          fail(msg, name, null, ar.cause());
        }
      });
    };
  }

  private static void fail(Message<?> msg, String name, RequestContext ctx, Throwable cause) {
    if (cause instanceof ProtocolException pe) {
      msg.fail(pe.code().busCode(), pe.getMessage());
    } else if (cause instanceof ReplyException re && re.failureType() == io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE) {
      msg.fail(re.failureCode(), re.getMessage());
    } else if (cause instanceof ReplyException) {
      msg.fail(ErrorCode.UNAVAILABLE.busCode(), "a service did not answer in time");
    } else {
      String who = ctx == null ? "-" : ctx.appId() + "/" + ctx.userId() + "/" + ctx.deviceId();
      if (isStoreTimeout(cause)) {
        LOG.warn("{} for {}: store unavailable: {}", name, who, cause.toString());
        msg.fail(ErrorCode.UNAVAILABLE.busCode(), "a store did not answer in time; retry with the same unique");
      } else {
        LOG.error("{} for {} failed", name, who, cause);
        msg.fail(ErrorCode.INTERNAL.busCode(), "internal error");
      }
    }
  }

  /**
   * A store that did not answer, or whose connection broke under a request (a restart, a reset, a closed pool): the
   * outcome is unknown, so UNAVAILABLE ("retry with the same unique"), never INTERNAL.
   */
  static boolean isStoreTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String n = c.getClass().getSimpleName();
      String m = c.getMessage() == null ? "" : c.getMessage().toLowerCase(java.util.Locale.ROOT);
      if (c instanceof java.util.concurrent.TimeoutException || c instanceof java.io.IOException
        || c instanceof io.netty.channel.ChannelException
        || n.contains("Timeout") || n.contains("ConnectException") || n.contains("ClosedConnection")
        || n.contains("PoolTooBusy") || n.contains("NoStackTraceThrowable") && m.contains("closed")
        || c instanceof io.vertx.core.VertxException && (m.contains("connection") || m.contains("closed") || m.contains("reset"))
        || m.startsWith("loading ") || m.contains("redis client closed")) {
        return true;
      }
    }
    return false;
  }
}
