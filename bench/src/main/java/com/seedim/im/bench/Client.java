package com.seedim.im.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * One protocol client on one event loop: signed connect, heartbeats (driven by {@link Pool}), acks 141 for
 * 140 and 31 for the other reliable pushes, like a real client. Frames go to the {@link Listener}.
 */
final class Client {
  interface Listener {
    void onFrame(Client c, int msgType, String text);
  }

  final Pool pool;
  final int ctxIndex;
  final String userId;
  final String device;
  final String role;
  final Target target;
  volatile WebSocket ws;
  Listener listener;
  long nextHeartbeat;
  // per-scenario scratch (touched only on this client's event loop, or volatile)
  int outstanding;
  long uniqueSeq;
  String peer;
  volatile long mark;
  volatile int connects;

  Client(Pool pool, int ctxIndex, Target target, String userId, String device, String role) {
    this.pool = pool;
    this.ctxIndex = ctxIndex;
    this.target = target;
    this.userId = userId;
    this.device = device;
    this.role = role;
  }

  Context context() {
    return pool.context(ctxIndex);
  }

  boolean isOpen() {
    return ws != null;
  }

  /** Connects on this client's event loop; fails with the HTTP status for a refused handshake. */
  Future<Void> connect() {
    Promise<Void> p = Promise.promise();
    context().runOnContext(v -> {
      WebSocketClient wc = pool.wsClient(ctxIndex + connects);
      WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(target.host()).setPort(target.port())
        .setURI(target.uri(userId, device, role)).setTimeout(15_000);
      wc.connect(o).onComplete(ar -> {
        if (ar.failed()) {
          p.fail(ar.cause());
          return;
        }
        WebSocket s = ar.result();
        connects++;
        s.textMessageHandler(this::onText);
        s.exceptionHandler(err -> { });
        s.closeHandler(x -> {
          if (ws == s) {
            ws = null;
          }
        });
        ws = s;
        nextHeartbeat = System.currentTimeMillis() + pool.heartbeatMs(); // first heartbeat one period after connect
        pool.register(this);
        p.complete();
      });
    });
    return p.future();
  }

  static int status(Throwable t) {
    return t instanceof UpgradeRejectedException u ? u.getStatus() : -1;
  }

  /** Closes the socket (a client-side drop). */
  void drop() {
    WebSocket s = ws;
    ws = null;
    if (s != null) {
      s.close();
    }
  }

  void send(String text) {
    WebSocket s = ws;
    if (s != null) {
      s.writeTextMessage(text);
    }
  }

  void heartbeat(long now) {
    send("{\"msgType\":20,\"unique\":\"hb" + now + "\"}");
  }

  private void onText(String text) {
    int type = Proto.msgType(text);
    if (type == 140) {
      String id = Proto.str(text, "messageId");
      if (id != null) {
        send("{\"msgType\":141,\"messageId\":\"" + id + "\"}");
      }
    } else if (Proto.RELIABLE.contains(type)) {
      String u = Proto.str(text, "unique");
      if (u != null) {
        send("{\"msgType\":31,\"unique\":\"" + u + "\"}");
      }
    }
    Listener l = listener;
    if (l != null) {
      l.onFrame(this, type, text);
    }
  }
}
