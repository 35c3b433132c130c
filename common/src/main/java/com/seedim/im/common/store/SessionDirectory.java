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
   * @param leftAgoMs   for a first device: how long ago the user's last device left ({@link #unregister} returned
   *                    true), as the store's clock sees it; -1 when unknown (never, long ago, or not a first device).
   *                    Decided in the same atomic step as the registration, so a quick reconnect is recognised even
   *                    when the services have not yet handled the disconnect
   */
  record Registration(List<Route> displaced, boolean firstDevice, long leftAgoMs) {
    /** How long {@code leftAgoMs} is remembered (beyond any presence grace). */
    public static final long LEFT_MEMORY_MS = 3_600_000;

    public Registration(List<Route> displaced, boolean firstDevice) {
      this(displaced, firstDevice, -1);
    }
  }

  /** Atomically adds a route, displacing the same device, other roles and the oldest beyond {@code maxDevices}. */
  Future<Registration> register(String appId, String userId, Route route, int maxDevices);

  /**
   * Removes a route only if it still belongs to {@code connId} (a late close never removes a newer session).
   *
   * @return true when the route was removed and the user has no live device left (the time is remembered for
   *     {@link Registration#leftAgoMs}, unless {@code logout}: a logout is announced at once, so a device that
   *     connects after it is a fresh arrival, not a return within the grace)
   */
  Future<Boolean> unregister(String appId, String userId, String deviceId, String connId, boolean logout);

  /** {@link #unregister(String, String, String, String, boolean)} of a connection that closed without a logout. */
  default Future<Boolean> unregister(String appId, String userId, String deviceId, String connId) {
    return unregister(appId, userId, deviceId, connId, false);
  }

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
