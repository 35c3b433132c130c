package com.seedim.client;

/** A chat permission for one receiver (§6.2, §11.3): {@code receiveSign} and its issue time (epoch ms). */
public final class ChatSign {
  private final String receiveSign;
  private final long timestamp;

  public ChatSign(String receiveSign, long timestamp) {
    this.receiveSign = receiveSign;
    this.timestamp = timestamp;
  }

  public String receiveSign() {
    return receiveSign;
  }

  public long timestamp() {
    return timestamp;
  }
}
