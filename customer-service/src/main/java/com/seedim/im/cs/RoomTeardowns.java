package com.seedim.im.cs;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.msg.TeardownReason;
import com.seedim.im.common.bus.msg.TeardownRequest;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * How another service ends a room: the room service owns the teardown (it closes the room once and sends 321/421/560),
 * so the queue (420) and signaling (330) ask it with a {@link TeardownRequest} to {@link Addresses#ROOM_TEARDOWN}.
 */
public final class RoomTeardowns {
  private final EventBus bus;
  private final DeliveryOptions options;

  public RoomTeardowns(EventBus bus, long timeoutMs) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** What a teardown did: whether this request closed the room (exactly one does), and the caller's pushes. */
  public record Ended(boolean closed, JsonArray self) {
  }

  /** Ends the room because {@code ctx}'s user left it; returns the pushes for {@code ctx}'s connection, in order. */
  public Future<JsonArray> leave(RequestContext ctx, String roomId, TeardownReason reason) {
    return end(ctx, roomId, reason).map(Ended::self);
  }

  /** As {@link #leave}, also telling whether this request closed the room (false: it had ended already). */
  public Future<Ended> end(RequestContext ctx, String roomId, TeardownReason reason) {
    TeardownRequest req = new TeardownRequest(ctx, ctx.appId(), roomId, reason, ctx.userId());
    return bus.<JsonObject>request(Addresses.ROOM_TEARDOWN, req, options)
      .map(m -> new Ended(m.body().getBoolean("closed", false), m.body().getJsonArray("self", new JsonArray())));
  }
}
