package com.seedim.client;

import java.net.URI;
import java.util.concurrent.CompletionStage;

/**
 * The WebSocket the client runs on: text messages only. {@link JdkWebSocketTransport} implements it on
 * {@code java.net.http} (Java 11+); on Android, adapt OkHttp (README). An implementation delivers each whole
 * text message once (reassembling fragments) and may call the listener from any thread.
 */
public interface WebSocketTransport {

  /**
   * Opens a WebSocket. The stage completes with the socket once the upgrade succeeded (the listener's
   * {@link Listener#onOpen} is called too), or fails: with {@link HandshakeRefusedException} when the server
   * answered the upgrade with an HTTP status, with another exception when the connection failed. After a failed
   * connect no listener method is called.
   */
  CompletionStage<Socket> connect(URI uri, Listener listener);

  /** An open WebSocket. */
  interface Socket {
    /** Sends one text message; sends are written in call order. */
    CompletionStage<Void> send(String text);

    /** Starts the closing handshake; the listener's {@link Listener#onClose} follows. */
    void close(int code, String reason);

    /** Drops the connection at once, without a closing handshake (a dead link); no more listener calls. */
    void abort();
  }

  /** Events of one socket. After onOpen, exactly one of onClose or onError ends it. */
  interface Listener {
    void onOpen(Socket socket);

    /** One complete text message. */
    void onText(String text);

    /** The closing handshake finished (or the server closed): the close code and reason. */
    void onClose(int code, String reason);

    /** The connection failed (e.g. reset, or closed without a close frame). */
    void onError(Throwable error);
  }
}
