package com.seedim.im.chat.store;

/** A stored chat message. {@code content} is what was stored (masked when the policy masked it). */
public record ChatMessage(String appId, long messageId, String sender, String receiver, String senderDevice,
                          String content, String contentType, long sendTime, boolean retracted, boolean delivered) {

  public ChatMessage withDelivered() {
    return new ChatMessage(appId, messageId, sender, receiver, senderDevice, content, contentType, sendTime, retracted, true);
  }

  public ChatMessage withRetracted() {
    return new ChatMessage(appId, messageId, sender, receiver, senderDevice, content, contentType, sendTime, true, true);
  }

  /** The other participant, seen from {@code userId} (who must be one of them). */
  public String peerOf(String userId) {
    return userId.equals(sender) ? receiver : sender;
  }

  public boolean involves(String userId) {
    return userId.equals(sender) || userId.equals(receiver);
  }
}
