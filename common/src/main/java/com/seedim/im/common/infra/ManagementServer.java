package com.seedim.im.common.infra;

import com.seedim.im.common.proto.Versions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One per node, on the management port (loopback unless configured): {@code /health} (the process answers),
 * {@code /ready} (stores reachable, cluster joined, every registered check passing), {@code /metrics}
 * (Prometheus).
 */
public final class ManagementServer {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
  /** A check that has not answered by then makes the node not ready (503), never a hanging probe. */
  static final long READY_TIMEOUT_MS = 5000;

  private final Vertx vertx;
  private final Infra infra;
  private final List<Supplier<Future<?>>> checks = new CopyOnWriteArrayList<>();
  private HttpServer server;

  public ManagementServer(Vertx vertx, Infra infra) {
    this.vertx = vertx;
    this.infra = infra;
  }

  /** Adds a readiness check (e.g. "this gateway is not shutting down"). */
  public ManagementServer check(Supplier<Future<?>> check) {
    checks.add(check);
    return this;
  }

  public Future<ManagementServer> start(String host, int port) {
    server = vertx.createHttpServer().requestHandler(this::handle);
    return server.listen(port, host).map(s -> {
      LOG.info("management endpoints on http://{}:{}/ (health, ready, metrics)", host, s.actualPort());
      return this;
    });
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest req) {
    switch (req.path()) {
      case "/health" -> json(req, 200, new JsonObject().put("status", "UP").put("version", Versions.PRODUCT)
        .put("protocol", Versions.PROTOCOL));
      case "/ready" -> ready().timeout(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ar -> {
        if (ar.succeeded()) {
          json(req, 200, new JsonObject().put("status", "READY").put("clustered", vertx.isClustered()));
        } else {
          json(req, 503, new JsonObject().put("status", "NOT_READY").put("reason", String.valueOf(ar.cause().getMessage())));
        }
      });
      case "/metrics" -> req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(Metrics.scrape());
      default -> req.response().setStatusCode(404).end();
    }
  }

  private Future<Void> ready() {
    if (vertx.isClustered()) {
      ClusterManager cm = ((VertxInternal) vertx).clusterManager();
      if (cm == null || !cm.isActive()) {
        return Future.failedFuture("cluster not joined");
      }
    }
    Future<Void> all = infra.ping();
    for (Supplier<Future<?>> c : checks) {
      all = all.compose(v -> c.get().mapEmpty());
    }
    return all;
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
