package com.seedim.im.common.store;

import io.vertx.core.Future;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The cluster-wide user → device → gateway route records (PROTOCOL.md §2 devices, §5 presence).
 * Entries of gateway instances that stopped heart-beating are ignored and cleaned lazily.
 */
public interface SessionDirectory {

  /**
   * Outcome of a registration.
   *
   * @param displaced   routes the new one replaces (same device, another role, or beyond maxDevices): close them
   * @param firstDevice the user had no live device before
   */
  record Registration(List<Route> displaced, boolean firstDevice) {
  }

  /** Atomically adds a route, displacing the same device, other roles and the oldest beyond {@code maxDevices}. */
  Future<Registration> register(String appId, String userId, Route route, int maxDevices);

  /**
   * Removes a route only if it still belongs to {@code connId} (a late close never removes a newer session).
   *
   * @return true when the route was removed and the user has no live device left
   */
  Future<Boolean> unregister(String appId, String userId, String deviceId, String connId);

  /** The user's live routes. */
  Future<List<Route>> routes(String appId, String userId);

  /** Live routes of many users (users without any are absent from the map). */
  Future<Map<String, List<Route>>> routes(String appId, Collection<String> userIds);

  /** Marks a gateway instance alive; called periodically by each gateway. */
  Future<Void> gatewayAlive(String gateway);

  /** Marks a gateway instance gone (graceful stop): its routes stop counting at once. */
  Future<Void> gatewayGone(String gateway);

  /** Refreshes the expiry of a user's route record (long-lived connections). */
  Future<Void> touch(String appId, String userId);
}
