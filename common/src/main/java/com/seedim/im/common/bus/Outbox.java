package com.seedim.im.common.bus;

import com.seedim.im.common.store.Route;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the pushes one request causes and keeps their order to every device (PROTOCOL.md §1 and §6: a 140 after
 * its 130's echo; 321, then 421, then 560; the relays of one call in order): {@link #flush()} looks up every target
 * user's routes at once, then sends all pushes in the order they were added, from one callback.
 *
 * <p>Pushes meant for the requesting connection go into {@link #self()} (returned in the {@link ServiceReply} so the
 * gateway writes them after the 30 and the reply) and never through the bus. A push may also address one device of a
 * user (a call's bound device), following its current connection.
 */
public final class Outbox {
  /** @param onlyDevice only this device of the user; @param exceptDevice every device but this one (both may be null) */
  private record Pending(String userId, String onlyDevice, String exceptDevice, JsonObject frame, boolean reliable) {
  }

  private final Pusher pusher;
  private final RequestContext ctx;
  private final List<Pending> pending = new ArrayList<>();
  private final JsonArray self = new JsonArray();

  /** {@code ctx} is the requesting connection, or one with a null connId for pushes no client frame caused. */
  public Outbox(Pusher pusher, RequestContext ctx) {
    this.pusher = pusher;
    this.ctx = ctx;
  }

  private boolean isSender(String userId, String deviceId) {
    return ctx.connId() != null && userId.equals(ctx.userId()) && (deviceId == null || deviceId.equals(ctx.deviceId()));
  }

  /** To every device of {@code userId}, the requesting connection included (via {@link #self()}); reliability by msgType. */
  public Outbox toUser(String userId, JsonObject frame) {
    return toUser(userId, frame, Pusher.defaultReliable(frame));
  }

  /** To every device of {@code userId}, the requesting connection included (via {@link #self()}). */
  public Outbox toUser(String userId, JsonObject frame, boolean reliable) {
    if (isSender(userId, null)) {
      self.add(ServiceReply.push(frame, reliable));
    }
    pending.add(new Pending(userId, null, null, frame, reliable));
    return this;
  }

  /** To every device of {@code userId} except the requesting connection; reliability by msgType. */
  public Outbox toOthers(String userId, JsonObject frame) {
    return toOthers(userId, frame, Pusher.defaultReliable(frame));
  }

  /** To every device of {@code userId} except the requesting connection. */
  public Outbox toOthers(String userId, JsonObject frame, boolean reliable) {
    pending.add(new Pending(userId, null, null, frame, reliable));
    return this;
  }

  /** To every device of the user except the device {@code exceptDevice} (and never the requesting connection). */
  public Outbox toUserExcept(String userId, String exceptDevice, JsonObject frame, boolean reliable) {
    pending.add(new Pending(userId, null, exceptDevice, frame, reliable));
    return this;
  }

  /** To one device of the user, wherever it is connected now (via {@link #self()} when it is the requesting one). */
  public Outbox toDevice(String userId, String deviceId, JsonObject frame, boolean reliable) {
    if (isSender(userId, deviceId)) {
      self.add(ServiceReply.push(frame, reliable));
    } else {
      pending.add(new Pending(userId, deviceId, null, frame, reliable));
    }
    return this;
  }

  /** The pushes for the requesting connection, in the order they were added (valid before and after {@link #flush()}). */
  public JsonArray self() {
    return self.copy();
  }

  /**
   * Sends every push except those of {@link #self()}; completes once all are on the event bus (not merely queued in
   * this turn's batch, {@link Pusher#handedOff}), so a reply sent after it cannot overtake them.
   */
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
    return pusher.directory().routes(ctx.appId(), users).compose(routes -> {
      for (Pending p : todo) {
        send(p, routes.getOrDefault(p.userId, List.of()));
      }
      return pusher.handedOff();
    });
  }

  /**
   * A push to all of a user's devices goes once to each gateway holding one (the gateway skips the requesting
   * connection); a push to one device, or to all but one, goes to each of its connections.
   */
  private void send(Pending p, List<Route> routes) {
    String sender = ctx.connId();
    if (p.onlyDevice == null && p.exceptDevice == null) {
      Set<String> gateways = new LinkedHashSet<>();
      for (Route r : routes) {
        if (!r.connId().equals(sender)) {
          gateways.add(r.gateway());
        }
      }
      String except = p.userId.equals(ctx.userId()) ? sender : null;
      gateways.forEach(gw -> pusher.toGateway(gw, ctx.appId(), p.userId, p.frame, p.reliable, except));
      return;
    }
    for (Route r : routes) {
      if (!r.connId().equals(sender) && (p.onlyDevice == null || p.onlyDevice.equals(r.deviceId()))
        && (p.exceptDevice == null || !p.exceptDevice.equals(r.deviceId()))) {
        pusher.toConnection(r.gateway(), ctx.appId(), p.userId, r.connId(), p.frame, p.reliable);
      }
    }
  }
}
