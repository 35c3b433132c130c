package com.seedim.im.gateway;

import com.seedim.im.common.proto.CloseCodes;
import com.seedim.im.common.proto.ErrorCode;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frame layer of one socket, below messages: every frame, data and control, is life for the idle rule; text and
 * binary messages are reassembled from their fragments ({@link MessageAssembler}: Netty has checked their order and
 * UTF-8) up to the message limit, beyond which the socket is closed 1009; pings and pongs beyond their rate count as
 * abuse; a framing error Netty found closes with its RFC 6455 code. One per socket; its event loop only.
 */
final class SocketReader {
  private static final Logger LOG = LoggerFactory.getLogger(SocketReader.class);

  /** Where the reader's findings go: its connection. */
  interface Listener {
    /** A frame arrived at {@code now}; false when the connection is closed already (the frame is then ignored). */
    boolean alive(long now);

    /** A whole message: its text, or {@link Inbox#BINARY}. */
    void message(String textOrBinary);

    /** The socket breaks the framing rules: close it with {@code code}. */
    void framingError(short code, String reason);

    /** Control frames beyond the abuse limit: close it 1008. */
    void abusive(String why);
  }

  private final ConnectionHost host;
  private final AbuseMeter abuse;
  private final Listener to;
  private final Object label;
  private final TokenBucket controls;
  private final MessageAssembler assembler;
  private final MessageAssembler.Sink sink = new MessageAssembler.Sink() {
    @Override
    public void message(String textOrNull) {
      to.message(textOrNull == null ? Inbox.BINARY : textOrNull);
    }

    @Override
    public void tooBig() {
      to.framingError(CloseCodes.TOO_BIG, "message too big");
    }
  };

  /** {@code label} names the socket in log lines (its {@code toString()}, called only when a line is written). */
  SocketReader(ConnectionHost host, AbuseMeter abuse, Listener to, Object label, long now) {
    this.host = host;
    this.abuse = abuse;
    this.to = to;
    this.label = label;
    this.controls = new TokenBucket(host.limits().controlFramesPerSecond(), host.limits().controlFramesBurst(), now);
    this.assembler = new MessageAssembler(host.limits().wsMessageLimit(host.config().maxFrameBytes()));
  }

  void attach(ServerWebSocket socket) {
    // frames, not messages: the gateway reassembles fragments itself (bounded by the message limit), because Vert.x
    // 5.0.7's aggregator drops an over-long message silently and wedges on an empty first fragment
    socket.frameHandler(this::onFrame);
    socket.exceptionHandler(this::onError);
  }

  /**
   * A framing error Netty found (RFC 6455 §7.4: 1002 protocol, 1007 invalid data, 1009 too big): Vert.x closes the
   * TCP connection right after this without a close frame, so the close code is written here first.
   */
  private void onError(Throwable err) {
    if (err instanceof CorruptedWebSocketFrameException c && c.closeStatus() != null) {
      to.framingError((short) c.closeStatus().code(), c.closeStatus().reasonText());
    } else {
      LOG.debug("socket {}: {}", label, err.toString());
    }
  }

  private void onFrame(WebSocketFrame f) {
    long now = System.currentTimeMillis();
    if (!to.alive(now)) {
      return;
    }
    if (f.isText() || f.isBinary() || f.isContinuation()) {
      assembler.onData(f, sink);
      return;
    }
    if ((f.isPing() || f.type() == WebSocketFrameType.PONG) && !controls.tryTake(now)) {
      host.metrics().error(ErrorCode.RATE_LIMITED);
      if (abuse.controlFlood(now)) {
        to.abusive("control frames beyond " + host.limits().controlFramesPerSecond() + " per second");
      }
    }
  }
}
