package com.seedim.im.gateway;

import com.seedim.im.common.store.SessionDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The gateway's periodic work, every {@link #TICK_MS} at most: resends of unacked reliable pushes (PROTOCOL.md §4),
 * the idle rule and slow consumers per socket, the door's buckets, and the refresh of long-lived route records.
 */
final class GatewayTick {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayTick.class);
  static final long TICK_MS = 1000;
  static final long MIN_TICK_MS = 50;
  /** Route records of long-lived connections are refreshed this often. */
  static final long ROUTE_TOUCH_MS = 3_600_000;

  private final SessionTable sessions;
  private final Admission admission;
  private final SessionDirectory directory;
  /** Connections holding unacked reliable pushes: only these are looked at for resends. */
  private final Set<Connection> withPending = new LinkedHashSet<>();
  private long lastTouch = System.currentTimeMillis();

  GatewayTick(SessionTable sessions, Admission admission, SessionDirectory directory) {
    this.sessions = sessions;
    this.admission = admission;
    this.directory = directory;
  }

  /** The tick period: often enough for the first resend delay, never busier than {@link #MIN_TICK_MS}. */
  static long periodMs(long firstResendDelayMs) {
    return Math.max(MIN_TICK_MS, Math.min(TICK_MS, firstResendDelayMs / 2));
  }

  void hasPending(Connection c) {
    withPending.add(c);
  }

  void forget(Connection c) {
    withPending.remove(c);
  }

  void run(long now) {
    resend(now);
    for (Connection c : List.copyOf(sessions.all())) {
      try {
        c.tick(now);
      } catch (RuntimeException e) {
        // a socket whose TCP connection ended before its close handler ran: one must not stop the others' checks
        LOG.debug("tick of {}/{} ({}) failed: {}", c.appId(), c.userId(), c.id, e.toString());
      }
    }
    admission.prune(now);
    if (now - lastTouch > ROUTE_TOUCH_MS) {
      lastTouch = now;
      touchRoutes();
    }
  }

  private void resend(long now) {
    for (Iterator<Connection> it = withPending.iterator(); it.hasNext(); ) {
      Connection c = it.next();
      boolean keep;
      try {
        keep = !c.isClosed() && c.out().resendDue(now);
      } catch (RuntimeException e) {
        // one broken socket must not stop the resends of the others
        LOG.debug("resend to {}/{} ({}) failed: {}", c.appId(), c.userId(), c.id, e.toString());
        keep = false;
      }
      if (!keep) {
        it.remove();
      }
    }
  }

  private void touchRoutes() {
    Set<String> seen = new HashSet<>();
    for (Connection c : sessions.all()) {
      if (seen.add(c.appId() + '\n' + c.userId())) {
        directory.touch(c.appId(), c.userId());
      }
    }
  }
}
