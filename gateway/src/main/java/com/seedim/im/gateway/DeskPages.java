package com.seedim.im.gateway;

import com.seedim.im.common.config.DeskConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.net.URI;
import java.util.function.Supplier;

/**
 * The customer-service pages under {@code /desk/} (docs/customer-service.md), served in every mode when
 * {@code desk.enabled}: the customer widget ({@code widget.html}, embedded by {@code embed.js} or opened directly),
 * the agent workspace ({@code agent.html}) and the supervisor view ({@code supervisor.html}). {@code /desk/config.json}
 * tells the pages where to get signed connect URLs ({@code desk.signUrl}: the product's backend; they never sign).
 * Every answer carries a Content-Security-Policy that allows only the gateway's own scripts, the sign endpoint's
 * origin and WebSockets, and lets only {@code desk.frameAncestors} embed the pages.
 */
final class DeskPages {
  /** Where the pages live on the classpath (gateway/src/main/resources/desk). */
  private static final String ROOT = "desk";
  /** The shared JS client and call controller, served to the pages from the demo's webroot. */
  private static final String CLIENT_ROOT = "webroot/js";

  private DeskPages() {
  }

  /** @param wsUrl the gateway's public WebSocket URL (signs name it; the pages believe no sign for another origin) */
  static void mount(Router router, DeskConfig desk, Supplier<String> wsUrl) {
    String csp = contentSecurityPolicy(desk);
    router.route("/desk/*").handler(rc -> {
      rc.response().putHeader("Content-Security-Policy", csp)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "strict-origin-when-cross-origin");
      rc.next();
    });
    // a route path matches with and without its trailing slash: redirect only "/desk" itself (else /desk/ loops)
    router.get("/desk").handler(rc -> {
      if (rc.request().path().endsWith("/")) {
        rc.next();
      } else {
        rc.redirect("/desk/");
      }
    });
    router.get("/desk/config.json").handler(rc -> config(rc, desk, wsUrl.get()));
    router.route("/desk/js/*").handler(StaticHandler.create(CLIENT_ROOT).setCachingEnabled(false));
    router.route("/desk/*").handler(StaticHandler.create(ROOT).setCachingEnabled(false)
      .setIndexPage("index.html"));
  }

  private static void config(RoutingContext rc, DeskConfig desk, String wsUrl) {
    rc.response().putHeader("Cache-Control", "no-store");
    ApiResponses.json(rc, 200, new JsonObject().put("signUrl", desk.signUrl()).put("devSign", desk.devSign()).put("wsUrl", wsUrl)
      .put("frameAncestors", new io.vertx.core.json.JsonArray(desk.frameAncestors())));
  }

  /** The CSP of every /desk answer. */
  static String contentSecurityPolicy(DeskConfig desk) {
    StringBuilder connect = new StringBuilder("'self' ws: wss:");
    String signOrigin = origin(desk.signUrl());
    if (signOrigin != null) {
      connect.append(' ').append(signOrigin);
    }
    StringBuilder ancestors = new StringBuilder("'self'");
    desk.frameAncestors().forEach(a -> ancestors.append(' ').append(a));
    return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "media-src 'self' blob: mediastream:; connect-src " + connect + "; frame-ancestors " + ancestors
      + "; base-uri 'none'; form-action 'none'; object-src 'none'";
  }

  /** The origin of an absolute URL, or null for a path. */
  private static String origin(String url) {
    if (url == null || url.startsWith("/")) {
      return null;
    }
    URI u = URI.create(url);
    return u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "");
  }
}
