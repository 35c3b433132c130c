package com.seedim.im.queue;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.store.DeskGrants;
import com.seedim.im.cs.store.LeftMessages;
import com.seedim.im.cs.store.LeftMessages.LeftMessage;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Function;

/**
 * PROTOCOL.md §14.4 "leave a message": 630 stores a customer's message to a queue (and takes the customer out of the
 * queue it waits in), 640 lets an available agent take the oldest message of the queues it serves, exactly once across
 * nodes ({@link LeftMessages#claimOldest}), which grants the agent chat with that customer ({@link DeskGrants}).
 */
final class LeftMessageService {
  private static final Logger LOG = LoggerFactory.getLogger(LeftMessageService.class);

  private final Infra infra;
  private final LeftMessages messages;
  private final QueueStore queues;
  private final RoomStore rooms;
  private final QueueRounds rounds;
  private final Function<RequestContext, Future<Void>> leaveQueue;
  private final Function<RequestContext, Future<Void>> requireAvailable;

  /**
   * @param rounds           told when a queue's count of messages changed (431 {@code messagesWaiting} to its agents)
   * @param leaveQueue       takes the caller out of the queue it waits in, recording {@link LeftMessages#QUEUE_OUTCOME}
   *                         (the others move up)
   * @param requireAvailable fails with {@code INVALID_STATE} unless the calling agent is {@code available} (§14.1)
   */
  LeftMessageService(Infra infra, LeftMessages messages, QueueStore queues, RoomStore rooms, QueueRounds rounds,
                     Function<RequestContext, Future<Void>> leaveQueue,
                     Function<RequestContext, Future<Void>> requireAvailable) {
    this.infra = infra;
    this.messages = messages;
    this.queues = queues;
    this.rooms = rooms;
    this.rounds = rounds;
    this.leaveQueue = leaveQueue;
    this.requireAvailable = requireAvailable;
  }

  private AppConfig app(String appId) {
    return infra.config().apps().require(appId);
  }

  // ---- 630

  Future<ServiceReply> onLeave(RequestContext ctx, JsonObject frame) {
    LeftMessageRules.requireCustomer(ctx);
    AppConfig app = app(ctx.appId());
    String text = LeftMessageRules.message(frame);
    String asked = Frames.optId(frame, "queueId");
    return queues.position(ctx.appId(), ctx.userId()).compose(pos -> {
      String queueId = LeftMessageRules.queueOf630(app, asked, pos == null ? null : pos.queueId());
      return rooms.roomIdOf(ctx.appId(), ctx.userId()).compose(roomId -> {
        if (roomId != null) {
          throw new ProtocolException(ErrorCode.INVALID_STATE, "in room " + roomId + ": talk to the agent instead");
        }
        return dynamicQueueRoom(app, queueId);
      }).compose(x -> {
        LeftMessage m = LeftMessage.of(Long.toString(infra.ids().next()), ctx.appId(), queueId, ctx.userId(), text,
          System.currentTimeMillis());
        return messages.add(m, app.maxLeftMessagesPerUser()).compose(stored -> {
          if (!stored) {
            LOG.info("{}/{} refused a left message to queue {}: already {} not taken", ctx.appId(), ctx.userId(), queueId,
              app.maxLeftMessagesPerUser());
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "already " + app.maxLeftMessagesPerUser()
              + " messages waiting to be taken");
          }
          LOG.info("{}/{} left message {} ({} chars) in queue {}{}", ctx.appId(), ctx.userId(), m.messageId(),
            Frames.codePoints(text), queueId, pos == null ? "" : ", leaving queue " + pos.queueId());
          rounds.changed(ctx.appId(), queueId);
          Future<Void> left = pos == null ? Future.succeededFuture() : leaveQueue.apply(ctx);
          return left.map(v -> ServiceReply.ok().reply(LeftMessageRules.left(m.messageId(), queueId)));
        });
      });
    });
  }

  /**
   * M9 for messages: a dynamic queue id named by a 630 creates a queue too (671 lists it), so at most
   * {@link QueueStore#MAX_DYNAMIC_QUEUES} queues may hold messages or waiters in an app.
   */
  private Future<Void> dynamicQueueRoom(AppConfig app, String queueId) {
    if (app.queue(queueId) != null) {
      return Future.succeededFuture();
    }
    return Future.all(messages.queuesWithMessages(app.appId()), queues.queueIds(app.appId())).map(cf -> {
      java.util.Set<String> inUse = new java.util.HashSet<>(cf.<List<String>>resultAt(0));
      inUse.addAll(cf.<List<String>>resultAt(1));
      if (!inUse.contains(queueId) && inUse.size() >= QueueStore.MAX_DYNAMIC_QUEUES) {
        throw new ProtocolException(ErrorCode.QUEUE_FULL, "too many queues in use (at most "
          + QueueStore.MAX_DYNAMIC_QUEUES + "); leave the message to an existing queue");
      }
      return null;
    });
  }

  // ---- 640

  Future<ServiceReply> onTake(RequestContext ctx, JsonObject frame) {
    AppConfig app = app(ctx.appId());
    String queueId = Frames.optId(frame, "queueId");
    LeftMessageRules.checkTake(app, ctx, queueId);
    String claim = LeftMessageRules.claimToken(ctx, Frames.unique(frame));
    return requireAvailable.apply(ctx).compose(v -> served(app, ctx.userId(), queueId))
      .compose(qs -> messages.claimOldest(ctx.appId(), qs, ctx.userId(), claim, System.currentTimeMillis()))
      .compose(m -> {
        if (m == null) {
          throw new ProtocolException(ErrorCode.QUEUE_EMPTY, "no message waiting");
        }
        rounds.changed(ctx.appId(), m.queueId());
        // a repeat of the take returns the message it claimed: the grant is given again, nothing else is taken
        return DeskGrants.grant(infra.kv(), ctx.appId(), ctx.userId(), m.userId(), LeftMessageRules.grantMs(app)).map(x -> {
          LOG.info("agent {}/{} took message {} of {} from queue {} after {} ms", ctx.appId(), ctx.userId(), m.messageId(),
            m.userId(), m.queueId(), m.takenAt() - m.createdAt());
          return ServiceReply.ok().reply(LeftMessageRules.taken(m));
        });
      });
  }

  /** The queues a 640 takes from: the one named, else every queue the agent serves that holds messages. */
  private Future<List<String>> served(AppConfig app, String agentId, String queueId) {
    if (queueId != null) {
      return Future.succeededFuture(List.of(queueId));
    }
    return messages.queuesWithMessages(app.appId()).map(held -> QueueRules.servedQueues(app, agentId, held));
  }
}
