package com.seedim.im.gateway;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.TurnBatches;
import com.seedim.im.common.bus.msg.BusMessages;
import com.seedim.im.common.bus.msg.DeliveredAcks;
import com.seedim.im.common.bus.msg.FrameRequest;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.proto.MsgType;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The route step: frames go to their service's bus address ({@link MsgType#address()}) with a deadline, through the
 * idempotency records where the type has them (§4); acknowledged 140s go to chat as delivered marks, those of one
 * event-loop turn in one {@link DeliveredAcks} (at most {@link #MAX_DELIVERED_BATCH} items).
 */
final class Dispatcher {
  /** Most acknowledged-push items in one delivered message to chat. */
  static final int MAX_DELIVERED_BATCH = 256;

  private final Vertx vertx;
  private final ServerConfig config;
  private final Idempotency idempotency;
  private final TurnBatches<List<DeliveredAcks.Acked>> deliveredBatches = new TurnBatches<>(ArrayList::new, this::sendDelivered);

  Dispatcher(Vertx vertx, ServerConfig config, Idempotency idempotency) {
    this.vertx = vertx;
    this.config = config;
    this.idempotency = idempotency;
  }

  /** A request to a service, failing after the bus timeout. */
  Future<JsonObject> request(String address, Object body) {
    return request(address, body, config.busTimeoutMs());
  }

  /** The reply as JSON: a record delivered in this JVM is not copied ({@link BusMessages#json}). */
  private Future<JsonObject> request(String address, Object body, long timeoutMs) {
    return vertx.eventBus().request(address, body, new DeliveryOptions().setSendTimeout(timeoutMs))
      .map(m -> BusMessages.json(m.body()));
  }

  Future<JsonObject> dispatch(RequestContext ctx, MsgType type, JsonObject frame, String unique) {
    FrameRequest body = new FrameRequest(ctx, frame);
    if (type.idempotent() && type != MsgType.SEND && unique != null) {
      // the client hears back within the bus timeout; a late reply is still recorded for its retry (M4)
      return idempotency.run(ctx, type, unique, () -> request(type.address(), body, Idempotency.CLAIM_MS));
    }
    return request(type.address(), body);
  }

  void delivered(Context context, RequestContext ctx, List<Long> messageIds) {
    List<String> ids = new ArrayList<>(messageIds.size());
    messageIds.forEach(id -> ids.add(Long.toString(id)));
    List<DeliveredAcks.Acked> batch = deliveredBatches.current(context);
    batch.add(new DeliveredAcks.Acked(ctx, List.copyOf(ids)));
    if (batch.size() >= MAX_DELIVERED_BATCH) {
      deliveredBatches.sendNow(context, batch);
    }
  }

  private void sendDelivered(List<DeliveredAcks.Acked> batch) {
    vertx.eventBus().send(Addresses.CHAT_DELIVERED, new DeliveredAcks(List.copyOf(batch)));
  }
}
