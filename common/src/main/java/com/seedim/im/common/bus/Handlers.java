package com.seedim.im.common.bus;

import com.seedim.im.common.bus.msg.BusMessage;
import com.seedim.im.common.bus.msg.BusMessages;
import com.seedim.im.common.bus.msg.FrameRequest;
import com.seedim.im.common.infra.Metrics;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Adapts a service's handler to an event-bus consumer: the reply is the handler's future; a {@link ProtocolException}
 * (thrown or as the failed future) becomes {@code fail(code.busCode(), message)}; a store that did not answer becomes
 * {@code UNAVAILABLE}; anything else is logged once here and answered {@code INTERNAL}.
 *
 * <p>Naming rule: a handler's {@code name} is the address it consumes ({@code MsgType.address()} for a frame, the
 * {@link Addresses} constant otherwise). It is the {@code handler} tag of {@code im_handler_seconds} and the subject of
 * the failure log lines, so a metric or a log line leads straight to its consumer.
 */
public final class Handlers {
  private static final Logger LOG = LoggerFactory.getLogger(Handlers.class);
  private static final Map<String, Timer> TIMERS = new ConcurrentHashMap<>();

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

  private Handlers() {
  }

  /** A client frame ({@link FrameRequest}) answered by a {@link ServiceReply}, delivered uncopied in this JVM. */
  public static Handler<Message<Object>> frame(String name, FrameHandler h) {
    return adapt(name, body -> BusMessages.read(body, FrameRequest.class, FrameRequest::fromJson), FrameRequest::ctx,
      r -> h.handle(r.ctx(), r.frame()));
  }

  /** An internal message record of type {@code type}; the reply is whatever the handler's future holds. */
  public static <T extends BusMessage, R> Handler<Message<Object>> message(String name, Class<T> type,
                                                                          Function<JsonObject, T> fromJson,
                                                                          MessageHandler<T, R> h) {
    return adapt(name, body -> BusMessages.read(body, type, fromJson), m -> null, h::handle);
  }

  /**
   * The one adapter behind the two above: reads the body, runs the handler (a throw is a failed future), records
   * its latency by outcome and replies or fails the message.
   *
   * @param who the client a request came from, for the failure log (null when it is not a client's request)
   */
  private static <B, R> Handler<Message<Object>> adapt(String name, Function<Object, B> read,
                                                       Function<B, RequestContext> who, Function<B, Future<R>> h) {
    return msg -> {
      long start = System.nanoTime();
      RequestContext ctx = null;
      Future<R> f;
      try {
        B in = read.apply(msg.body());
        ctx = who.apply(in);
        f = h.apply(in);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      RequestContext sender = ctx;
      f.onComplete(ar -> {
        timer(name, outcome(ar.cause())).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        if (ar.succeeded()) {
          msg.reply(ar.result());
        } else {
          fail(msg, name, sender, ar.cause());
        }
      });
    };
  }

  /**
   * {@code im_handler_seconds{handler, outcome}}: latency of every service handler, by outcome (ok, or the error code),
   * with histogram buckets ({@code im_handler_seconds_bucket{le}}) for cluster-wide quantiles.
   */
  private static Timer timer(String handler, String outcome) {
    return TIMERS.computeIfAbsent(handler + '\n' + outcome, k -> Metrics.latencyTimer("im_handler")
      .description("service handler latency").tag("handler", handler).tag("outcome", outcome).register(Metrics.registry()));
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

  private static void fail(Message<?> msg, String name, RequestContext ctx, Throwable cause) {
    if (cause instanceof ProtocolException pe) {
      msg.fail(pe.code().busCode(), pe.getMessage());
    } else if (cause instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
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
   * outcome is unknown, so UNAVAILABLE ("retry with the same unique"), never INTERNAL. Some of the clients' exceptions
   * are internal classes ({@code io.vertx.core.impl.NoStackTraceTimeoutException},
   * {@code io.vertx.redis.client.impl.RedisConnectException}), so they are matched by simple name, not by type.
   */
  static boolean isStoreTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String n = c.getClass().getSimpleName();
      String m = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
      if (c instanceof TimeoutException || c instanceof IOException || c instanceof ChannelException
        || n.contains("Timeout") || n.contains("ConnectException") || n.contains("ClosedConnection")
        || n.contains("PoolTooBusy") || n.contains("NoStackTraceThrowable") && m.contains("closed")
        || c instanceof VertxException && (m.contains("connection") || m.contains("closed") || m.contains("reset"))
        || m.startsWith("loading ") || m.contains("redis client closed")
        // the Redis client's reply to commands pending on a lane it dropped as stuck (an ErrorType, not an exception)
        || "ErrorType".equals(n) && m.startsWith("connection_closed")) {
        return true;
      }
    }
    return false;
  }
}
