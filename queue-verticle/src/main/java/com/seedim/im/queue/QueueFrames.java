package com.seedim.im.queue;

import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.cs.store.QueueStore.Waiter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The queue frames of PROTOCOL.md §6 built from the store's waiters: 410 positions and 431 queue information. */
final class QueueFrames {
  private QueueFrames() {
  }

  /** A 410; {@code estimatedWaitSeconds} only when the queue's pace is known ({@link WaitEstimates}). */
  static JsonObject position(String queueId, int index, int total, Long estimatedWaitSeconds) {
    JsonObject f = Frames.frame(MsgType.QUEUE_POSITION).put("queueId", queueId).put("waitIndex", index).put("waitTotal", total);
    if (estimatedWaitSeconds != null) {
      f.put("estimatedWaitSeconds", estimatedWaitSeconds);
    }
    return f;
  }

  /**
   * The 431 with §14.1 {@code agentsAvailable}; {@code full} adds who waits and for how long, and the §14.4
   * {@code messagesWaiting} (agents serving the queue, admins).
   */
  static JsonObject info(String queueId, int index, List<Waiter> line, boolean full, int agentsAvailable,
    int messagesWaiting) {
    JsonObject f = Frames.frame(MsgType.QUEUE_INFO_REPLY).put("queueId", queueId).put("waitIndex", index)
      .put("waitTotal", line.size());
    if (full) {
      f.put("waiting", waiting(line)).put("userIdList", userIds(line)).put("messagesWaiting", messagesWaiting);
    }
    return f.put("agentsAvailable", agentsAvailable);
  }

  /** The 431 that tells a customer its place is gone and it should enter again (§7.1, §7.6). */
  static JsonObject lost(String queueId) {
    return Frames.frame(MsgType.QUEUE_INFO_REPLY).put("queueId", queueId).put("waitIndex", -1).put("waitTotal", 0);
  }

  /** The §14.3 push to a customer removed after its queue's maxWaitSeconds. */
  static JsonObject timeout(String queueId, long waitSeconds) {
    return Frames.frame(MsgType.QUEUE_TIMEOUT).put("queueId", queueId).put("waitSeconds", waitSeconds);
  }

  static JsonArray waiting(List<Waiter> line) {
    long now = System.currentTimeMillis();
    JsonArray a = new JsonArray();
    for (Waiter w : line) {
      a.add(new JsonObject().put("userId", w.userId()).put("waitSeconds", Math.max(0, (now - w.enteredAt()) / 1000)));
    }
    return a;
  }

  static JsonArray userIds(List<Waiter> line) {
    JsonArray a = new JsonArray();
    line.forEach(w -> a.add(w.userId()));
    return a;
  }
}
