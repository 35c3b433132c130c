package com.seedim.im.signaling;

import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.cs.store.ServiceRecords.CallRecord;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("§14.6 the rules of a 660 report, without a server")
class CallReportTest {
  private static JsonObject frame() {
    return new JsonObject().put("msgType", 660).put("callId", "757014856270848").put("candidateType", "srflx");
  }

  private static void refused(JsonObject f, ErrorCode code, String field) {
    assertThatThrownBy(() -> CallReport.parse(f)).isInstanceOfSatisfying(ProtocolException.class, e -> {
      assertThat(e.code()).isEqualTo(code);
      assertThat(e.getMessage()).contains(field);
    });
  }

  @Test
  @DisplayName("the fields given are kept as numbers; absent ones stay absent")
  void parses() {
    CallReport r = CallReport.parse(frame().put("setupMs", 840).put("lossPercent", 0.25).put("protocol", "tcp"));
    JsonObject stored = r.toJson(42);
    assertThat(stored).isEqualTo(new JsonObject().put("candidateType", "srflx").put("setupMs", 840.0).put("lossPercent", 0.25)
      .put("protocol", "tcp").put("reportedAt", 42L));
    assertThat(r.callId()).isEqualTo("757014856270848");
  }

  @Test
  @DisplayName("each field out of its range or of the wrong type is named")
  void refusals() {
    refused(frame().put("candidateType", "HOST"), ErrorCode.INVALID_FIELD, "candidateType");
    refused(frame().put("candidateType", 1), ErrorCode.INVALID_FIELD, "candidateType");
    refused(new JsonObject().put("callId", "1"), ErrorCode.MISSING_FIELD, "candidateType");
    refused(new JsonObject().put("candidateType", "host"), ErrorCode.MISSING_FIELD, "callId");
    refused(frame().put("rttMs", -0.5), ErrorCode.INVALID_FIELD, "rttMs");
    refused(frame().put("rttMs", true), ErrorCode.INVALID_FIELD, "rttMs");
    refused(frame().put("setupMs", 600_000.5), ErrorCode.INVALID_FIELD, "setupMs");
    refused(frame().put("lossPercent", Double.NaN), ErrorCode.INVALID_FIELD, "lossPercent");
    refused(frame().put("protocol", "UDP"), ErrorCode.INVALID_FIELD, "protocol");
  }

  @Test
  @DisplayName("participants only, while the call runs and for an hour after it ended")
  void window() {
    long now = 10 * CallReport.REPORT_WINDOW_MS;
    CallRecord running = new CallRecord("1", "9", "ag", "cu", now - 1000, null, Map.of());
    assertThat(CallReport.mayReport(running, "ag", now)).isTrue();
    assertThat(CallReport.mayReport(running, "cu", now)).isTrue();
    assertThat(CallReport.mayReport(running, "other", now)).isFalse();
    assertThat(CallReport.mayReport(null, "cu", now)).isFalse();
    CallRecord justInTime = new CallRecord("1", "9", "ag", "cu", 0, now - CallReport.REPORT_WINDOW_MS, Map.of());
    assertThat(CallReport.mayReport(justInTime, "cu", now)).isTrue();
    CallRecord late = new CallRecord("1", "9", "ag", "cu", 0, now - CallReport.REPORT_WINDOW_MS - 1, Map.of());
    assertThat(CallReport.mayReport(late, "cu", now)).isFalse();
  }
}
