package com.seedim.im.gateway;

import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.proto.StrictJson;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * Decode and validate, the first two steps of a frame's way through the gateway: from the text of one WebSocket
 * message to a checked frame, or to the one error it is answered with (PROTOCOL.md §3). Parsed once, strictly
 * ({@link StrictJson}): the rate limit, the abuse meter and the dispatch all see this object. No I/O, no state.
 */
final class FrameDecoder {
  /** A frame that passed: its type, the parsed object and its {@code unique} (null for acks and frames without one). */
  record Decoded(MsgType type, JsonObject frame, String unique) {
  }

  /** A frame refused with one 10 error: the code, a message, the msgType to echo (0 if unknown) and the frame (or null). */
  static final class Refused extends RuntimeException {
    final ErrorCode code;
    final int receiveMsgType;
    final transient JsonObject frame;

    Refused(ErrorCode code, String message, int receiveMsgType, JsonObject frame) {
      super(message, null, false, false);
      this.code = code;
      this.receiveMsgType = receiveMsgType;
      this.frame = frame;
    }
  }

  private FrameDecoder() {
  }

  /** A binary message: refused (§1: JSON text frames only). */
  static Refused binary() {
    return new Refused(ErrorCode.INVALID_JSON, "binary frames are not accepted; send JSON text frames", 0, null);
  }

  /**
   * Decodes one text message.
   *
   * @throws Refused with the error to answer
   */
  static Decoded decode(String text, int maxFrameBytes) {
    if (text.length() > maxFrameBytes
      || (text.length() * 3L > maxFrameBytes && text.getBytes(StandardCharsets.UTF_8).length > maxFrameBytes)) {
      throw new Refused(ErrorCode.TOO_LARGE, "frame larger than " + maxFrameBytes + " bytes", 0, null);
    }
    JsonObject frame;
    try {
      frame = StrictJson.parseObject(text);
    } catch (ProtocolException e) {
      throw new Refused(e.code(), e.getMessage(), 0, null);
    }
    int code;
    try {
      code = Frames.msgType(frame);
    } catch (ProtocolException e) {
      throw new Refused(e.code(), e.getMessage(), 0, frame);
    }
    MsgType type = MsgType.of(code);
    if (type == MsgType.ACK || type == MsgType.PUSH_ACK) {
      return new Decoded(type, frame, null); // acks never get a reply, even when malformed (§3)
    }
    if (type == null || !type.fromClient()) {
      throw new Refused(ErrorCode.UNKNOWN_MSG_TYPE, "unknown msgType " + code, code, frame);
    }
    try {
      return new Decoded(type, frame, Frames.unique(frame));
    } catch (ProtocolException e) {
      throw new Refused(e.code(), e.getMessage(), code, frame);
    }
  }
}
