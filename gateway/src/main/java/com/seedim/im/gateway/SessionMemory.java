package com.seedim.im.gateway;

import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * What a socket was last told of its customer-service state: the queue it waits in (410, a 431 reply) and the room it
 * is in (402, 551; cleared by 560). Kept from the frames written to it, so that when Redis loses that state the
 * gateway can tell the socket (PROTOCOL.md §6: 431 {@code waitIndex: -1}, 560 {@code reason: "lost"}).
 */
final class SessionMemory {
  private String waitingQueue;
  private String roomId;

  /** A frame written to the socket. */
  void observe(JsonObject f) {
    if (!(f.getValue(Frames.MSG_TYPE) instanceof Integer t)) {
      return;
    }
    if (t == MsgType.QUEUE_POSITION.code()) {
      waitingQueue = f.getString("queueId");
    } else if (t == MsgType.QUEUE_INFO_REPLY.code()) {
      if (f.getValue("waitIndex") instanceof Number n) {
        waitingQueue = n.intValue() > 0 ? f.getString("queueId") : null;
      }
    } else if (t == MsgType.QUEUE_TAKEN.code() || t == MsgType.ROOM_INFO_REPLY.code()) {
      waitingQueue = null;
      String room = f.getString("roomId");
      roomId = room != null ? room : roomId;
    } else if (t == MsgType.ROOM_DISBANDED.code() && String.valueOf(f.getValue("roomId")).equals(roomId)) {
      roomId = null;
    }
  }

  /** The socket's 420 was answered: it waits nowhere. */
  void leftQueue() {
    waitingQueue = null;
  }

  boolean waiting() {
    return waitingQueue != null;
  }

  boolean inRoom() {
    return roomId != null;
  }

  /** The store lost queue places and rooms: the pushes that tell this socket, and the memory is cleared. */
  List<ServerPush> lost(long now) {
    List<ServerPush> out = new ArrayList<>(2);
    if (waitingQueue != null) {
      out.add(new ServerPush(Frames.frame(MsgType.QUEUE_INFO_REPLY).put("queueId", waitingQueue).put("waitIndex", -1)
        .put("waitTotal", 0).put(Frames.TIMESTAMP, now), false));
      waitingQueue = null;
    }
    if (roomId != null) {
      out.add(new ServerPush(Frames.frame(MsgType.ROOM_DISBANDED).put("roomId", roomId).put("reason", "lost")
        .put(Frames.TIMESTAMP, now), true));
      roomId = null;
    }
    return out;
  }
}
