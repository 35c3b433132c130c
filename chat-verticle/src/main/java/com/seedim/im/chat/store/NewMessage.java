package com.seedim.im.chat.store;

import com.seedim.im.common.security.Signatures;

/**
 * A message to store.
 *
 * @param unique     the client's {@code unique} (null: no deduplication)
 * @param dedupeHash hash of what the client asked for (receiver, content type, content as sent), see {@link #hash}
 */
public record NewMessage(String appId, long messageId, String sender, String receiver, String senderDevice, String unique,
                         String dedupeHash, String content, String contentType, long sendTime) {

  /** Hash of the request fields that make a repeat with the same {@code unique} the same message (§4). */
  public static String hash(String receiver, String contentType, String requestedContent) {
    return Signatures.sha256Hex(receiver + "\n" + contentType + "\n" + requestedContent);
  }

  public ChatMessage toMessage() {
    return new ChatMessage(appId, messageId, sender, receiver, senderDevice, content, contentType, sendTime, false, false);
  }
}
