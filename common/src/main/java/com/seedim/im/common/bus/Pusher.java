package com.seedim.im.common.bus;

import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.NoticeCode;
import com.seedim.im.common.store.Route;
import com.seedim.im.common.store.SessionDirectory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;

/**
 * Sends server pushes to users' devices wherever they are connected: looks up the user's routes and sends
 * one message per gateway instance to its push address ({@link Addresses#gateway}). Never registers a
 * consumer per user or socket. Bus delivery is not proof of arrival: reliable pushes are tracked by the gateway.
 *
 * <p>Gateway message format: {@code {op:"push", appId, userId, frame, reliable, except?, only?}} or
 * {@code {op:"kick", appId, userId, connId?, code}}.
 */
public final class Pusher {
  public static final String OP = "op";
  public static final String OP_PUSH = "push";
  public static final String OP_KICK = "kick";
  /** Several push/kick messages for one gateway, in order: {@code {op:"batch", items:[...]}}. */
  public static final String OP_BATCH = "batch";
  public static final String ITEMS = "items";
  /** Most messages carried by one batch. */
  static final int MAX_BATCH = 512;

  private final EventBus bus;
  private final SessionDirectory directory;
  /** Per-context messages for each gateway, sent as one bus message per gateway when the event loop turn ends. */
  private final TurnBatches<Map<String, JsonArray>> batches =
    new TurnBatches<>(LinkedHashMap::new, byGateway -> byGateway.forEach(this::sendNow));

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
        JsonObject m = message(appId, userId, frame, reliable);
        if (exceptConnId != null) {
          m.put("except", exceptConnId);
        }
        send(gw, m);
      }
      return n;
    });
  }

  /** One push of a batch: a frame, its reliability, and a connection to skip (or null). */
  public record Push(JsonObject frame, boolean reliable, String exceptConnId) {
  }

  /**
   * Pushes several frames to one user's live devices with one route lookup, in order.
   *
   * @return the number of devices targeted by the first push
   */
  public Future<Integer> toUser(String appId, String userId, List<Push> pushes) {
    return directory.routes(appId, userId).map(routes -> {
      int first = -1;
      for (Push p : pushes) {
        Set<String> gateways = new LinkedHashSet<>();
        int n = 0;
        for (Route r : routes) {
          if (!r.connId().equals(p.exceptConnId())) {
            gateways.add(r.gateway());
            n++;
          }
        }
        for (String gw : gateways) {
          JsonObject m = message(appId, userId, p.frame(), p.reliable());
          if (p.exceptConnId() != null) {
            m.put("except", p.exceptConnId());
          }
          send(gw, m);
        }
        if (first < 0) {
          first = n;
        }
      }
      return Math.max(first, 0);
    });
  }

  /** Pushes to a user's devices on one gateway but the connection {@code exceptConnId} (may be null); see {@link Outbox}. */
  public void toGateway(String gateway, String appId, String userId, JsonObject frame, boolean reliable, String exceptConnId) {
    JsonObject m = message(appId, userId, frame, reliable);
    if (exceptConnId != null) {
      m.put("except", exceptConnId);
    }
    send(gateway, m);
  }

  /** Pushes to one known connection (e.g. a call's bound device). */
  public void toConnection(String gateway, String appId, String userId, String connId, JsonObject frame, boolean reliable) {
    send(gateway, message(appId, userId, frame, reliable).put("only", connId));
  }

  /** Pushes to one device of a user by its connection id, looking up its gateway. */
  public Future<Boolean> toConnection(String appId, String userId, String connId, JsonObject frame, boolean reliable) {
    return directory.routes(appId, userId).map(routes -> {
      for (Route r : routes) {
        if (r.connId().equals(connId)) {
          toConnection(r.gateway(), appId, userId, connId, frame, reliable);
          return true;
        }
      }
      return false;
    });
  }

  /** Closes connections with a 99 notice: one connection ({@code connId}) or all of the user's on that gateway. */
  public void kick(String gateway, String appId, String userId, String connId, NoticeCode code) {
    JsonObject m = new JsonObject().put(OP, OP_KICK).put("appId", appId).put("userId", userId).put("code", code.name());
    if (connId != null) {
      m.put("connId", connId);
    }
    send(gateway, m);
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
   * messages, a fan-out to many users) travel as one {@link #OP_BATCH} per gateway, in the order they were sent.
   */
  private void send(String gateway, JsonObject m) {
    Context ctx = Vertx.currentContext();
    if (ctx == null) {
      bus.send(gateway, m);
      return;
    }
    Map<String, JsonArray> byGateway = batches.current(ctx);
    JsonArray items = byGateway.computeIfAbsent(gateway, k -> new JsonArray());
    items.add(m);
    if (items.size() >= MAX_BATCH) {
      byGateway.remove(gateway);
      sendNow(gateway, items);
    }
  }

  private void sendNow(String gateway, JsonArray items) {
    bus.send(gateway, items.size() == 1 ? items.getJsonObject(0) : new JsonObject().put(OP, OP_BATCH).put(ITEMS, items));
  }

  public SessionDirectory directory() {
    return directory;
  }

  public static boolean defaultReliable(JsonObject frame) {
    MsgType t = MsgType.of(frame.getInteger("msgType", 0));
    return t != null && t.reliablePush();
  }

  private static JsonObject message(String appId, String userId, JsonObject frame, boolean reliable) {
    return new JsonObject().put(OP, OP_PUSH).put("appId", appId).put("userId", userId).put("frame", frame)
      .put("reliable", reliable);
  }

  /** Convenience for services: the routes of a user. */
  public Future<List<Route>> routes(String appId, String userId) {
    return directory.routes(appId, userId);
  }
}
