package com.seedim.im.gateway;

import com.seedim.im.common.infra.LogContext;
import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.msg.SessionClosed;
import com.seedim.im.common.bus.msg.SessionOpened;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.NoticeCode;
import com.seedim.im.common.store.Route;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A session's start and end as the rest of the cluster sees them. Start, before the upgrade: the route is
 * registered (displaced devices are closed), then the services' connect steps run — 1170 heads and the undelivered
 * 140s (chat), 551/301 (room), 410 (queue) — and their frames are kept for the socket. If any of that fails the
 * handshake is refused 503 with {@code retryAfterMs}: no socket is ever opened without its post-connect sequence
 * (PROTOCOL.md §2). End: the route is removed (only after its registration finished, so a fast close never leaves
 * a stale route behind) and the services are told, retried while a service kind is redeploying.
 */
final class ConnectSequence {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectSequence.class);
  /** Attempts to remove a route, and to tell a service of a disconnect that found no handler. */
  static final int END_ATTEMPTS = 5;
  static final long END_RETRY_MS = 2000;
  private static final List<String> CONNECT_STEPS = List.of(Addresses.CHAT_CONNECT, Addresses.ROOM_CONNECT, Addresses.QUEUE_CONNECT);
  private static final List<String> DISCONNECT_NOTICES =
    List.of(Addresses.CHAT_DISCONNECT, Addresses.ROOM_DISCONNECT, Addresses.QUEUE_DISCONNECT);

  private final Vertx vertx;
  private final Infra infra;
  private final ServerConfig config;
  private final SessionTable sessions;
  private final Dispatcher dispatcher;
  private final String address;

  ConnectSequence(Vertx vertx, Infra infra, SessionTable sessions, Dispatcher dispatcher, String address) {
    this.vertx = vertx;
    this.infra = infra;
    this.config = infra.config();
    this.sessions = sessions;
    this.dispatcher = dispatcher;
    this.address = address;
  }

  /** Registers {@code c} (already in the session table) and runs the connect steps; their frames, in order. */
  Future<List<ServerPush>> start(Connection c) {
    Handshake.Identity who = c.who;
    Route route = new Route(who.deviceId(), c.id, address, who.role(), c.connectedAt);
    Future<SessionRegistration> reg = infra.directory().register(c.appId(), c.userId(), route, who.app().maxDevices())
      .timeout(config.busTimeoutMs(), TimeUnit.MILLISECONDS)
      .map(r -> {
        for (Route old : r.displaced()) {
          kick(old, c.appId(), c.userId(), NoticeCode.REPLACED, "replaced by a newer connection");
        }
        return new SessionRegistration(r.firstDevice(), r.leftAgoMs());
      });
    c.registration = reg.mapEmpty();
    return reg.compose(r -> {
      SessionOpened body = new SessionOpened(c.ctx, r.firstDevice(), who.headsSince(), r.leftAgoMs());
      List<ServerPush> frames = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (String step : CONNECT_STEPS) {
        chain = chain.compose(v -> c.isClosed() ? Future.succeededFuture() : step(step, body, frames));
      }
      return chain.map(v -> frames);
    });
  }

  private record SessionRegistration(boolean firstDevice, long leftAgoMs) {
  }

  private Future<Void> step(String step, SessionOpened body, List<ServerPush> frames) {
    return dispatcher.request(step, body).<Void>map(reply -> {
      frames.addAll(ServerPush.selfOf(reply));
      return null;
    }).recover(err -> err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
      ? Future.succeededFuture() // that service kind is not deployed (or redeploying): nothing of its state to send
      : Future.failedFuture(err));
  }

  /** The socket closed, or its connect sequence was abandoned: the session ends (a 251 ended it already). */
  void closed(Connection c) {
    c.onClosed();
    boolean wasOpen = sessions.remove(c);
    if (wasOpen && !c.loggedOut) {
      end(c, false);
    }
  }

  /** A 251: presence and rooms update at once. */
  void loggedOut(Connection c) {
    if (sessions.remove(c)) {
      end(c, true);
    }
  }

  private void end(Connection c, boolean logout) {
    Future<Void> registered = c.registration == null ? Future.succeededFuture() : c.registration;
    // after the registration, whatever its outcome: a close that overtook it must not leave its route behind (M10)
    registered.transform(ar -> unregister(c, logout, 1)).onComplete(ar -> {
      boolean last = ar.succeeded() && ar.result();
      SessionClosed body = new SessionClosed(c.ctx, last, logout, c.kicked);
      for (String notice : DISCONNECT_NOTICES) {
        tell(notice, body, 1);
      }
      if (LOG.isDebugEnabled()) {
        try (LogContext m = c.logContext()) {
          LOG.debug("disconnected {}/{}/{} ({}, last device: {}, logout: {})", c.appId(), c.userId(), c.deviceId(), c.id, last,
            logout);
        }
      }
    });
  }

  private Future<Boolean> unregister(Connection c, boolean logout, int attempt) {
    return infra.directory().unregister(c.appId(), c.userId(), c.deviceId(), c.id, logout)
      .timeout(config.busTimeoutMs(), TimeUnit.MILLISECONDS)
      .recover(err -> {
        if (attempt >= END_ATTEMPTS) {
          LOG.warn("could not remove route of {}/{}/{} after {} attempts: {}", c.appId(), c.userId(), c.deviceId(), attempt,
            err.toString());
          return Future.failedFuture(err);
        }
        return later(attempt).compose(v -> unregister(c, logout, attempt + 1));
      });
  }

  private void tell(String notice, SessionClosed body, int attempt) {
    dispatcher.request(notice, body).onFailure(err -> {
      boolean absent = err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
      if (absent && attempt < END_ATTEMPTS) {
        later(attempt).onComplete(v -> tell(notice, body, attempt + 1)); // that service kind may be redeploying
      } else if (!absent) {
        LOG.warn("{} for {} failed: {}", notice, body.ctx().userId(), err.toString());
      }
    });
  }

  private Future<Void> later(int attempt) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(END_RETRY_MS * attempt, t -> p.complete());
    return p.future();
  }

  /** Closes a displaced route's socket, here or on its gateway. */
  void kick(Route r, String appId, String userId, NoticeCode code, String why) {
    Connection local = sessions.byId(r.connId());
    if (local != null) {
      local.closeWithNotice(code, why);
    } else if (!r.gateway().equals(address)) {
      infra.pusher().kick(r.gateway(), appId, userId, r.connId(), code);
    }
  }
}
