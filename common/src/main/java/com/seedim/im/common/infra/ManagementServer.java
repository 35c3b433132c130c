package com.seedim.im.common.infra;

import com.seedim.im.common.proto.Versions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One per node, on the management port (loopback unless configured): {@code /health} (the process answers),
 * {@code /ready} (stores reachable, cluster joined, every registered check passing), {@code /metrics}
 * (Prometheus). Every scrape of {@code /metrics} first runs the readiness checks (at most
 * {@link #SCRAPE_READY_TIMEOUT_MS}) and publishes the answer as {@code im_node_ready} (1 ready, 0 not), so an alert
 * sees a node that answers but cannot serve.
 */
public final class ManagementServer {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
  /** A check that has not answered by then makes the node not ready (503), never a hanging probe. */
  static final long READY_TIMEOUT_MS = 5000;
  /** A scrape waits at most this long for the readiness checks, then reports not ready (Prometheus' timeout is 10 s). */
  static final long SCRAPE_READY_TIMEOUT_MS = 2000;

  private final Vertx vertx;
  private final Infra infra;
  private final List<Supplier<Future<?>>> checks = new CopyOnWriteArrayList<>();
  private final AtomicInteger readyNow = new AtomicInteger();
  private HttpServer server;
  private Gauge readyGauge;

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
    MeterRegistry registry = Metrics.registry();
    readyGauge = Gauge.builder("im_node_ready", readyNow, AtomicInteger::get)
      .description("1 when the node's last readiness check (a /ready probe or a /metrics scrape) passed, else 0")
      .register(registry);
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
    if (readyGauge != null) {
      Metrics.registry().remove(readyGauge);
    }
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest req) {
    switch (req.path()) {
      case "/health" -> json(req, 200, new JsonObject().put("status", "UP").put("version", Versions.PRODUCT)
        .put("protocol", Versions.PROTOCOL));
      case "/ready" -> ready().timeout(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ar -> {
        readyNow.set(ar.succeeded() ? 1 : 0);
        if (ar.succeeded()) {
          json(req, 200, new JsonObject().put("status", "READY").put("clustered", vertx.isClustered()));
        } else {
          json(req, 503, new JsonObject().put("status", "NOT_READY").put("reason", String.valueOf(ar.cause().getMessage())));
        }
      });
      case "/metrics" -> ready().timeout(SCRAPE_READY_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(ar -> {
        readyNow.set(ar.succeeded() ? 1 : 0);
        req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(Metrics.scrape());
      });
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
