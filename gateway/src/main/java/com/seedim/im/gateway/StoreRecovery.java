package com.seedim.im.gateway;

import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.store.Route;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the gateway does when Redis lost data ({@code RedisResets}): routes are derived from live sockets, so each of
 * this instance's sessions is registered again at once (delivery to online receivers resumes; messages stored in
 * the gap stay undelivered and reach them through the sweeper); each socket that was told it waits in a queue gets
 * 431 {@code waitIndex: -1}, and each that was told it is in a room gets 560 {@code reason: "lost"} (PROTOCOL.md §6);
 * API requests signed before the loss are refused from now on (their nonces are gone).
 */
final class StoreRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(StoreRecovery.class);

  private final Infra infra;
  private final SessionTable sessions;
  private final String address;
  private final long timeoutMs;
  private volatile long lossNoticedAt;

  StoreRecovery(Infra infra, SessionTable sessions, String address) {
    this.infra = infra;
    this.sessions = sessions;
    this.address = address;
    this.timeoutMs = infra.config().busTimeoutMs();
  }

  /** When this gateway last noticed that Redis lost data (epoch ms), or 0. */
  long lossNoticedAt() {
    return lossNoticedAt;
  }

  void onReset(long noticedAt) {
    lossNoticedAt = noticedAt;
    infra.directory().gatewayAlive(address);
    List<Future<?>> all = new ArrayList<>();
    int rooms = 0;
    int places = 0;
    for (Connection c : List.copyOf(sessions.all())) {
      if (c.isClosed() || !c.attached()) {
        continue; // a session still in its connect sequence registers after this point anyway
      }
      Route r = new Route(c.deviceId(), c.id, address, c.who.role(), c.connectedAt);
      all.add(infra.directory().register(c.appId(), c.userId(), r, c.who.app().maxDevices())
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onSuccess(reg -> {
          if (!reg.displaced().isEmpty()) {
            LOG.warn("re-registering {}/{}/{} displaced {} routes", c.appId(), c.userId(), c.deviceId(), reg.displaced().size());
          }
        }));
      for (ServerPush p : c.storeLost()) {
        if (p.reliable()) {
          rooms++; // 560
        } else {
          places++; // 431
        }
      }
    }
    int sockets = all.size();
    int lostRooms = rooms;
    int lostPlaces = places;
    Future.join(all).onComplete(ar -> {
      long failed = all.stream().filter(Future::failed).count();
      LOG.warn("store reset: {} sessions re-registered ({} failed), {} rooms and {} queue places announced lost",
        sockets - failed, failed, lostRooms, lostPlaces);
    });
  }
}
