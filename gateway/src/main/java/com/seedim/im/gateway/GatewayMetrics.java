package com.seedim.im.gateway;

import com.seedim.im.common.proto.ErrorCode;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one gateway instance, exposed in Prometheus text format on the management port. */
final class GatewayMetrics {
  private final LongAdder framesIn = new LongAdder();
  private final LongAdder framesOut = new LongAdder();
  private final LongAdder resends = new LongAdder();
  private final LongAdder handshakesAccepted = new LongAdder();
  private final LongAdder handshakesRefused = new LongAdder();
  private final Map<Integer, LongAdder> byType = new ConcurrentHashMap<>();
  private final Map<ErrorCode, LongAdder> errors = new ConcurrentHashMap<>();
  volatile int connections;

  void frameIn() {
    framesIn.increment();
  }

  void frameOut() {
    framesOut.increment();
  }

  void resend() {
    resends.increment();
  }

  void frameType(int type) {
    byType.computeIfAbsent(type, k -> new LongAdder()).increment();
  }

  void error(ErrorCode code) {
    errors.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  void handshake(boolean accepted) {
    (accepted ? handshakesAccepted : handshakesRefused).increment();
  }

  String prometheus(String instance) {
    StringBuilder sb = new StringBuilder();
    String l = "{gateway=\"" + instance + "\"";
    sb.append("# TYPE im_gateway_connections gauge\nim_gateway_connections").append(l).append("} ").append(connections).append('\n');
    sb.append("# TYPE im_gateway_frames_in_total counter\nim_gateway_frames_in_total").append(l).append("} ").append(framesIn.sum()).append('\n');
    sb.append("# TYPE im_gateway_frames_out_total counter\nim_gateway_frames_out_total").append(l).append("} ").append(framesOut.sum()).append('\n');
    sb.append("# TYPE im_gateway_push_resends_total counter\nim_gateway_push_resends_total").append(l).append("} ").append(resends.sum()).append('\n');
    sb.append("# TYPE im_gateway_handshakes_total counter\n");
    sb.append("im_gateway_handshakes_total").append(l).append(",result=\"accepted\"} ").append(handshakesAccepted.sum()).append('\n');
    sb.append("im_gateway_handshakes_total").append(l).append(",result=\"refused\"} ").append(handshakesRefused.sum()).append('\n');
    sb.append("# TYPE im_gateway_frames_by_type_total counter\n");
    byType.forEach((t, n) -> sb.append("im_gateway_frames_by_type_total").append(l).append(",msgType=\"").append(t).append("\"} ").append(n.sum()).append('\n'));
    sb.append("# TYPE im_gateway_errors_total counter\n");
    errors.forEach((c, n) -> sb.append("im_gateway_errors_total").append(l).append(",code=\"").append(c.name()).append("\"} ").append(n.sum()).append('\n'));
    return sb.toString();
  }
}
