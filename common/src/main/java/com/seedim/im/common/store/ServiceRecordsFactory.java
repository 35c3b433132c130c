package com.seedim.im.common.store;

import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.store.memory.MemoryServiceRecords;
import com.seedim.im.common.store.mysql.MySqlServiceRecords;

/** The process-wide {@link ServiceRecords} of an {@link Infra}: MySQL when durable, memory otherwise. */
public final class ServiceRecordsFactory {
  private ServiceRecordsFactory() {
  }

  public static ServiceRecords of(Infra infra) {
    return infra.shared(ServiceRecords.class,
      () -> infra.durable() ? new MySqlServiceRecords(infra.mysql()) : new MemoryServiceRecords());
  }
}
