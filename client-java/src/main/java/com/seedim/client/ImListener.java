package com.seedim.client;

/**
 * Events of an {@link ImClient}. Every method has an empty default; override what you need. All of them are
 * called on the client's own thread ({@code seedim-client-N}), one at a time, in arrival order: do not block in
 * them (no {@code join()} on a request of the same client: its answer is delivered on this very thread).
 * Pushes are already acknowledged and de-duplicated when they get here.
 */
public interface ImListener {

  /** The connection state changed. */
  default void onState(ImClient.State state, ImClient.State previous) {
  }

  /** A socket opened (first connect or a reconnect); the connect sequence (1170, 140, 551, 410) follows. */
  default void onOpen() {
  }

  /**
   * A socket closed. {@code willReconnect} tells whether the client will try again after {@code delayMs}
   * (otherwise the client is now {@link ImClient.State#CLOSED}).
   */
  default void onClose(int code, String reason, boolean willReconnect, long delayMs) {
  }

  /** The server refused the upgrade (§2.4); the client retries unless the refusal is final (400, 403). */
  default void onRefused(HandshakeRefusedException refusal) {
  }

  /**
   * 99 REPLACED / KICKED or close 4001: another connection took this device's place, or the business server
   * kicked the user. The client does not reconnect (only a user action should). {@code notice} is null when
   * only the close code was seen.
   */
  default void onKicked(Frame notice) {
  }

  /** 140: a new message (to this user, or sent by this user on another device). */
  default void onMessage(ChatMessage message) {
  }

  /** 131: a message this user sent was delivered ({@code messageId}, {@code receiveUserId}). */
  default void onDelivered(Frame delivered) {
  }

  /** 199: {@code userId} read the messages from {@code receiveUserId} up to {@code messageId}. */
  default void onRead(Frame readNotice) {
  }

  /** 191 (to the sender's devices) / 192 (to the receiver's): a message was retracted. */
  default void onRetracted(Frame retracted) {
  }

  /** 1170: one conversation head, sent on every connect (§6.1). */
  default void onConversationHead(ChatMessage head) {
  }

  /** 200 / 210: a contact came online or went offline. */
  default void onPresence(String userId, boolean online) {
  }

  /** 99: SHUTDOWN (the client reconnects after {@code retryAfterMs}), REPLACED, KICKED. */
  default void onNotice(Frame notice) {
  }

  /**
   * Customer-service pushes: 402 (taken), 410 (queue position), 421 (member left), 431 (queue info), 620 (queue
   * timeout, §14.3), 601 (the agent's status changed on another device, §14.1).
   */
  default void onQueue(Frame push) {
  }

  /** Room pushes: 551 (room info), 560 (room disbanded) and 611 (room transferred, §14.2). */
  default void onRoom(Frame push) {
  }

  /** Call pushes: 301 incoming, 311 accepted, 321 ended, 341 / 343 remote ICE candidates. */
  default void onCall(Frame push) {
  }

  /** Every push (after the typed method above), including types this library does not know. */
  default void onPush(Frame push) {
  }

  /** Every frame received, raw, including replies and duplicates (for logs and protocol consoles). */
  default void onFrameIn(Frame frame, boolean duplicate) {
  }
}
