package com.seedim.im.cs.store;

import io.vertx.core.Future;

import java.util.List;

/**
 * Messages customers leave to a queue when no agent is available (PROTOCOL.md §14.4, 630), and the take of the oldest
 * one by an agent (640): MySQL in production (they must outlive every node), memory in dev. The take claims exactly one
 * message not yet taken, atomically across nodes: of two agents claiming at once, each gets a different message (or
 * none).
 */
public interface LeftMessages {
  /** The service-record outcome ({@link ServiceRecords#queueEnded}) of a wait that ended with a left message. */
  String QUEUE_OUTCOME = "message";
  /** Most characters (code points) of a left message. */
  int MAX_CHARS = 2000;

  /** A left message; {@code takenBy}/{@code takenAt} are null until an agent takes it. */
  record LeftMessage(String messageId, String appId, String queueId, String userId, String message, long createdAt,
                     String takenBy, Long takenAt) {
    /** A new message, not taken. */
    public static LeftMessage of(String messageId, String appId, String queueId, String userId, String message, long createdAt) {
      return new LeftMessage(messageId, appId, queueId, userId, message, createdAt, null, null);
    }
  }

  /** Creates the table if needed; idempotent and safe to call from several verticles. */
  Future<Void> migrate();

  /**
   * Stores {@code m} unless its customer already has {@code maxNotTaken} messages not yet taken: true when stored,
   * false when refused. The count and the insert are one atomic step (two 630s at once cannot both pass the limit).
   */
  Future<Boolean> add(LeftMessage m, int maxNotTaken);

  /** Messages of the customer not yet taken. */
  Future<Integer> notTakenOfUser(String appId, String userId);

  /** Messages left in the queue and not yet taken (431 {@code messagesWaiting}, the supervisor view). */
  Future<Integer> waiting(String appId, String queueId);

  /** The queues of the app holding messages not yet taken (dynamic queues may hold messages without any waiter). */
  Future<List<String>> queuesWithMessages(String appId);

  /** Most characters of a claim token. */
  int MAX_CLAIM_CHARS = 64;

  /**
   * Claims for {@code agentId} the oldest message not yet taken of {@code queueIds}: exactly once across nodes, the
   * claimed message is marked taken by the agent at {@code now} under {@code claim}, a token naming this take (at most
   * {@link #MAX_CLAIM_CHARS} characters). A claim with a token already used returns the message that token claimed and
   * takes nothing else (a retried 640 whose answer was lost). Null when none is left.
   */
  Future<LeftMessage> claimOldest(String appId, List<String> queueIds, String agentId, String claim, long now);

  /** The message, taken or not; null when unknown. */
  Future<LeftMessage> get(String appId, String messageId);
}
