package com.seedim.im.hostile;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.Handlers;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.bus.msg.BusMessages;
import com.seedim.im.common.bus.msg.SessionClosed;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real bus service with behaviour a test can steer, standing in for the services behind the gateway (the gateway is
 * what these tests attack): answers 101 at once, 540 after {@link #slowMs}, 401 (idempotent) after
 * {@link #takeDelayMs} counting its runs, and the chat connect step as {@link #connectMode} says.
 */
final class Probe extends VerticleBase {
  enum ConnectMode { OK, FAIL, HANG }

  final AtomicInteger takes = new AtomicInteger();
  final List<SessionClosed> disconnects = new CopyOnWriteArrayList<>();
  volatile long slowMs = 3000;
  volatile long takeDelayMs;
  volatile ConnectMode connectMode = ConnectMode.OK;

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    return Future.all(List.of(
      bus.<Object>consumer(MsgType.ONLINE_STATUS.address(), Handlers.frame(MsgType.ONLINE_STATUS.address(), (ctx, f) ->
        Future.succeededFuture(ServiceReply.ok().reply(Frames.frame(MsgType.ONLINE_STATUS).put("statuses", new JsonObject()))))).completion(),
      bus.<Object>consumer(MsgType.ROOM_LIST.address(), Handlers.frame(MsgType.ROOM_LIST.address(), (ctx, f) ->
        vertx.timer(slowMs).map(t -> ServiceReply.ok().reply(Frames.frame(MsgType.ROOM_LIST_REPLY).put("total", 0))))).completion(),
      bus.<Object>consumer(MsgType.QUEUE_TAKE.address(), Handlers.frame(MsgType.QUEUE_TAKE.address(), (ctx, f) -> {
        int n = takes.incrementAndGet();
        return vertx.timer(Math.max(1, takeDelayMs)).map(t -> ServiceReply.ok().reply(
          Frames.frame(MsgType.QUEUE_TAKEN).put("receiveUserId", "c" + n).put("roomId", Integer.toString(n)).put("queueId", "q")));
      })).completion(),
      bus.consumer(Addresses.CHAT_CONNECT, this::connect).completion(),
      bus.consumer(Addresses.CHAT_DISCONNECT, m -> {
        disconnects.add(BusMessages.read(m.body(), SessionClosed.class, SessionClosed::fromJson));
        m.reply(new JsonObject());
      }).completion()));
  }

  private void connect(Message<Object> m) {
    switch (connectMode) {
      case OK -> m.reply(ServiceReply.ok());
      case FAIL -> m.fail(ErrorCode.INTERNAL.busCode(), "probe: the chat store failed");
      case HANG -> { } // never answers: the gateway's bus timeout decides
    }
  }
}
