package com.seedim.im.cs;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.events.Events;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.cs.store.DeadlineStore;
import com.seedim.im.cs.store.LeftMessages;
import com.seedim.im.cs.store.MeteredServiceRecords;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.ServiceRecords;
import com.seedim.im.cs.store.memory.MemoryLeftMessages;
import com.seedim.im.cs.store.memory.MemoryRoomStore;
import com.seedim.im.cs.store.memory.MemoryServiceRecords;
import com.seedim.im.cs.store.mysql.MySqlLeftMessages;
import com.seedim.im.cs.store.mysql.MySqlServiceRecords;
import com.seedim.im.cs.store.redis.RedisRoomStore;

import java.util.List;

/**
 * The owner of the customer-service state (PROTOCOL.md §6): queues, rooms and their call state, the timers kept with
 * them, and the service records. The queue, room and signaling verticles reach that state only through here; chat
 * asks the room service about membership over the bus ({@code RoomMembership}).
 *
 * <p>One instance per process ({@link Infra#shared}): in dev mode the memory stores must be the same for every
 * verticle of the JVM (a take pops a waiter and opens its room in one step); in production the Redis stores and
 * the MySQL records run on the infra's clients. The stores hold no connection of their own: closing the infra
 * closes what they use, so nothing is registered with {@link Infra#onClose}.
 */
public final class CustomerService {
  private final RoomStore rooms;
  private final ServiceRecords records;
  private final LeftMessages leftMessages;
  private final List<String> appIds;

  private CustomerService(RoomStore rooms, ServiceRecords records, LeftMessages leftMessages, List<String> appIds) {
    this.rooms = rooms;
    this.records = records;
    this.leftMessages = leftMessages;
    this.appIds = appIds;
  }

  /**
   * The process's customer-service state: memory in dev mode, Redis (state) and MySQL (records, left messages) when
   * durable. The records report themselves as webhook events ({@link com.seedim.im.cs.store.ServiceEvents}) with the
   * process's recorder: in MySQL in the records' transactions, in memory to the process's memory outbox.
   */
  public static CustomerService of(Infra infra) {
    List<String> appIds = infra.config().apps().all().stream().map(AppConfig::appId).toList();
    // got before, not inside, the shared factory below (the process's shared map is not re-entrant)
    Events events = Events.of(infra);
    return infra.shared(CustomerService.class, () -> infra.durable()
      ? new CustomerService(new RedisRoomStore(infra.redis(), infra.redisPrefix()),
        new MeteredServiceRecords(new MySqlServiceRecords(infra.mysql(), events.recorder())),
        new MySqlLeftMessages(infra.mysql()), appIds)
      : new CustomerService(new MemoryRoomStore(),
        new MeteredServiceRecords(new MemoryServiceRecords(events.recorder(), events.store())),
        new MemoryLeftMessages(), appIds));
  }

  /** Rooms and their call state. */
  public RoomStore rooms() {
    return rooms;
  }

  /** The waiting lines, on the same backing store as the rooms (the atomic take). */
  public QueueStore queues() {
    return rooms.queues();
  }

  /** Timers kept with the state, swept by every node. */
  public DeadlineStore deadlines() {
    return rooms.deadlines();
  }

  /**
   * The configured apps, whose timers the sweepers walk (timers are kept per app: {@link DeadlineStore}). The
   * configuration is immutable after start.
   */
  public List<String> appIds() {
    return appIds;
  }

  /** Who waited how long, who served whom, how rooms and calls ended. */
  public ServiceRecords records() {
    return records;
  }

  /** Messages customers left to a queue (§14.4), until an agent takes them. */
  public LeftMessages leftMessages() {
    return leftMessages;
  }
}
