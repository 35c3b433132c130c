package com.seedim.im.common.events;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An app's {@code webhooks} settings (docs/webhooks.md): which events it records, how long they are kept, where they
 * are delivered, and its optional {@code before.message} hook. An app without them records nothing.
 *
 * @param recorded       the event types recorded (and replayable)
 * @param retentionHours recorded events are kept this long (redelivery and replay)
 */
public record WebhookConfig(Set<EventType> recorded, int retentionHours, List<Endpoint> endpoints,
                            BeforeMessage beforeMessage) {
  public static final int DEFAULT_RETENTION_HOURS = 72;
  public static final int MAX_RETENTION_HOURS = 720;
  public static final int DEFAULT_MAX_BATCH = 500;
  public static final int MAX_BATCH = 500;
  public static final int DEFAULT_TIMEOUT_MS = 5000;
  public static final int DEFAULT_BEFORE_TIMEOUT_MS = 1000;
  /** Endpoints per app at most (each has a worker on every events node, and each event a pending row per endpoint). */
  public static final int MAX_ENDPOINTS = 10;
  /** The name of the one endpoint an app may give as a bare {@code url}. */
  public static final String DEFAULT_ENDPOINT = "default";

  /** Nothing recorded, nothing delivered: an app without {@code webhooks}. */
  public static final WebhookConfig NONE = new WebhookConfig(Set.of(), DEFAULT_RETENTION_HOURS, List.of(), null);

  /**
   * One receiver.
   *
   * @param name     its id within the app (delivery state and metrics are kept per name)
   * @param events   the recorded types it gets
   * @param maxBatch events per POST at most
   */
  public record Endpoint(String name, URI url, Set<EventType> events, int maxBatch, int timeoutMs) {
    /** The path and query the signature covers ({@code /hooks/im?x=1}). */
    public String pathWithQuery() {
      String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }
  }

  /** The synchronous hook of 130 (protocol §6.2). */
  public record BeforeMessage(URI url, int timeoutMs, boolean failOpen) {
    public String pathWithQuery() {
      String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      return url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
    }
  }

  public boolean records(EventType t) {
    return recorded.contains(t);
  }

  /** The endpoints that get an event of type {@code t} (empty when none does or the type is not recorded). */
  public List<String> endpointsFor(EventType t) {
    if (!recorded.contains(t)) {
      return List.of();
    }
    List<String> out = new ArrayList<>(1);
    for (Endpoint e : endpoints) {
      if (e.events().contains(t)) {
        out.add(e.name());
      }
    }
    return out;
  }

  public Endpoint endpoint(String name) {
    for (Endpoint e : endpoints) {
      if (e.name().equals(name)) {
        return e;
      }
    }
    return null;
  }

  /** Reads {@code apps[].webhooks} (null: none); the config validator has checked types and ranges. */
  public static WebhookConfig fromJson(JsonObject j, String appId) {
    if (j == null) {
      return NONE;
    }
    Set<EventType> recorded = types(j.getJsonArray("events"), EventType.defaults(), appId, "webhooks.events");
    List<Endpoint> endpoints = new ArrayList<>();
    Set<String> names = new HashSet<>();
    JsonArray eps = j.getJsonArray("endpoints", new JsonArray());
    if (eps.size() > MAX_ENDPOINTS) {
      throw new IllegalArgumentException("app " + appId + ": at most " + MAX_ENDPOINTS + " webhook endpoints");
    }
    for (int i = 0; i < eps.size(); i++) {
      JsonObject e = eps.getJsonObject(i);
      String name = e.getString("name", eps.size() == 1 ? DEFAULT_ENDPOINT : null);
      if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
        throw new IllegalArgumentException("app " + appId + ": webhooks.endpoints[" + i + "] needs a name of 1-64 characters"
          + " of [A-Za-z0-9_.-] (only a single endpoint may leave it out)");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException("app " + appId + ": two webhook endpoints are named " + name);
      }
      Set<EventType> wanted = types(e.getJsonArray("events"), recorded, appId, "webhooks.endpoints[" + i + "].events");
      wanted.retainAll(recorded);
      endpoints.add(new Endpoint(name, url(e.getString("url"), appId, "webhooks.endpoints[" + i + "].url"), Set.copyOf(wanted),
        e.getInteger("maxBatch", DEFAULT_MAX_BATCH), e.getInteger("timeoutMs", DEFAULT_TIMEOUT_MS)));
    }
    JsonObject b = j.getJsonObject("beforeMessage");
    BeforeMessage before = b == null ? null : new BeforeMessage(url(b.getString("url"), appId, "webhooks.beforeMessage.url"),
      b.getInteger("timeoutMs", DEFAULT_BEFORE_TIMEOUT_MS), b.getBoolean("failOpen", true));
    return new WebhookConfig(Set.copyOf(recorded), j.getInteger("retentionHours", DEFAULT_RETENTION_HOURS),
      List.copyOf(endpoints), before);
  }

  private static Set<EventType> types(JsonArray a, Set<EventType> def, String appId, String where) {
    if (a == null) {
      return def.isEmpty() ? EnumSet.noneOf(EventType.class) : EnumSet.copyOf(def);
    }
    EnumSet<EventType> out = EnumSet.noneOf(EventType.class);
    for (Object o : a) {
      EventType t = EventType.of(String.valueOf(o));
      if (t == null) {
        throw new IllegalArgumentException("app " + appId + ": " + where + ": unknown event type '" + o + "'");
      }
      out.add(t);
    }
    return out;
  }

  /** An http(s) URL with a host. */
  public static URI url(String s, String appId, String where) {
    String err = urlProblem(s);
    if (err != null) {
      throw new IllegalArgumentException("app " + appId + ": " + where + ": " + err);
    }
    return URI.create(s);
  }

  /** Why a string is not a webhook URL, or null. */
  public static String urlProblem(Object v) {
    if (!(v instanceof String s) || s.isEmpty()) {
      return "an http:// or https:// URL";
    }
    if (!s.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
      return "an http(s) URL of printable ASCII (percent-encode the rest: the signature covers the path as written)";
    }
    try {
      URI u = new URI(s);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        return "an http:// or https:// URL with a host";
      }
      if (u.getRawFragment() != null || u.getRawUserInfo() != null) {
        return "an http(s) URL without user info or fragment";
      }
      return null;
    } catch (URISyntaxException e) {
      return "an http:// or https:// URL (" + e.getReason() + ")";
    }
  }

  /** Why a value is not a list of event type names, or null. */
  public static String typesProblem(Object v) {
    if (v instanceof JsonArray a) {
      for (Object o : a) {
        if (EventType.of(String.valueOf(o)) == null) {
          return "event types among " + String.join(", ", EventType.wireNames()) + " (not '" + o + "')";
        }
      }
    }
    return null;
  }
}
