package com.seedim.im.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The server-wide {@code desk} object: whether the gateway serves the customer-service pages under {@code /desk/}
 * (the customer widget, the agent workspace, the supervisor view; docs/customer-service.md) and where those pages get
 * their signed connect URLs. The pages never sign anything themselves and never use {@code /dev/*} outside dev mode:
 * they call {@code signUrl} — an endpoint of the product's own backend that knows who the visitor is (its session)
 * and answers what {@code POST /api/v1/sign} answered it.
 *
 * @param enabled        serve {@code /desk/} (default: on in dev mode, off otherwise)
 * @param signUrl        the product's sign endpoint (absolute https URL or a path on the gateway's origin); in dev mode
 *                       {@code /dev/sign} when not set
 * @param frameAncestors origins allowed to embed the widget in an iframe (CSP {@code frame-ancestors}); empty: only
 *                       the gateway's own origin
 */
public record DeskConfig(boolean enabled, String signUrl, List<String> frameAncestors) {
  /** The sign endpoint of dev mode (loopback only, {@code DevEndpoints}). */
  public static final String DEV_SIGN_URL = "/dev/sign";
  public static final DeskConfig OFF = new DeskConfig(false, null, List.of());

  public DeskConfig {
    frameAncestors = List.copyOf(frameAncestors);
  }

  /** True when the pages sign through dev mode's {@code /dev/sign} (they then ask the visitor for a user id). */
  public boolean devSign() {
    return DEV_SIGN_URL.equals(signUrl);
  }

  /** The {@code desk} section of a parsed server config. */
  public static DeskConfig of(ServerConfig c) {
    JsonObject d = c.raw() == null ? null : c.raw().getJsonObject("desk");
    return fromJson(d, c.dev());
  }

  static DeskConfig fromJson(JsonObject d, boolean dev) {
    JsonObject j = d == null ? new JsonObject() : d;
    boolean enabled = j.getBoolean("enabled", dev);
    String signUrl = j.getString("signUrl");
    if ((signUrl == null || signUrl.isEmpty()) && dev) {
      signUrl = DEV_SIGN_URL;
    }
    List<String> ancestors = new ArrayList<>();
    JsonArray a = j.getJsonArray("frameAncestors");
    if (a != null) {
      a.forEach(o -> ancestors.add(String.valueOf(o)));
    }
    return new DeskConfig(enabled, signUrl == null || signUrl.isEmpty() ? null : signUrl, ancestors);
  }

  /** What is wrong with the section (null when fine). */
  public String problem(boolean dev) {
    if (!enabled) {
      return null;
    }
    if (signUrl == null) {
      return "desk.enabled is true but desk.signUrl is not set (or IM_DESK_SIGN_URL): the desk pages need your "
        + "backend's sign endpoint (docs/customer-service.md)";
    }
    if (!dev && devSign()) {
      return "desk.signUrl is /dev/sign, which exists only in dev mode: point it at your backend's sign endpoint";
    }
    return null;
  }

  /** Checks one {@code signUrl}: a path on the gateway ({@code /...}) or an absolute http(s) URL. */
  static String signUrlCheck(Object v) {
    String s = String.valueOf(v);
    if (s.startsWith("/") && !s.startsWith("//")) {
      return null;
    }
    try {
      URI u = new URI(s);
      return ("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null ? null
        : "a path (/...) or an http(s) URL";
    } catch (Exception e) {
      return "a path (/...) or an http(s) URL";
    }
  }

  /** Checks one frame ancestor: an origin ({@code https://shop.example.com}) or a CSP host source with a wildcard. */
  static String ancestorCheck(Object v) {
    if (!(v instanceof JsonArray a)) {
      return null;
    }
    for (Object o : a) {
      String s = String.valueOf(o);
      if (!s.matches("^https?://(\\*\\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$")) {
        return "origins such as https://shop.example.com or https://*.example.com";
      }
    }
    return null;
  }
}
