package com.seedim.im.gateway;

import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The client's acks of reliable pushes (PROTOCOL.md §4): a 31 names one push by its {@code unique}, a 141 names 140s
 * by {@code messageIds} (at most {@link #MAX_ACK_IDS}) or one {@code messageId}. Acks never get a reply, so a
 * malformed one is ignored. The result: the acked 140s this user received, for chat's delivered marks.
 */
final class Acks {
  static final int MAX_ACK_IDS = 200;

  private Acks() {
  }

  /** A 31: stops resending that push. */
  static List<Long> of31(Outbound out, JsonObject frame, String userId) {
    Object u = frame.getValue(Frames.UNIQUE);
    if (u == null) {
      return List.of();
    }
    Long delivered = out.ack(String.valueOf(u), userId);
    return delivered == null ? List.of() : List.of(delivered);
  }

  /** A 141: stops resending those 140s. */
  static List<Long> of141(Outbound out, JsonObject frame, String userId) {
    List<Long> ids;
    try {
      JsonArray arr = frame.getValue("messageIds") instanceof JsonArray a ? a : null;
      if (arr != null) {
        ids = Frames.messageIds(arr, "messageIds", MAX_ACK_IDS);
      } else {
        Long one = Frames.optMessageId(frame, "messageId");
        ids = one == null ? List.of() : List.of(one);
      }
    } catch (ProtocolException e) {
      return List.of();
    }
    return out.ackMessages(ids, userId);
  }
}
