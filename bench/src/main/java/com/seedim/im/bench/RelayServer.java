package com.seedim.im.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The same-run baseline: a minimal raw Vert.x WebSocket relay. No auth, no bus, no storage: a socket registers
 * under {@code /relay?id=X}; a text frame carrying {@code "to"} is decoded as JSON (as the server does), forwarded
 * unchanged to the socket registered under {@code to}, and answered with a small 30 to the sender so the
 * generator's window works the same way as against SeedIM. Other frames (heartbeats, acks) are ignored.
 */
public final class RelayServer extends VerticleBase {
  private static final Map<String, ServerWebSocket> SOCKETS = new ConcurrentHashMap<>();
  private final String host;
  private final int port;

  RelayServer(String host, int port) {
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer(new HttpServerOptions().setIdleTimeout(0))
      .webSocketHandler(this::onSocket)
      .requestHandler(req -> req.response().end("relay"))
      .listen(port, host);
  }

  private void onSocket(ServerWebSocket ws) {
    String q = ws.query();
    String id = q != null && q.startsWith("id=") ? q.substring(3) : null;
    if (id == null) {
      ws.close((short) 1008, "id required");
      return;
    }
    SOCKETS.put(id, ws);
    ws.closeHandler(v -> SOCKETS.remove(id, ws));
    ws.textMessageHandler(text -> {
      JsonObject f;
      try {
        f = new JsonObject(text);
      } catch (RuntimeException e) {
        return;
      }
      String to = f.getString("to");
      if (to == null) {
        return;
      }
      ServerWebSocket target = SOCKETS.get(to);
      if (target != null) {
        target.writeTextMessage(text);
      }
      ws.writeTextMessage(new JsonObject().put("msgType", 30).put("receiveMsgType", f.getValue("msgType"))
        .put("unique", f.getValue("unique")).encode());
    });
  }

  /** Runs the relay with {@code instances} verticles (like the gateway's instances) until the process is killed. */
  static void run(String host, int port, int instances) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
    vertx.deployVerticle(() -> new RelayServer(host, port), new DeploymentOptions().setInstances(instances)).await();
    System.out.println("relay listening on " + host + ":" + port);
  }
}
