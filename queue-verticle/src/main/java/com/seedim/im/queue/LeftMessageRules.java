package com.seedim.im.queue;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.security.Signatures;
import com.seedim.im.cs.store.LeftMessages;
import com.seedim.im.cs.store.LeftMessages.LeftMessage;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** The rules of PROTOCOL.md §14.4 (630 leave a message, 640 take one) that need no I/O, and their reply frames. */
final class LeftMessageRules {
  private LeftMessageRules() {
  }

  /** 630 is for customers only. */
  static void requireCustomer(RequestContext ctx) {
    if (!ctx.isUser()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only customers (role user) leave messages");
    }
  }

  /** The 630 {@code message}: a string of 1 to {@link LeftMessages#MAX_CHARS} characters. */
  static String message(JsonObject frame) {
    return Frames.reqText(frame, Frames.MESSAGE, LeftMessages.MAX_CHARS, "a left message");
  }


  /** The queue of a 630: the one named, else the one the caller waits in, else {@code default}; it must exist. */
  static String queueOf630(AppConfig app, String asked, String waitingIn) {
    String queueId = asked != null ? asked : waitingIn != null ? waitingIn : AppConfig.DEFAULT_QUEUE;
    QueueRules.requireKnown(app, queueId);
    return queueId;
  }

  /** 640: an agent; a named queue must exist and be served by it. */
  static void checkTake(AppConfig app, RequestContext ctx, String queueId) {
    if (!ctx.isAgent()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only agents take left messages");
    }
    if (queueId != null) {
      QueueRules.requireKnown(app, queueId);
      if (!QueueRules.serves(app, ctx.userId(), queueId)) {
        throw new ProtocolException(ErrorCode.FORBIDDEN, "agent does not serve queue '" + queueId + "'");
      }
    }
  }

  /**
   * The claim token of a 640: the same for a repeat of the frame (same agent, device and {@code unique}), so a repeat
   * finds the message its first attempt took even when that attempt's answer was lost; random without a unique.
   */
  static String claimToken(RequestContext ctx, String unique) {
    if (unique == null) {
      return UUID.randomUUID().toString();
    }
    return Signatures.sha256Hex(ctx.appId() + '|' + ctx.userId() + '|' + ctx.deviceId() + '|' + unique);
  }

  /** How long taking a message grants chat and record access (§14.4 {@code leftMessageReplyDays}). */
  static long grantMs(AppConfig app) {
    return TimeUnit.DAYS.toMillis(app.leftMessageReplyDays());
  }

  static JsonObject left(String messageId, String queueId) {
    return Frames.frame(MsgType.LEAVE_MESSAGE_REPLY).put("messageId", messageId).put("queueId", queueId);
  }

  static JsonObject taken(LeftMessage m) {
    return Frames.frame(MsgType.MESSAGE_TAKEN).put("messageId", m.messageId()).put("queueId", m.queueId())
      .put("userId", m.userId()).put(Frames.MESSAGE, m.message()).put("createdAt", m.createdAt());
  }
}
