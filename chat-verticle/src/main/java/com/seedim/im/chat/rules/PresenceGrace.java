package com.seedim.im.chat.rules;

/**
 * The presence decisions of PROTOCOL.md §5 (200/210): a user's last device leaving is announced only
 * after {@code presenceGraceSeconds}, unless the user comes back meanwhile; a logout from the last device
 * is announced at once; a first device that comes back within the grace announces nothing (no flap).
 * The pending announcement is a marker with a token (kept in the cluster-wide key-value store).
 */
public final class PresenceGrace {
  /** What to do when a device leaves. */
  public enum OnLeave {
    /** Other devices remain: nothing. */
    NOTHING,
    /** Announce offline now. */
    ANNOUNCE_NOW,
    /** Record a pending marker and announce after the grace unless the user comes back. */
    ANNOUNCE_AFTER_GRACE
  }

  private PresenceGrace() {
  }

  public static OnLeave onLeave(boolean lastDevice, boolean logout, int graceSeconds) {
    if (!lastDevice) {
      return OnLeave.NOTHING;
    }
    return logout || graceSeconds <= 0 ? OnLeave.ANNOUNCE_NOW : OnLeave.ANNOUNCE_AFTER_GRACE;
  }

  /**
   * Whether a connecting device announces the user online.
   *
   * @param pendingMarker the pending-offline marker found (null when none): a quick reconnect
   */
  public static boolean announceOnline(boolean firstDevice, String pendingMarker) {
    return firstDevice && pendingMarker == null;
  }

  /**
   * Whether a first device is back within the grace by the route store's own record of when the last device left.
   * This holds even when the disconnect's marker is not written yet (its handling may still be on its way on another
   * chat instance or node); a later marker then finds the user online when its grace ends and announces nothing.
   *
   * @param leftAgoMs how long ago the last device left, -1 when unknown
   */
  public static boolean backWithinGrace(long leftAgoMs, int graceSeconds) {
    return leftAgoMs >= 0 && graceSeconds > 0 && leftAgoMs < graceSeconds * 1000L;
  }

  /**
   * Whether the grace timer that recorded {@code myToken} announces offline: only when its marker is still
   * the current one (no reconnect, no newer leave) and the user has no live device.
   */
  public static boolean announceOfflineAfterGrace(String markerNow, String myToken, boolean hasLiveDevice) {
    return myToken.equals(markerNow) && !hasLiveDevice;
  }
}
