package com.seedim.im.common.bus;

import com.seedim.im.common.bus.msg.RoomShareQuery;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * What chat may know of the customer-service rooms: whether two users are the two members of one open room (room
 * members may message each other without a chat sign). The room state itself belongs to the room service.
 */
@FunctionalInterface
public interface RoomMembership {
  /** True when the two users are the two members of one open room of the app. */
  Future<Boolean> shareRoom(String appId, String userA, String userB);

  /**
   * Asks the room service ({@link Addresses#ROOM_SHARE}, a {@link RoomShareQuery} answered by a Boolean). With no
   * room service in the cluster (NO_HANDLERS) nobody shares a room: false, so an unsigned stranger is still refused
   * (FORBIDDEN) as before. A room service that does not answer within half of {@code busTimeoutMs} fails the request
   * like any store timeout (UNAVAILABLE: retry with the same unique) — early enough that the client hears chat's
   * answer, not the gateway's own timeout of the whole 130.
   */
  static RoomMembership overBus(EventBus bus, long busTimeoutMs) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(Math.max(1, busTimeoutMs / 2));
    return (appId, userA, userB) -> bus.<Boolean>request(Addresses.ROOM_SHARE, new RoomShareQuery(appId, userA, userB), options)
      .map(m -> Boolean.TRUE.equals(m.body()))
      .recover(err -> err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS
        ? Future.succeededFuture(false) : Future.failedFuture(err));
  }
}
