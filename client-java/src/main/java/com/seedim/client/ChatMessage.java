package com.seedim.client;

/**
 * A chat message (§6 "message item"): a 140 push, a 1170 head, or an item of a 102 / 162 list.
 * {@code retracted}, {@code delivered} and {@code read} are only set in lists and heads.
 */
public final class ChatMessage {
  private final Frame frame;

  ChatMessage(Frame frame) {
    this.frame = frame;
  }

  public static ChatMessage of(Frame frame) {
    return new ChatMessage(frame);
  }

  public String messageId() {
    return frame.string("messageId");
  }

  /** The sender. */
  public String userId() {
    return frame.string("userId");
  }

  public String receiveUserId() {
    return frame.string("receiveUserId");
  }

  /** The content ("" when retracted). */
  public String message() {
    return frame.string("message");
  }

  public String contentType() {
    String c = frame.string("contentType");
    return c == null ? "text" : c;
  }

  /** When the server stored it, epoch ms (show this, not the frame's {@code timestamp}). */
  public long sendTime() {
    return frame.number("sendTime", 0);
  }

  public boolean retracted() {
    return frame.bool("retracted");
  }

  public boolean delivered() {
    return frame.bool("delivered");
  }

  public boolean read() {
    return frame.bool("read");
  }

  /** The frame or item as received. */
  public Frame frame() {
    return frame;
  }

  @Override
  public String toString() {
    return frame.toString();
  }
}
