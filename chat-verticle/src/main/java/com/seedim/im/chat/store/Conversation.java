package com.seedim.im.chat.store;

/**
 * One owner's view of a conversation with {@code peer}.
 *
 * @param readMessageId     the owner's read mark: every message from the peer up to it is read
 * @param peerReadMessageId the peer's read mark of messages the owner sent
 * @param messageCount      messages in the conversation (both directions, retracted included): the 162 {@code total}
 */
public record Conversation(String peer, long lastMessageId, long unreadCount, long readMessageId, long peerReadMessageId,
                           long messageCount, long updatedAt) {
}
