package com.seedim.im.gateway;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sessions of one gateway instance: connections by id and by (app, user). A connection is in the table from
 * the start of its connect sequence (so pushes for it are held, not lost) until it closes or logs out.
 */
final class SessionTable {
  private final Map<String, Connection> byId = new HashMap<>();
  private final Map<String, List<Connection>> byUser = new HashMap<>();
  private final GatewayMetrics metrics;

  SessionTable(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  void add(Connection c) {
    byId.put(c.id, c);
    byUser.computeIfAbsent(userKey(c.appId(), c.userId()), k -> new ArrayList<>(2)).add(c);
    metrics.connections(byId.size());
  }

  /** Removes a connection; false when it was not (or no longer) in the table. */
  boolean remove(Connection c) {
    if (byId.remove(c.id) == null) {
      return false;
    }
    String k = userKey(c.appId(), c.userId());
    List<Connection> l = byUser.get(k);
    if (l != null) {
      l.remove(c);
      if (l.isEmpty()) {
        byUser.remove(k);
      }
    }
    metrics.connections(byId.size());
    return true;
  }

  Connection byId(String connId) {
    return byId.get(connId);
  }

  /** The user's connections on this instance (a copy), empty when none. */
  List<Connection> ofUser(String appId, String userId) {
    List<Connection> l = byUser.get(userKey(appId, userId));
    return l == null ? List.of() : List.copyOf(l);
  }

  Collection<Connection> all() {
    return byId.values();
  }

  int size() {
    return byId.size();
  }

  /** '\n' is no id character, so (app, user) pairs never collide. */
  private static String userKey(String appId, String userId) {
    return appId + '\n' + userId;
  }
}
