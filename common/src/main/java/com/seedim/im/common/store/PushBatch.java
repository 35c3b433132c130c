package com.seedim.im.common.store;

import com.seedim.im.common.bus.Pusher;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Like {@link com.seedim.im.common.bus.Outbox}, but keeps the order of the pushes to each device (PROTOCOL.md §6:
 * 321, then 421, then 560; relays of one call in order): {@link #flush} looks up every target user's routes first,
 * then sends all pushes in the order they were added, from one callback. Pushes meant for the requesting connection
 * go to {@link #self()}. Also addresses one device of a user (a call's bound device), following its current connection.
 */
public final class PushBatch {
  private record Pending(String userId, String onlyDevice, String exceptDevice, JsonObject frame, boolean reliable) {
  }

  private final Pusher pusher;
  private final RequestContext ctx;
  private final List<Pending> pending = new ArrayList<>();
  private final JsonArray self = new JsonArray();

  /** {@code ctx} is the requesting connection, or one with a null connId for pushes no client frame caused. */
  public PushBatch(Pusher pusher, RequestContext ctx) {
    this.pusher = pusher;
    this.ctx = ctx;
  }

  private boolean isSender(String userId, String deviceId) {
    return ctx != null && ctx.connId() != null && userId.equals(ctx.userId())
      && (deviceId == null || deviceId.equals(ctx.deviceId()));
  }

  /** To every device of the user (the requesting connection included, through {@link #self()}). */
  public PushBatch toUser(String userId, JsonObject frame, boolean reliable) {
    if (isSender(userId, null)) {
      self.add(ServiceReply.push(frame, reliable));
    }
    pending.add(new Pending(userId, null, null, frame, reliable));
    return this;
  }

  /** To every device of the user except the device {@code exceptDevice} (and never the requesting connection). */
  public PushBatch toUserExcept(String userId, String exceptDevice, JsonObject frame, boolean reliable) {
    pending.add(new Pending(userId, null, exceptDevice, frame, reliable));
    return this;
  }

  /** To one device of the user, wherever it is connected now. */
  public PushBatch toDevice(String userId, String deviceId, JsonObject frame, boolean reliable) {
    if (isSender(userId, deviceId)) {
      self.add(ServiceReply.push(frame, reliable));
    } else {
      pending.add(new Pending(userId, deviceId, null, frame, reliable));
    }
    return this;
  }

  /** Pushes for the requesting connection, in order. */
  public JsonArray self() {
    return self.copy();
  }

  public boolean isEmpty() {
    return pending.isEmpty() && self.isEmpty();
  }

  /** Sends every push except those of {@link #self()}; completes once all are handed to the event bus. */
  public Future<Void> flush() {
    if (pending.isEmpty()) {
      return Future.succeededFuture();
    }
    Set<String> users = new LinkedHashSet<>();
    for (Pending p : pending) {
      users.add(p.userId);
    }
    List<Pending> todo = new ArrayList<>(pending);
    pending.clear();
    return pusher.directory().routes(ctx.appId(), users).map(routes -> {
      String senderConn = ctx.connId();
      for (Pending p : todo) {
        List<Route> rs = routes.getOrDefault(p.userId, List.of());
        Map<String, List<Route>> byGateway = new LinkedHashMap<>();
        for (Route r : rs) {
          if (r.connId().equals(senderConn) || (p.onlyDevice != null && !p.onlyDevice.equals(r.deviceId()))
            || (p.exceptDevice != null && p.exceptDevice.equals(r.deviceId()))) {
            continue;
          }
          byGateway.computeIfAbsent(r.gateway(), k -> new ArrayList<>()).add(r);
        }
        for (List<Route> targets : byGateway.values()) {
          for (Route r : targets) {
            pusher.toConnection(r.gateway(), ctx.appId(), p.userId, r.connId(), p.frame, p.reliable);
          }
        }
      }
      return null;
    });
  }
}
