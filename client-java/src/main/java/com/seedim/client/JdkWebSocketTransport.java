package com.seedim.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link WebSocketTransport} on the JDK's {@code java.net.http.WebSocket} (Java 11+; not on Android). */
public final class JdkWebSocketTransport implements WebSocketTransport {
  private final HttpClient http;
  private final Duration connectTimeout;

  /** A transport with its own {@link HttpClient} and a 10 s connect (handshake) timeout. */
  public JdkWebSocketTransport() {
    this(HttpClient.newHttpClient(), Duration.ofSeconds(10));
  }

  public JdkWebSocketTransport(HttpClient http, Duration connectTimeout) {
    this.http = http;
    this.connectTimeout = connectTimeout;
  }

  @Override
  public CompletionStage<Socket> connect(URI uri, Listener listener) {
    JdkSocket socket = new JdkSocket();
    WebSocket.Listener adapter = new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public void onOpen(WebSocket ws) {
        socket.ws = ws;
        listener.onOpen(socket);
        ws.request(1);
      }

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          String text = partial.toString();
          partial.setLength(0);
          if (!socket.aborted.get()) {
            listener.onText(text);
          }
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        ws.request(1); // the protocol has no binary frames from the server
        return null;
      }

      @Override
      public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
        ws.request(1); // the JDK answers the pong itself
        return null;
      }

      @Override
      public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        if (!socket.aborted.getAndSet(true)) {
          listener.onClose(statusCode, reason);
        }
        return null; // echo the close at once
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        if (!socket.aborted.getAndSet(true)) {
          listener.onError(error);
        }
      }
    };
    return http.newWebSocketBuilder().connectTimeout(connectTimeout).buildAsync(uri, adapter)
      .<Socket>thenApply(ws -> {
        socket.ws = ws;
        return socket;
      })
      .exceptionally(e -> {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof WebSocketHandshakeException) {
          throw refusal((WebSocketHandshakeException) cause);
        }
        throw cause instanceof RuntimeException ? (RuntimeException) cause : new CompletionException(cause);
      });
  }

  private static HandshakeRefusedException refusal(WebSocketHandshakeException e) {
    HttpResponse<?> r = e.getResponse();
    Object body = r.body();
    long retry = r.headers().firstValue("Retry-After").map(s -> {
      try {
        return Long.parseLong(s.trim()) * 1000;
      } catch (NumberFormatException x) {
        return -1L;
      }
    }).orElse(-1L);
    String text = body instanceof String ? (String) body : body instanceof byte[] ? new String((byte[]) body,
      java.nio.charset.StandardCharsets.UTF_8) : null;
    HandshakeRefusedException h = new HandshakeRefusedException(r.statusCode(), text, retry);
    h.initCause(e);
    return h;
  }

  private static final class JdkSocket implements Socket {
    volatile WebSocket ws;
    final AtomicBoolean aborted = new AtomicBoolean();
    private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);

    @Override
    public synchronized CompletionStage<Void> send(String text) {
      // java.net.http allows one outstanding send: chain them
      CompletableFuture<Void> next = sends.handle((x, e) -> null)
        .thenCompose(x -> ws.sendText(text, true)).thenApply(x -> null);
      sends = next;
      return next;
    }

    @Override
    public synchronized void close(int code, String reason) {
      sends.handle((x, e) -> null).thenCompose(x -> ws.sendClose(code, reason == null ? "" : reason))
        .exceptionally(e -> {
          ws.abort();
          return null;
        });
    }

    @Override
    public void abort() {
      aborted.set(true);
      ws.abort();
    }
  }
}
