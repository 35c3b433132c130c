package com.seedim.im.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;

/**
 * The two things the gateway needs from a Vert.x WebSocket that its API does not offer, reached by reflection into
 * Vert.x 5.0.7 internals and failing safe when an upgrade changes them: strict-thread-mode writes for an upgraded
 * socket ({@link #strictWrites}) and an abortive close ({@link #abort}).
 *
 * <p><b>Strict writes.</b>
 * <p>{@code HttpServerOptions.setStrictThreadMode(true)} (Vert.x PR #5540) gives an HTTP connection a direct write
 * path instead of a cross-thread MPSC queue, but Vert.x 5.0.7 builds the upgraded {@code WebSocketConnectionImpl}
 * without it, so every held WebSocket keeps a Netty {@code MpscUnboundedArrayQueue} whose first chunk is an
 * {@code Object[1025]}: about 4.7 KB of the ~12 KB of heap an idle authenticated socket costs. The gateway writes
 * to a socket only from its own verticle context, which is the socket's event loop, so the direct queue Vert.x
 * uses in strict mode is correct here too; this swaps it in right after the upgrade, before the first write.
 *
 * <p>It reaches into Vert.x internals ({@code VertxConnection.outboundMessageQueue}) by reflection: when a Vert.x
 * upgrade changes them, {@link #strictWrites} finds nothing to swap, logs once and the socket keeps the default queue.
 */
final class WebSocketInternals {
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketInternals.class);
  private static final Field WRAPPED;
  private static final Field CONN;
  private static final Field QUEUE;
  private static final Class<?> DEFAULT_QUEUE;
  private static final Constructor<?> DIRECT;
  private static volatile boolean warned;

  static {
    Field wrapped = null;
    Field conn = null;
    Field queue = null;
    Class<?> defaultQueue = null;
    Constructor<?> direct = null;
    try {
      Class<?> vc = Class.forName("io.vertx.core.net.impl.VertxConnection");
      queue = vc.getDeclaredField("outboundMessageQueue");
      queue.setAccessible(true);
      defaultQueue = Class.forName("io.vertx.core.net.impl.VertxConnection$InternalMessageChannel");
      direct = Class.forName("io.vertx.core.net.impl.VertxConnection$DirectOutboundMessageQueue").getDeclaredConstructor(vc);
      direct.setAccessible(true);
      conn = Class.forName("io.vertx.core.http.impl.WebSocketImplBase").getDeclaredField("conn");
      conn.setAccessible(true);
      wrapped = Class.forName("io.vertx.ext.web.impl.ServerWebSocketWrapper").getDeclaredField("delegate");
      wrapped.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.info("strict WebSocket writes unavailable with this Vert.x version ({}); sockets keep the default write queue",
        e.toString());
      queue = null;
    }
    WRAPPED = wrapped;
    CONN = conn;
    QUEUE = queue;
    DEFAULT_QUEUE = defaultQueue;
    DIRECT = direct;
  }

  private WebSocketInternals() {
  }

  /**
   * Swaps the socket connection's cross-thread write queue for the direct one. Call on the socket's event loop,
   * before anything is written; afterwards every write must come from that event loop.
   *
   * @return whether the queue was swapped
   */
  static boolean strictWrites(ServerWebSocket ws) {
    if (QUEUE == null) {
      return false;
    }
    try {
      Object socket = WRAPPED.getDeclaringClass().isInstance(ws) ? WRAPPED.get(ws) : ws;
      if (!CONN.getDeclaringClass().isInstance(socket)) {
        return warnOnce("socket class " + socket.getClass().getName());
      }
      Object conn = CONN.get(socket);
      Object current = QUEUE.get(conn);
      if (current == null || !DEFAULT_QUEUE.isInstance(current)) {
        return false; // already direct (or unknown): leave it
      }
      QUEUE.set(conn, DIRECT.newInstance(conn));
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return warnOnce(e.toString());
    }
  }

  /**
   * Closes the socket's TCP connection at once, without the closing handshake: for a peer that does not read (its
   * close frame would wait behind megabytes of unsent data) or does not answer a close. Falls back to a plain close.
   */
  static void abort(ServerWebSocket ws) {
    if (CONN != null) {
      try {
        Object socket = WRAPPED.getDeclaringClass().isInstance(ws) ? WRAPPED.get(ws) : ws;
        if (CONN.getDeclaringClass().isInstance(socket) && CONN.get(socket) instanceof ConnectionBase c) {
          // below the pipeline: Vert.x's own close waits for the unsent data to flush, which is what never happens here
          Channel ch = c.channel();
          ch.unsafe().close(ch.voidPromise());
          return;
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        warnOnce(e.toString());
      }
    }
    ws.close();
  }

  /**
   * Adds Netty's UTF-8 validator for text frames (and their continuations) after the socket's frame decoder: Vert.x
   * decodes invalid UTF-8 to U+FFFD instead, so a text message with invalid bytes was handled. With it the socket
   * is closed 1007 (RFC 6455 §8.1).
   */
  static boolean validateUtf8(ServerWebSocket ws) {
    if (CONN == null) {
      return false;
    }
    try {
      Object socket = WRAPPED.getDeclaringClass().isInstance(ws) ? WRAPPED.get(ws) : ws;
      if (!(CONN.getDeclaringClass().isInstance(socket) && CONN.get(socket) instanceof ConnectionBase c)) {
        return warnOnce("socket class " + socket.getClass().getName());
      }
      ChannelPipeline p = c.channel().pipeline();
      for (var e : p) {
        if (e.getValue() instanceof WebSocketFrameDecoder) {
          p.addAfter(e.getKey(), "seedim-utf8", new Utf8FrameValidator(false));
          return true;
        }
      }
      return warnOnce("no WebSocket frame decoder in the pipeline");
    } catch (ReflectiveOperationException | RuntimeException e) {
      return warnOnce(e.toString());
    }
  }

  private static boolean warnOnce(String why) {
    if (!warned) {
      warned = true;
      LOG.info("strict WebSocket writes not applied ({}); sockets keep the default write queue", why);
    }
    return false;
  }
}
