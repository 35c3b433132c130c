package com.seedim.im.gateway;

import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Versions;
import com.seedim.im.common.config.DeskConfig;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.config.TurnConfig;
import com.seedim.im.common.turn.IceServers;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * The HTTP side of the gateway port: {@code /health}, the business API of PROTOCOL.md §7 ({@code /api/v1/*}: its
 * authentication chain {@link ApiAuth}, then {@link ApiEndpoints}) and, in dev mode, {@link DevEndpoints}. Answers
 * are written by {@link ApiResponses}. Everything the API needs of its gateway goes through {@link ApiPort}.
 */
final class HttpApi {
  private HttpApi() {
  }

  static void mount(Router router, ServerConfig config, GatewayLimits limits, ApiPort gw) {
    // Kept besides the management port's /health: that port is bound to managementHost (127.0.0.1 by default), so a
    // load balancer on another host sees only this port (docs/operations.md, "Health"; e2e/run.sh and bench wait on it).
    router.get("/health").handler(rc -> ApiResponses.json(rc, 200, new JsonObject().put("status", "UP")
      .put("version", Versions.PRODUCT).put("protocol", Versions.PROTOCOL)));
    ApiAuth auth = new ApiAuth(config.apps(), limits, gw);
    // Order matters: the signature headers, content type and announced length are checked before any byte of the
    // body is read, then the body is read under its limit, then the signature over that body and the nonce.
    router.route("/api/v1/*")
      .handler(auth::preAuthenticate)
      .handler(auth::bodyHandler)
      .handler(auth::authenticate)
      .failureHandler(auth::onFailure);
    new ApiEndpoints(gw, new IceServers(TurnConfig.of(config))).mount(router);
    // A signed call to a path or method the API does not have: a problem like every other failure (§10.2), not the
    // router's HTML 404 / empty 405 (and before the dev mode's static files, which would take every GET).
    router.route("/api/v1/*").handler(rc -> ApiResponses.problem(rc, ErrorCode.NOT_FOUND,
      "no such operation"));
    DeskConfig desk = DeskConfig.of(config);
    if (desk.enabled()) {
      DeskPages.mount(router, desk, gw::wsUrl);
    }
    if (config.dev()) {
      DevEndpoints.mount(router, config.apps(), gw);
    }
  }
}
