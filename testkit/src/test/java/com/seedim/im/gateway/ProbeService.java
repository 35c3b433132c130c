package com.seedim.im.gateway;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.Handlers;
import com.seedim.im.common.bus.Outbox;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.bus.msg.BusMessages;
import com.seedim.im.common.bus.msg.DeliveredAcks;
import com.seedim.im.common.bus.msg.SessionClosed;
import com.seedim.im.common.bus.msg.SessionOpened;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small service used to exercise the gateway's routing contract: it is a real bus service (not a stand-in
 * for the gateway) that answers a few msgTypes in known ways and records what the gateway sent it.
 */
final class ProbeService extends VerticleBase {
  final Infra infra;
  final List<JsonObject> requests = new CopyOnWriteArrayList<>();
  final List<DeliveredAcks.Acked> delivered = new CopyOnWriteArrayList<>();
  final List<SessionClosed> disconnects = new CopyOnWriteArrayList<>();
  final AtomicInteger enterCalls = new AtomicInteger();
  volatile long enterDelayMs;
  /** When positive, the chat connect step answers after this long (holds the gateway's connect slot). */
  volatile long connectDelayMs;

  ProbeService(Infra infra) {
    this.infra = infra;
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    return Future.all(List.of(
      // 430 → 30, reply 431 echoing who asked (from ctx), then a self push 410 and a push to the user's other devices.
      bus.<Object>consumer(MsgType.QUEUE_INFO.address(), Handlers.frame("probe.info", this::info)).completion(),
      // 540 → FORBIDDEN
      bus.<Object>consumer(MsgType.ROOM_LIST.address(), Handlers.frame("probe.list",
        (ctx, f) -> Future.failedFuture(new ProtocolException(ErrorCode.FORBIDDEN, "agents only")))).completion(),
      // 400 (idempotent) → counts invocations, optionally slow
      bus.<Object>consumer(MsgType.QUEUE_ENTER.address(), Handlers.frame("probe.enter", this::enter)).completion(),
      bus.consumer(Addresses.CHAT_DELIVERED,
        m -> delivered.addAll(BusMessages.read(m.body(), DeliveredAcks.class, DeliveredAcks::fromJson).items())).completion(),
      // the chat connect step: nothing to replay, optionally slow
      bus.consumer(Addresses.CHAT_CONNECT, m -> {
        BusMessages.read(m.body(), SessionOpened.class, SessionOpened::fromJson);
        vertx.timer(Math.max(1, connectDelayMs)).onComplete(t -> m.reply(ServiceReply.ok()));
      }).completion(),
      bus.consumer(Addresses.CHAT_DISCONNECT,
        m -> disconnects.add(BusMessages.read(m.body(), SessionClosed.class, SessionClosed::fromJson))).completion()));
  }

  private Future<ServiceReply> info(RequestContext ctx, JsonObject frame) {
    requests.add(new JsonObject().put("ctx", ctx.toJson()).put("frame", frame));
    Outbox out = new Outbox(infra.pusher(), ctx);
    out.toUser(ctx.userId(), Frames.frame(MsgType.QUEUE_POSITION).put("queueId", "q").put("waitIndex", 1).put("waitTotal", 1), false);
    JsonObject reply = Frames.frame(MsgType.QUEUE_INFO_REPLY).put("askedBy", ctx.userId()).put("role", ctx.role());
    return out.flush().map(v -> ServiceReply.ok().reply(reply).self(out.self()));
  }

  private Future<ServiceReply> enter(RequestContext ctx, JsonObject frame) {
    int n = enterCalls.incrementAndGet();
    JsonObject reply = Frames.frame(MsgType.QUEUE_TAKEN).put("call", n);
    if (enterDelayMs > 0) {
      return vertx.timer(enterDelayMs).map(v -> ServiceReply.ok().ack(new JsonObject().put("call", n)).reply(reply));
    }
    return Future.succeededFuture(ServiceReply.ok().ack(new JsonObject().put("call", n)).reply(reply));
  }
}
