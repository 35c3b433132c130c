package com.seedim.im.gateway;

import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.AppRegistry;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.proto.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

import static com.seedim.im.gateway.ApiResponses.problem;

/**
 * Dev mode only: the demo page (static files from {@code webroot}) and its unsigned sign endpoints {@code /dev/sign}
 * and {@code /dev/chat-sign}, which answer a loopback peer that talks to them directly under a loopback name: not
 * through a proxy (behind a same-host reverse proxy every peer is loopback, audit M1) and not under a foreign Host
 * name (a DNS-rebinding page in the developer's browser, audit L8).
 */
final class DevEndpoints {
  /** Host header values the dev endpoints answer (DNS rebinding): localhost, 127.x.x.x, [::1], any port. */
  private static final Pattern LOOPBACK_HOST = Pattern.compile(
    "(?i)(localhost|127\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){2}"
      + "|\\[::1\\]|\\[0:0:0:0:0:0:0:1\\])(:[0-9]{1,5})?");
  private static final List<String> PROXY_HEADERS = List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP");

  private DevEndpoints() {
  }

  static void mount(Router router, AppRegistry apps, ApiPort gw) {
    router.get("/dev/sign").handler(rc -> dev(rc, q -> Signs.login(app(apps, q), new JsonObject()
      .put("userId", q.apply("userId")).put("deviceId", q.apply("deviceId")).put("role", q.apply("role")), gw.wsUrl())));
    router.get("/dev/chat-sign").handler(rc -> dev(rc, q -> Signs.chat(app(apps, q), new JsonObject()
      .put("userId", q.apply("userId")).put("receiveUserId", q.apply("receiveUserId")))));
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
  }

  /** The app named by the {@code appId} parameter, or the first configured one. */
  private static AppConfig app(AppRegistry apps, Function<String, String> q) {
    String appId = q.apply("appId");
    return appId == null ? apps.all().iterator().next() : apps.require(appId);
  }

  private static void dev(RoutingContext rc, Function<Function<String, String>, JsonObject> h) {
    HttpServerRequest req = rc.request();
    String remote = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
    if (!ServerConfig.isLoopback(remote) && !"0:0:0:0:0:0:0:1".equals(remote)) {
      problem(rc, ErrorCode.FORBIDDEN, "dev endpoints answer loopback clients only");
      return;
    }
    for (String header : PROXY_HEADERS) {
      if (req.headers().contains(header)) {
        problem(rc, ErrorCode.FORBIDDEN, "dev endpoints do not answer proxied requests");
        return;
      }
    }
    if (!isLoopbackHost(req)) {
      problem(rc, ErrorCode.FORBIDDEN, "dev endpoints answer only Host localhost, 127.x.x.x or [::1]");
      return;
    }
    Future<JsonObject> f;
    try {
      f = Future.succeededFuture(h.apply(req::getParam));
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    ApiResponses.respond(rc, f);
  }

  private static boolean isLoopbackHost(HttpServerRequest req) {
    String host = req.getHeader(HttpHeaders.HOST);
    if (host == null && req.authority() != null) {
      host = req.authority().toString();
    }
    return host != null && LOOPBACK_HOST.matcher(host.trim()).matches();
  }
}
