package com.seedim.im.common.config;

import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** The configured apps by appId. Immutable after start. */
public final class AppRegistry {
  private final Map<String, AppConfig> apps;

  public AppRegistry(Collection<AppConfig> apps) {
    Map<String, AppConfig> m = new LinkedHashMap<>();
    for (AppConfig a : apps) {
      if (m.put(a.appId(), a) != null) {
        throw new IllegalArgumentException("duplicate appId " + a.appId());
      }
    }
    this.apps = Map.copyOf(m);
  }

  /** The app, or null when unknown. */
  public AppConfig get(String appId) {
    return appId == null ? null : apps.get(appId);
  }

  /** The app, or a {@code NOT_FOUND} protocol error when unknown. */
  public AppConfig require(String appId) {
    AppConfig a = get(appId);
    if (a == null) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "unknown app");
    }
    return a;
  }

  public Collection<AppConfig> all() {
    return apps.values();
  }
}
