package com.seedim.im.signaling;

import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.cs.store.ServiceRecords.CallRecord;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * A participant's 660 CALL_STATS report (protocol §14.6), checked: {@code candidateType} one of host/srflx/prflx/relay,
 * the numbers in their ranges, {@code protocol} udp or tcp; and the rule of who may report on a call when.
 */
record CallReport(String callId, String candidateType, Double setupMs, Double rttMs, Double lossPercent, String protocol) {
  static final Set<String> CANDIDATE_TYPES = Set.of("host", "srflx", "prflx", "relay");
  static final Set<String> PROTOCOLS = Set.of("udp", "tcp");
  static final double MAX_SETUP_MS = 600_000;
  static final double MAX_RTT_MS = 60_000;
  static final double MAX_LOSS_PERCENT = 100;
  /** A participant may report until this long after the call ended. */
  static final long REPORT_WINDOW_MS = 3_600_000;

  /** The report of a 660 frame; INVALID_FIELD / MISSING_FIELD naming the first field that is wrong. */
  static CallReport parse(JsonObject frame) {
    String callId = Long.toString(Frames.reqMessageId(frame, "callId"));
    String candidateType = oneOf(frame, "candidateType", CANDIDATE_TYPES, true);
    Double setup = number(frame, "setupMs", MAX_SETUP_MS);
    Double rtt = number(frame, "rttMs", MAX_RTT_MS);
    Double loss = number(frame, "lossPercent", MAX_LOSS_PERCENT);
    String protocol = oneOf(frame, "protocol", PROTOCOLS, false);
    return new CallReport(callId, candidateType, setup, rtt, loss, protocol);
  }

  private static String oneOf(JsonObject frame, String field, Set<String> allowed, boolean required) {
    Object v = frame.getValue(field);
    if (v == null) {
      if (required) {
        throw ProtocolException.missing(field);
      }
      return null;
    }
    if (!(v instanceof String s) || !allowed.contains(s)) {
      throw ProtocolException.invalid(field, "one of " + String.join(", ", allowed.stream().sorted().toList()));
    }
    return s;
  }

  private static Double number(JsonObject frame, String field, double max) {
    Object v = frame.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n) || Double.isNaN(n.doubleValue()) || n.doubleValue() < 0 || n.doubleValue() > max) {
      throw ProtocolException.invalid(field, "a number from 0 to " + (long) max);
    }
    return n.doubleValue();
  }

  /** A participant of the call, while it runs or within {@link #REPORT_WINDOW_MS} after it ended. */
  static boolean mayReport(CallRecord call, String userId, long nowMs) {
    return call != null && call.isParticipant(userId) && (call.endedAt() == null || nowMs - call.endedAt() <= REPORT_WINDOW_MS);
  }

  /** As stored with the call: the fields given, and when. */
  JsonObject toJson(long reportedAt) {
    JsonObject j = new JsonObject().put("candidateType", candidateType);
    if (setupMs != null) {
      j.put("setupMs", setupMs);
    }
    if (rttMs != null) {
      j.put("rttMs", rttMs);
    }
    if (lossPercent != null) {
      j.put("lossPercent", lossPercent);
    }
    if (protocol != null) {
      j.put("protocol", protocol);
    }
    return j.put("reportedAt", reportedAt);
  }
}
