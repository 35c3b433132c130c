package com.seedim.im.common.bus;

import com.seedim.im.common.bus.msg.BusMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The reply a service sends to the gateway for one client frame:
 * <pre>{ "ack": {extra fields of the 30}, "reply": {frame}, "self": [{frame, reliable}], "noAck": bool }</pre>
 * The gateway writes, in order: the 30 (unless {@code noAck}), the reply (echoing {@code unique}/{@code mark}),
 * then each {@code self} push (fresh server {@code unique}). Failures are {@code Message.fail(ErrorCode.busCode(), text)}.
 */
public final class ServiceReply implements BusMessage {
  public static final String ACK = "ack";
  public static final String REPLY = "reply";
  public static final String SELF = "self";
  public static final String NO_ACK = "noAck";

  private final JsonObject json;

  private ServiceReply() {
    this(new JsonObject());
  }

  private ServiceReply(JsonObject json) {
    this.json = json;
  }

  /** A reply as it arrived from another node. */
  public static ServiceReply fromJson(JsonObject json) {
    return new ServiceReply(json);
  }


  /** A success: the gateway sends a 30. */
  public static ServiceReply ok() {
    return new ServiceReply();
  }

  /** A refusal answered by a reply frame and no 30 (132, 133): nothing changed, nothing recorded. */
  public static ServiceReply refused(JsonObject replyFrame) {
    ServiceReply r = new ServiceReply();
    r.json.put(NO_ACK, true).put(REPLY, replyFrame);
    return r;
  }

  /** Extra fields for the 30 (e.g. messageId and sendTime for 130). */
  public ServiceReply ack(JsonObject extra) {
    json.put(ACK, extra);
    return this;
  }

  /** The reply frame (102, 162, 180, 402, 431, 541, 551, ...). */
  public ServiceReply reply(JsonObject frame) {
    json.put(REPLY, frame);
    return this;
  }

  /** Pushes for the sending connection, collected by an {@link Outbox}. */
  public ServiceReply self(JsonArray pushes) {
    if (pushes != null && !pushes.isEmpty()) {
      json.put(SELF, pushes);
    }
    return this;
  }

  @Override
  public JsonObject toJson() {
    return json;
  }

  /** A self-push entry. */
  public static JsonObject push(JsonObject frame, boolean reliable) {
    return new JsonObject().put("frame", frame).put("reliable", reliable);
  }
}
