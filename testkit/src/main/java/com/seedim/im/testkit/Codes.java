package com.seedim.im.testkit;

import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;

/** Test helper for business rules: the §3 code a call fails with. */
public final class Codes {
  private Codes() {
  }

  /** The code of the {@link ProtocolException} {@code r} throws, or null when it passes. */
  public static ErrorCode of(Runnable r) {
    try {
      r.run();
      return null;
    } catch (ProtocolException e) {
      return e.code();
    }
  }
}
