package com.seedim.im.cs;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.QueueStore.RoomSpec;
import com.seedim.im.cs.store.QueueStore.Take;
import com.seedim.im.cs.store.QueueStore.TakeOutcome;
import com.seedim.im.cs.store.QueueStore.Waiter;
import com.seedim.im.cs.store.ServiceRecords;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opens rooms for the room and signaling tests without the queue service: the customer enters the default queue and
 * the agent takes it through the store (the same atomic take and records as a 401), so nobody gets the 402/551s.
 */
public final class Rooms {
  private Rooms() {
  }

  /** Returns the id of the new room of {@code agentId} and {@code customerId}. */
  public static String open(Infra infra, String appId, String agentId, String customerId) {
    CustomerService cs = CustomerService.of(infra);
    AppConfig app = infra.config().apps().require(appId);
    QueueStore queues = cs.queues();
    long now = System.currentTimeMillis();
    queues.enter(appId, AppConfig.DEFAULT_QUEUE, customerId, app.maxQueueLength(), now).await();
    Waiter w = new Waiter(AppConfig.DEFAULT_QUEUE, customerId, now);
    String roomId = Long.toString(infra.ids().next());
    RoomSpec spec = RoomSpec.of(appId, roomId, agentId, AppConfig.DEFAULT_QUEUE, now, now + app.roomIdleSeconds() * 1000L);
    Take t = queues.take(appId, agentId, app.maxRoomsPerAgent(), List.of(w), spec).await();
    assertThat(t.outcome()).as("take of %s by %s", customerId, agentId).isEqualTo(TakeOutcome.TAKEN);
    ServiceRecords records = cs.records();
    records.queueEntered(appId, AppConfig.DEFAULT_QUEUE, customerId, now, 1);
    records.queueEnded(appId, customerId, now, ServiceRecords.TAKEN, agentId, roomId);
    records.roomOpened(appId, roomId, AppConfig.DEFAULT_QUEUE, agentId, customerId, 0, now);
    return roomId;
  }
}
