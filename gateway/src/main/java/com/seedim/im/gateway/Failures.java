package com.seedim.im.gateway;

import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.concurrent.TimeoutException;

/** How a failed request is told to a client (PROTOCOL.md §3): a timeout, a missing service or a store failure is UNAVAILABLE. */
final class Failures {
  private Failures() {
  }

  static ErrorCode codeOf(Throwable err) {
    if (err instanceof ProtocolException pe) {
      return pe.code();
    }
    if (err instanceof ReplyException re) {
      return switch (re.failureType()) {
        case TIMEOUT, NO_HANDLERS, ERROR -> ErrorCode.UNAVAILABLE;
        case RECIPIENT_FAILURE -> ErrorCode.fromBusCode(re.failureCode());
      };
    }
    return ErrorCode.UNAVAILABLE;
  }

  static String messageOf(Throwable err, ErrorCode code) {
    if (code == ErrorCode.UNAVAILABLE && !(err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE)
      && !(err instanceof ProtocolException)) {
      return "service unavailable; retry with the same unique";
    }
    return err.getMessage() == null ? code.name() : err.getMessage();
  }

  /** Whether the outcome of a request is unknown (it may still complete): the bus timed out. */
  static boolean outcomeUnknown(Throwable err) {
    return err instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT
      || err instanceof TimeoutException;
  }
}
