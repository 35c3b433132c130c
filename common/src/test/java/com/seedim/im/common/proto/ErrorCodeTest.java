package com.seedim.im.common.proto;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorCodeTest {
  /** The bus codes on the wire between nodes: a change here breaks a rolling upgrade, so it must be deliberate. */
  private static final Map<String, Integer> WIRE = new LinkedHashMap<>();

  static {
    String[] names = {"INVALID_JSON", "UNKNOWN_MSG_TYPE", "MISSING_FIELD", "INVALID_FIELD", "UNAUTHORIZED", "TOO_LARGE",
      "FORBIDDEN", "NOT_FOUND", "INVALID_STATE", "QUEUE_EMPTY", "QUEUE_FULL", "AGENT_BUSY", "RATE_LIMITED",
      "RETRACT_EXPIRED", "UNAVAILABLE", "INTERNAL", "SENSITIVE_WORD", "ORIGIN_FORBIDDEN", "MESSAGE_REJECTED"};
    for (int i = 0; i < names.length; i++) {
      WIRE.put(names[i], 1000 + i);
    }
  }

  @Test
  @DisplayName("every error code keeps its published bus code, and each bus code maps back to its error code")
  void busCodesArePinned() {
    Map<String, Integer> actual = new LinkedHashMap<>();
    for (ErrorCode c : ErrorCode.values()) {
      actual.put(c.name(), c.busCode());
      assertThat(ErrorCode.fromBusCode(c.busCode())).isEqualTo(c);
    }
    assertThat(actual).containsExactlyInAnyOrderEntriesOf(WIRE);
  }

  @Test
  @DisplayName("a bus failure code that is not ours reads as INTERNAL")
  void foreignCodeIsInternal() {
    assertThat(ErrorCode.fromBusCode(-1)).isEqualTo(ErrorCode.INTERNAL);
    assertThat(ErrorCode.fromBusCode(999)).isEqualTo(ErrorCode.INTERNAL);
    assertThat(ErrorCode.fromBusCode(5000)).isEqualTo(ErrorCode.INTERNAL);
  }
}
