package com.seedim.im.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

import java.nio.charset.StandardCharsets;

/**
 * Data frames → whole messages, within the message limit. The gateway reassembles fragments itself instead of using
 * Vert.x 5.0.7's aggregator, which drops an over-long fragmented message silently and wedges the socket for text after
 * an empty first fragment. Netty has already checked the fragment order and the UTF-8 of text (see
 * {@link WebSocketInternals#validateUtf8}). One per socket; its event loop only.
 */
final class MessageAssembler {
  /** Where whole messages go. */
  interface Sink {
    /** A whole text message, or null for a binary one. */
    void message(String textOrNull);

    /** The message being reassembled outgrew the limit (close 1009). */
    void tooBig();
  }

  private final int limit;
  private Buffer fragments;
  private boolean binary;

  MessageAssembler(int limit) {
    this.limit = limit;
  }

  /** A text, binary or continuation frame. */
  void onData(WebSocketFrame f, Sink sink) {
    if (!f.isContinuation()) {
      fragments = null;
      binary = f.isBinary();
      if (f.isFinal()) {
        sink.message(binary ? null : f.textData()); // the common case: one frame, no copy
        return;
      }
    }
    if (fragments == null) {
      fragments = Buffer.buffer();
    }
    fragments.appendBuffer(f.binaryData());
    if (fragments.length() > limit) {
      fragments = null;
      sink.tooBig();
      return;
    }
    if (f.isFinal()) {
      Buffer whole = fragments;
      fragments = null;
      sink.message(binary ? null : whole.toString(StandardCharsets.UTF_8));
    }
  }
}
