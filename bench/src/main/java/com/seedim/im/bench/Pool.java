package com.seedim.im.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * The generator's Vert.x: a few event loops, one WebSocket client per loopback source address (127.0.0.x, to
 * pass the per-(source, destination) ephemeral port limit), and per event loop a list of clients whose
 * heartbeats one periodic timer sends.
 */
final class Pool {
  final Vertx vertx;
  private final Context[] contexts;
  private final List<WebSocketClient> clients = new ArrayList<>();
  private final List<List<Client>> registered = new ArrayList<>();
  private final long heartbeatMs;

  Pool(int eventLoops, List<String> localAddresses, long heartbeatMs) {
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(false));
    this.heartbeatMs = heartbeatMs;
    contexts = new Context[eventLoops];
    for (int i = 0; i < eventLoops; i++) {
      contexts[i] = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
      registered.add(new ArrayList<>());
      int idx = i;
      contexts[i].runOnContext(v -> vertx.setPeriodic(1000, t -> heartbeats(idx)));
    }
    for (String addr : localAddresses) {
      clients.add(vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000)
        .setLocalAddress(addr).setConnectTimeout(10_000).setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 22)));
    }
  }

  int eventLoops() {
    return contexts.length;
  }

  Context context(int i) {
    return contexts[Math.floorMod(i, contexts.length)];
  }

  WebSocketClient wsClient(int i) {
    return clients.get(Math.floorMod(i, clients.size()));
  }

  long heartbeatMs() {
    return heartbeatMs;
  }

  /** Called on the client's event loop after each successful connect. */
  void register(Client c) {
    if (c.connects == 1) {
      registered.get(Math.floorMod(c.ctxIndex, contexts.length)).add(c);
    }
  }

  private void heartbeats(int idx) {
    long now = System.currentTimeMillis();
    for (Client c : registered.get(idx)) {
      if (c.isOpen() && now >= c.nextHeartbeat) {
        c.heartbeat(now);
        c.nextHeartbeat = now + heartbeatMs;
      }
    }
  }

  void close() {
    try {
      vertx.close().await();
    } catch (Exception ignored) {
      // best effort
    }
  }

}
