package com.seedim.im.common.store.memory;

import com.seedim.im.common.store.Route;
import com.seedim.im.common.store.SessionDirectory;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Dev-mode {@link SessionDirectory}: one JVM, so every gateway instance is alive while registered. */
public final class MemorySessionDirectory implements SessionDirectory {
  private final Map<String, Map<String, Route>> users = new HashMap<>();
  private final Set<String> gone = ConcurrentHashMap.newKeySet();
  /** When each user's last device left (until the user registers again). */
  private final Map<String, Long> leftAt = new ConcurrentHashMap<>();

  private static String key(String appId, String userId) {
    return appId + '\n' + userId;
  }

  @Override
  public synchronized Future<Registration> register(String appId, String userId, Route route, int maxDevices) {
    Map<String, Route> devices = users.computeIfAbsent(key(appId, userId), k -> new LinkedHashMap<>());
    devices.values().removeIf(r -> gone.contains(r.gateway()));
    List<Route> displaced = new ArrayList<>();
    for (Iterator<Route> it = devices.values().iterator(); it.hasNext(); ) {
      Route r = it.next();
      if (r.deviceId().equals(route.deviceId()) || !r.role().equals(route.role())) {
        displaced.add(r);
        it.remove();
      }
    }
    boolean first = devices.isEmpty() && displaced.isEmpty();
    while (devices.size() >= maxDevices) {
      Route oldest = null;
      for (Route r : devices.values()) {
        if (oldest == null || r.connectedAt() < oldest.connectedAt()) {
          oldest = r;
        }
      }
      devices.remove(oldest.deviceId());
      displaced.add(oldest);
    }
    devices.put(route.deviceId(), route);
    Long left = leftAt.remove(key(appId, userId));
    long ago = first && left != null ? System.currentTimeMillis() - left : -1;
    return Future.succeededFuture(new Registration(displaced, first,
      ago >= 0 && ago < Registration.LEFT_MEMORY_MS ? ago : -1));
  }

  @Override
  public synchronized Future<Boolean> unregister(String appId, String userId, String deviceId, String connId,
                                                 boolean logout) {
    String k = key(appId, userId);
    Map<String, Route> devices = users.get(k);
    if (devices == null) {
      return Future.succeededFuture(false);
    }
    Route r = devices.get(deviceId);
    if (r == null || !r.connId().equals(connId)) {
      return Future.succeededFuture(false);
    }
    devices.remove(deviceId);
    devices.values().removeIf(x -> gone.contains(x.gateway()));
    if (devices.isEmpty()) {
      users.remove(k);
      if (logout) {
        leftAt.remove(k);
      } else {
        leftAt.put(k, System.currentTimeMillis());
      }
      return Future.succeededFuture(true);
    }
    return Future.succeededFuture(false);
  }

  @Override
  public synchronized Future<List<Route>> routes(String appId, String userId) {
    return Future.succeededFuture(live(users.get(key(appId, userId))));
  }

  @Override
  public synchronized Future<Map<String, List<Route>>> routes(String appId, Collection<String> userIds) {
    Map<String, List<Route>> out = new HashMap<>();
    for (String u : userIds) {
      List<Route> r = live(users.get(key(appId, u)));
      if (!r.isEmpty()) {
        out.put(u, r);
      }
    }
    return Future.succeededFuture(out);
  }

  private List<Route> live(Map<String, Route> devices) {
    if (devices == null) {
      return List.of();
    }
    List<Route> out = new ArrayList<>(devices.size());
    for (Route r : devices.values()) {
      if (!gone.contains(r.gateway())) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public Future<Void> gatewayAlive(String gateway) {
    gone.remove(gateway);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> gatewayGone(String gateway) {
    gone.add(gateway);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> touch(String appId, String userId) {
    return Future.succeededFuture();
  }
}
