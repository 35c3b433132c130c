package com.seedim.im.chat.store;

import org.junit.jupiter.api.DisplayName;

@DisplayName("ChatStore contract: memory")
class MemoryChatStoreTest extends ChatStoreContract {
  private final MemoryChatStore store = new MemoryChatStore();

  @Override
  protected ChatStore store() {
    return store;
  }

  @Override
  protected Watermark watermark(String app, String receiver) {
    return store.watermark(app, receiver);
  }
}
