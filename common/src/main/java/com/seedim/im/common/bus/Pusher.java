package com.seedim.im.common.bus;

import com.seedim.im.common.bus.msg.GatewayBatch;
import com.seedim.im.common.bus.msg.GatewayKick;
import com.seedim.im.common.bus.msg.GatewayMessage;
import com.seedim.im.common.bus.msg.GatewayPush;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.NoticeCode;
import com.seedim.im.common.store.Route;
import com.seedim.im.common.store.SessionDirectory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sends server pushes to users' devices wherever they are connected: looks up the user's routes and sends
 * one {@link GatewayMessage} per gateway instance to its push address ({@link Addresses#gateway}). Never registers a
 * consumer per user or socket. Bus delivery is not proof of arrival: reliable pushes are tracked by the gateway.
 */
public final class Pusher {
  /** Most messages carried by one {@link GatewayBatch}. */
  static final int MAX_BATCH = 512;

  private final EventBus bus;
  private final SessionDirectory directory;
  /** Per-context messages for each gateway, sent as one bus message per gateway when the event loop turn ends. */
  private final TurnBatches<TurnPushes> batches = new TurnBatches<>(TurnPushes::new, this::sendAll);

  /** One context's pushes of one turn, per gateway, and who waits for them to be on the bus. */
  private static final class TurnPushes {
    final Map<String, List<GatewayMessage>> byGateway = new LinkedHashMap<>();
    Promise<Void> sent;
  }

  public Pusher(EventBus bus, SessionDirectory directory) {
    this.bus = bus;
    this.directory = directory;
  }

  /** Pushes to every live device of a user; reliability follows the msgType. */
  public Future<Integer> toUser(String appId, String userId, JsonObject frame) {
    return toUser(appId, userId, frame, defaultReliable(frame), null);
  }

  /**
   * Pushes to every live device of a user except the connection {@code exceptConnId} (may be null).
   *
   * @return the number of devices targeted
   */
  public Future<Integer> toUser(String appId, String userId, JsonObject frame, boolean reliable, String exceptConnId) {
    return directory.routes(appId, userId).map(routes -> {
      Set<String> gateways = new LinkedHashSet<>();
      int n = 0;
      for (Route r : routes) {
        if (!r.connId().equals(exceptConnId)) {
          gateways.add(r.gateway());
          n++;
        }
      }
      for (String gw : gateways) {
        toGateway(gw, appId, userId, frame, reliable, exceptConnId);
      }
      return n;
    });
  }

  /** Pushes to a user's devices on one gateway but the connection {@code exceptConnId} (may be null); see {@link Outbox}. */
  public void toGateway(String gateway, String appId, String userId, JsonObject frame, boolean reliable, String exceptConnId) {
    send(gateway, new GatewayPush(appId, userId, frame, reliable, null, exceptConnId));
  }

  /** Pushes to one known connection (e.g. a call's bound device). */
  public void toConnection(String gateway, String appId, String userId, String connId, JsonObject frame, boolean reliable) {
    send(gateway, new GatewayPush(appId, userId, frame, reliable, connId, null));
  }

  /** Closes connections with a 99 notice: one connection ({@code connId}) or all of the user's on that gateway. */
  public void kick(String gateway, String appId, String userId, String connId, NoticeCode code) {
    send(gateway, new GatewayKick(appId, userId, connId, code));
  }

  /** Kicks every live device of a user (or one device), wherever connected. */
  public Future<Integer> kickUser(String appId, String userId, String deviceId, NoticeCode code) {
    return directory.routes(appId, userId).map(routes -> {
      int n = 0;
      for (Route r : routes) {
        if (deviceId == null || deviceId.equals(r.deviceId())) {
          kick(r.gateway(), appId, userId, r.connId(), code);
          n++;
        }
      }
      return n;
    });
  }

  /**
   * Sends one message to a gateway. Messages sent on one event loop within one turn (the pushes of many
   * messages, a fan-out to many users) travel as one {@link GatewayBatch} per gateway, in the order they were sent.
   */
  private void send(String gateway, GatewayMessage m) {
    Context ctx = Vertx.currentContext();
    if (ctx == null) {
      bus.send(gateway, m);
      return;
    }
    Map<String, List<GatewayMessage>> byGateway = batches.current(ctx).byGateway;
    List<GatewayMessage> items = byGateway.computeIfAbsent(gateway, k -> new ArrayList<>());
    items.add(m);
    if (items.size() >= MAX_BATCH) {
      byGateway.remove(gateway);
      sendNow(gateway, items);
    }
  }

  private void sendAll(TurnPushes b) {
    b.byGateway.forEach(this::sendNow);
    if (b.sent != null) {
      b.sent.complete();
    }
  }

  /**
   * Completes once every push the current context queued in this turn is on the bus (at once when none is queued).
   * A service replies to a request only after this, so the reply never overtakes the pushes the request caused: the
   * gateway sends a connection's next frame only after that reply, and the pushes of that next frame — perhaps handled
   * by another chat instance on another event loop — then reach each receiver after these (per-conversation order).
   */
  public Future<Void> handedOff() {
    Context ctx = Vertx.currentContext();
    TurnPushes b = ctx == null ? null : batches.open(ctx);
    if (b == null) {
      return Future.succeededFuture();
    }
    if (b.sent == null) {
      b.sent = Promise.promise();
    }
    return b.sent.future();
  }

  private void sendNow(String gateway, List<GatewayMessage> items) {
    bus.send(gateway, items.size() == 1 ? items.get(0) : new GatewayBatch(List.copyOf(items)));
  }

  public SessionDirectory directory() {
    return directory;
  }

  public static boolean defaultReliable(JsonObject frame) {
    MsgType t = MsgType.of(frame.getInteger("msgType", 0));
    return t != null && t.reliablePush();
  }
}
