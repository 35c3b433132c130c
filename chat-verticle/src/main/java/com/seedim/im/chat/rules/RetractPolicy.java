package com.seedim.im.chat.rules;

import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;

import java.util.concurrent.TimeUnit;

/** Who may retract a message and until when (PROTOCOL.md §5, 190), by server time only. */
public final class RetractPolicy {
  private RetractPolicy() {
  }

  /**
   * Throws the §3 error for a retraction that is not allowed.
   *
   * @param sender     the message's sender, or null when the message does not exist
   * @param receiver   the message's receiver
   * @param requester  who asks
   * @param sendTimeMs when the server stored the message
   */
  public static void check(String sender, String receiver, String requester, long sendTimeMs, long nowMs, int retractSeconds) {
    if (sender == null || (!requester.equals(sender) && !requester.equals(receiver))) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "no such message");
    }
    if (!requester.equals(sender)) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only the sender may retract a message");
    }
    if (nowMs - sendTimeMs > TimeUnit.SECONDS.toMillis(retractSeconds)) {
      throw new ProtocolException(ErrorCode.RETRACT_EXPIRED, "messages can be retracted within " + retractSeconds + " s");
    }
  }
}
