package com.seedim.im.chat;

import com.seedim.im.chat.rules.MessageFormatter;
import com.seedim.im.chat.rules.PresenceGrace;
import com.seedim.im.chat.store.ChatStore;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.bus.msg.ApiQueries.PresenceQuery;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.events.EventType;
import com.seedim.im.common.events.Events;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Presence (PROTOCOL.md §5): the 101 query, the HTTP presence query, and the 200/210 notices to a user's
 * online contacts with the reconnect grace. The pending-offline marker lives in the cluster-wide key-value
 * store, so a reconnect handled by another chat node still cancels the 210.
 */
final class PresenceService {
  private static final Logger LOG = LoggerFactory.getLogger(PresenceService.class);
  /** Contacts = conversation peers of this many days. */
  static final long CONTACT_DAYS = 30;
  /** At most this many contacts are told. */
  static final int MAX_CONTACTS = 500;
  /** At most this many users per 101 query or HTTP presence query. */
  static final int MAX_QUERY_USERS = 200;
  /** The marker outlives the grace by this much so a slow timer still finds it. */
  private static final long MARKER_MARGIN_MS = 30_000;
  private static final String MARKER_PREFIX = "presence-off|";

  private final Infra infra;
  private final ChatStore store;
  private final Set<Long> timers = new HashSet<>();

  PresenceService(Infra infra, ChatStore store) {
    this.infra = infra;
    this.store = store;
  }

  private static String marker(String appId, String userId) {
    return MARKER_PREFIX + appId + '|' + userId;
  }

  /** 101: statuses of the requested users; users sharing no conversation with the requester read false unless public. */
  Future<ServiceReply> onQuery(AppConfig app, RequestContext ctx, JsonObject frame) {
    List<String> ids = Frames.ids(frame, "userIds", MAX_QUERY_USERS);
    if (ids == null) {
      String one = Frames.optId(frame, MessageFormatter.RECEIVE_USER_ID);
      if (one == null) {
        throw ProtocolException.missing("userIds");
      }
      ids = List.of(one);
    }
    List<String> asked = ids;
    Future<Set<String>> visible = app.presencePublic() ? Future.succeededFuture(new HashSet<>(asked))
      : store.contactsAmong(app.appId(), ctx.userId(), asked).map(s -> {
        Set<String> v = new HashSet<>(s);
        v.add(ctx.userId());
        return v;
      });
    return visible.compose(v -> statuses(app.appId(), asked, v))
      .map(st -> ServiceReply.ok().reply(Frames.frame(MsgType.ONLINE_STATUS).put("statuses", st)));
  }

  /** HTTP API presence → {statuses} (a business server sees everyone of its app; the ids were checked by the gateway). */
  Future<JsonObject> onApiQuery(AppConfig app, PresenceQuery query) {
    List<String> ids = query.userIds();
    if (ids.size() > MAX_QUERY_USERS) {
      throw ProtocolException.invalid("userIds", "at most " + MAX_QUERY_USERS + " entries");
    }
    return statuses(app.appId(), ids, new HashSet<>(ids)).map(st -> new JsonObject().put("statuses", st));
  }

  private Future<JsonObject> statuses(String appId, List<String> ids, Set<String> visible) {
    List<String> lookup = new ArrayList<>(new LinkedHashSet<>(ids));
    lookup.retainAll(visible);
    return infra.directory().routes(appId, lookup).map(online -> {
      JsonObject st = new JsonObject();
      for (String id : ids) {
        st.put(id, online.containsKey(id));
      }
      return st;
    });
  }

  /** The oldest conversation activity that still makes a contact, seen at {@code nowMs}. */
  static long contactsSince(long nowMs) {
    return nowMs - TimeUnit.DAYS.toMillis(CONTACT_DAYS);
  }

  /**
   * A new connection: a first device announces 200 unless the user is back within the grace.
   *
   * @param recentPeers the user's contacts, read with the rest of the connect (one store read per connect)
   * @param leftAgoMs   how long ago the user's last device left, by the route store (-1 unknown)
   */
  void onConnect(AppConfig app, String userId, boolean firstDevice, List<String> recentPeers, long leftAgoMs) {
    if (!firstDevice) {
      return;
    }
    String key = marker(app.appId(), userId);
    infra.kv().get(key).compose(pending -> {
      if (PresenceGrace.announceOnline(true, pending)
        && !PresenceGrace.backWithinGrace(leftAgoMs, app.presenceGraceSeconds())) {
        return tell(app, userId, true, recentPeers);
      }
      LOG.debug("{}/{} back within the presence grace: no 200", app.appId(), userId);
      return infra.kv().delete(key);
    }).onFailure(err -> LOG.warn("presence on connect of {}/{} failed: {}", app.appId(), userId, err.toString()));
  }

  /** A closed connection: the last device leaving announces 210 now (logout) or after the grace. */
  void onDisconnect(AppConfig app, String userId, boolean lastDevice, boolean logout) {
    String key = marker(app.appId(), userId);
    Future<?> done = switch (PresenceGrace.onLeave(lastDevice, logout, app.presenceGraceSeconds())) {
      case NOTHING -> Future.succeededFuture();
      case ANNOUNCE_NOW -> infra.kv().delete(key).compose(v -> announce(app, userId, false));
      case ANNOUNCE_AFTER_GRACE -> {
        String token = UUID.randomUUID().toString();
        long graceMs = TimeUnit.SECONDS.toMillis(app.presenceGraceSeconds());
        yield infra.kv().set(key, token, graceMs + MARKER_MARGIN_MS).onSuccess(v -> schedule(graceMs, app, userId, token));
      }
    };
    done.onFailure(err -> LOG.warn("presence on disconnect of {}/{} failed: {}", app.appId(), userId, err.toString()));
  }

  private synchronized void schedule(long delayMs, AppConfig app, String userId, String token) {
    long[] id = new long[1];
    id[0] = infra.vertx().setTimer(delayMs, t -> {
      forget(id[0]);
      graceOver(app, userId, token);
    });
    timers.add(id[0]);
  }

  private synchronized void forget(long timerId) {
    timers.remove(timerId);
  }

  private void graceOver(AppConfig app, String userId, String token) {
    String key = marker(app.appId(), userId);
    Future<String> pending = infra.kv().get(key);
    Future<Boolean> live = infra.directory().routes(app.appId(), userId).map(r -> !r.isEmpty());
    Future.all(pending, live).compose(v -> {
      if (!token.equals(pending.result())) {
        return Future.succeededFuture();
      }
      Future<Void> cleared = infra.kv().delete(key);
      return PresenceGrace.announceOfflineAfterGrace(pending.result(), token, live.result())
        ? cleared.compose(x -> announce(app, userId, false)) : cleared;
    }).onFailure(err -> LOG.warn("presence grace of {}/{} failed: {}", app.appId(), userId, err.toString()));
  }

  /** Sends 200/210 about {@code userId} to its online contacts. */
  private Future<Void> announce(AppConfig app, String userId, boolean online) {
    return store.recentPeers(app.appId(), userId, contactsSince(System.currentTimeMillis()), MAX_CONTACTS)
      .compose(peers -> tell(app, userId, online, peers));
  }

  /**
   * Sends 200/210 about {@code userId} to those of {@code peers} that are online, and records {@code presence.changed}
   * for apps that ask for it (the same moments: a return within the grace is no change).
   */
  private Future<Void> tell(AppConfig app, String userId, boolean online, List<String> peers) {
    // not awaited: contacts are told whatever the outbox does (emit never fails)
    Events.of(infra).emit(app.appId(), EventType.PRESENCE_CHANGED,
      new JsonObject().put("userId", userId).put("status", online ? "online" : "offline"));
    return infra.directory().routes(app.appId(), peers)
      .compose(onlinePeers -> {
        JsonObject frame = MessageFormatter.presence(userId, online);
        List<Future<Integer>> sent = new ArrayList<>();
        for (String peer : onlinePeers.keySet()) {
          sent.add(infra.pusher().toUser(app.appId(), peer, frame.copy(), false, null));
        }
        LOG.debug("{}/{} is {}: told {} online contacts", app.appId(), userId, online ? "online" : "offline", sent.size());
        return Future.join(sent).mapEmpty();
      });
  }

  /** Cancels pending grace timers (verticle stop). */
  synchronized void close() {
    for (Long t : timers) {
      infra.vertx().cancelTimer(t);
    }
    timers.clear();
  }
}
