package com.seedim.im.chat.store;

/** One owner's conversation row in {@link MemoryChatStore} (mutable under the store's lock). */
final class MemoryConversation {
  long lastMessageId;
  long unreadCount;
  long readMessageId;
  long peerReadMessageId;
  long messageCount;
  long updatedAt;

  Conversation view(String peer) {
    return new Conversation(peer, lastMessageId, unreadCount, readMessageId, peerReadMessageId, messageCount, updatedAt);
  }
}
