package com.seedim.im.gateway;

import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.NoticeCode;
import io.vertx.core.json.JsonObject;

import java.util.function.Consumer;

/**
 * The frames the gateway writes to one socket in answer to its frames, each echoing the frame's {@code unique} and
 * {@code mark}: the 30, a service's result in PROTOCOL.md §1 order (30 unless {@code noAck}, then the reply frame, then
 * the {@code self} pushes), the answers to 20 and 251, 10 errors; and its 99 notices. Every reply frame is shown to the socket's {@link SessionMemory}.
 */
final class Replies {
  private final Outbound out;
  private final SessionMemory memory;
  private final Consumer<ServerPush> push;

  Replies(Outbound out, SessionMemory memory, Consumer<ServerPush> push) {
    this.out = out;
    this.memory = memory;
    this.push = push;
  }

  /** A service's {@link ServiceReply} to a frame of type {@code type}. */
  void result(MsgType type, JsonObject frame, JsonObject result) {
    if (!result.getBoolean(ServiceReply.NO_ACK, false)) {
      ack(type, frame, result.getJsonObject(ServiceReply.ACK));
    }
    JsonObject reply = result.getJsonObject(ServiceReply.REPLY);
    if (reply != null) {
      memory.observe(reply);
      out.write(Frames.echo(reply.copy(), frame)); // the reply may be a record's JSON, shared in this JVM: never changed
    }
    if (type == MsgType.QUEUE_LEAVE) {
      memory.leftQueue();
    }
    ServerPush.selfOf(result).forEach(push);
  }

  /** The 21 answer to a 20 heartbeat, with the server's clock. */
  void heartbeat(JsonObject frame) {
    out.write(Frames.echo(Frames.frame(MsgType.HEARTBEAT_REPLY).put(Frames.TIMESTAMP, System.currentTimeMillis()), frame));
  }

  /** A 251 logout: the 30, then 252. */
  void loggedOut(JsonObject frame) {
    ack(MsgType.LOGOUT, frame, null);
    out.write(Frames.echo(Frames.frame(MsgType.LOGOUT_REPLY), frame));
  }

  /** The 30 for a frame, with a service's extra fields (or null). */
  void ack(MsgType type, JsonObject frame, JsonObject extra) {
    JsonObject ack = Frames.frame(MsgType.RECEIVED).put(Frames.RECEIVE_MSG_TYPE, type.code());
    if (extra != null) {
      ack.mergeIn(extra);
    }
    out.write(Frames.echo(ack, frame));
  }

  /** A 99 notice, with its server {@code unique} and, for a shutdown, {@code retryAfterMs} (or null). */
  void notice(NoticeCode code, String message, String unique, Long retryAfterMs) {
    JsonObject n = Frames.frame(MsgType.NOTICE).put(Frames.CODE, code.name()).put(Frames.MESSAGE, message)
      .put(Frames.UNIQUE, unique).put(Frames.TIMESTAMP, System.currentTimeMillis());
    if (retryAfterMs != null) {
      n.put("retryAfterMs", retryAfterMs);
    }
    out.write(n);
  }

  /** A 10 error for a frame (or for no frame, when it could not be read). */
  void error(ErrorCode code, String message, int receiveMsgType, JsonObject frame) {
    JsonObject err = Frames.error(code, message, receiveMsgType);
    if (frame != null) {
      Frames.echo(err, frame);
    }
    out.write(err);
  }
}
