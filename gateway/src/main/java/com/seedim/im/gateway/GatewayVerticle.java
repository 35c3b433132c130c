package com.seedim.im.gateway;

import com.seedim.im.common.infra.Infra;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** Placeholder; being written. */
public class GatewayVerticle extends VerticleBase {
  private final Infra infra;
  private int port;

  public GatewayVerticle(Infra infra) {
    this.infra = infra;
  }

  public int managementPort() {
    return 0;
  }

  public int actualPort() {
    return port;
  }

  @Override
  public Future<?> start() {
    return Future.succeededFuture();
  }
}
