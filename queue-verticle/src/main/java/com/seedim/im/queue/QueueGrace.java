package com.seedim.im.queue;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.cs.store.DeadlineStore;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.Timer;
import io.vertx.core.Future;

/**
 * The grace of a waiter whose last device left: it stays in line but takes skip it, and a stored timer removes it
 * unless a device comes back first ({@code queueGraceSeconds}).
 */
final class QueueGrace {
  private final QueueStore queues;
  private final DeadlineStore deadlines;

  QueueGrace(QueueStore queues, DeadlineStore deadlines) {
    this.queues = queues;
    this.deadlines = deadlines;
  }

  /** A waiter found without a live device: skipped from now on, removed when the grace ends (a running grace goes on). */
  Future<Void> absent(String appId, String userId, AppConfig app) {
    return queues.markAbsent(appId, userId).compose(q -> {
      if (q == null) {
        return Future.succeededFuture();
      }
      String member = Timer.queueGrace(appId, userId).encode();
      return deadlines.dueAt(appId, RoomStore.QUEUE_DEADLINES, member).compose(due -> due != null ? Future.succeededFuture()
        : deadlines.schedule(appId, RoomStore.QUEUE_DEADLINES, member, System.currentTimeMillis() + app.queueGraceSeconds() * 1000L));
    });
  }

  /** The waiter is back (or gone for good): no grace runs for it any more. */
  Future<Void> cancel(String appId, String userId) {
    return deadlines.cancel(appId, RoomStore.QUEUE_DEADLINES, Timer.queueGrace(appId, userId).encode());
  }
}
