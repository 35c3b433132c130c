package com.seedim.client;

/** The 30 answering a 130: the message is durably stored (§4.1). */
public final class SendResult {
  private final Frame frame;

  SendResult(Frame frame) {
    this.frame = frame;
  }

  public String messageId() {
    return frame.string("messageId");
  }

  public long sendTime() {
    return frame.number("sendTime", 0);
  }

  /** The stored text when the server masked sensitive words, else null (§6.2). */
  public String maskedMessage() {
    return frame.string("message");
  }

  /** The {@code unique} the 130 was sent with (retry with it to be safe, §4.3). */
  public String unique() {
    return frame.unique();
  }

  public Frame frame() {
    return frame;
  }

  @Override
  public String toString() {
    return frame.toString();
  }
}
