package com.seedim.im.gateway;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.proto.MsgType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** What a {@link Connection} may ask of its gateway: its limits, the route step, and the few shared services. */
interface ConnectionHost {
  ServerConfig config();

  GatewayLimits limits();

  GatewayMetrics metrics();

  /** This gateway instance's push address (carried in every request context). */
  String address();

  /** The route step: a frame to its service (with idempotency records where the type has them). */
  Future<JsonObject> dispatch(RequestContext ctx, MsgType type, JsonObject frame, String unique);

  /** Acknowledged 140s of this connection's user, to chat as delivered marks. */
  void delivered(Connection c, List<Long> messageIds);

  /** The connection holds unacked reliable pushes: include it in the resend tick. */
  void hasPending(Connection c);

  /** A fresh server {@code unique} for a push. */
  String nextUnique();

  /** Runs {@code task} on the connection's event loop after {@code delayMs}. */
  void later(long delayMs, Runnable task);

  /** A 251 from this connection: it leaves the session table and the services are told at once. */
  void loggedOut(Connection c);
}
