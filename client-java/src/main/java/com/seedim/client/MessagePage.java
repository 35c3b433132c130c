package com.seedim.client;

import java.util.List;
import java.util.stream.Collectors;

/** A list of messages: a 162 history page (§6.7) or a 102 unread list (§6.6), oldest first. */
public final class MessagePage {
  private final Frame frame;
  private final List<ChatMessage> messages;

  MessagePage(Frame frame) {
    this.frame = frame;
    this.messages = java.util.Collections.unmodifiableList(frame.frames("messages").stream().map(ChatMessage::new).collect(Collectors.toList()));
  }

  public List<ChatMessage> messages() {
    return messages;
  }

  /** 162: messages in the conversation; 102: all unread messages (may exceed the list). */
  public long total() {
    return frame.number("total", 0);
  }

  /** 162 only: older messages exist (page back with the first message id as {@code beforeMessageId}). */
  public boolean hasMore() {
    return frame.bool("hasMore");
  }

  public int pageIndex() {
    return (int) frame.number("pageIndex", 0);
  }

  public int pageSize() {
    return (int) frame.number("pageSize", 0);
  }

  public Frame frame() {
    return frame;
  }

  @Override
  public String toString() {
    return frame.toString();
  }
}
