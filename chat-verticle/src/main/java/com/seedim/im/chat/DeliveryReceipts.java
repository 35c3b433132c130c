package com.seedim.im.chat;

import com.seedim.im.chat.rules.MessageFormatter;
import com.seedim.im.chat.store.ChatMessage;
import com.seedim.im.chat.store.ChatStore;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.msg.DeliveredAcks;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** PROTOCOL.md §5, 141 → 131: receivers' acks of 140s mark the messages delivered, and each sender hears of it. */
final class DeliveryReceipts {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryReceipts.class);

  private final Infra infra;
  private final ChatStore store;

  DeliveryReceipts(Infra infra, ChatStore store) {
    this.infra = infra;
    this.store = store;
  }

  /** Devices that acked 140s: each receiver's acks mark its messages delivered and tell the senders (131). */
  Future<JsonObject> onDelivered(DeliveredAcks acks) {
    List<Future<Integer>> all = new ArrayList<>(acks.items().size());
    for (DeliveredAcks.Acked a : acks.items()) {
      all.add(delivered(a.ctx(), a.messageIds()));
    }
    return Future.join(all).transform(ar -> {
      int n = 0;
      for (Future<Integer> f : all) {
        n += f.succeeded() ? f.result() : 0;
      }
      return Future.succeededFuture(new JsonObject().put("delivered", n));
    });
  }

  /** One connection's acked 140s: marked delivered, then 131 to each sender; the number marked now. */
  private Future<Integer> delivered(RequestContext ctx, List<String> messageIds) {
    List<Long> ids = new ArrayList<>(messageIds.size());
    JsonObject probe = new JsonObject();
    for (String raw : messageIds) {
      try {
        Long id = Frames.optMessageId(probe.put(MessageFormatter.MESSAGE_ID, raw), MessageFormatter.MESSAGE_ID);
        if (id != null) {
          ids.add(id);
        }
      } catch (ProtocolException e) {
        LOG.debug("ignoring malformed acked id {} from {}/{}", raw, ctx.appId(), ctx.userId());
      }
    }
    return store.markDelivered(ctx.appId(), ctx.userId(), ids).compose(done -> {
      List<Future<Integer>> sent = new ArrayList<>(done.size());
      for (ChatMessage m : done) {
        sent.add(infra.pusher().toUser(ctx.appId(), m.sender(), MessageFormatter.delivered(m.messageId(), m.receiver())));
      }
      return Future.join(sent).otherwiseEmpty().map(v -> done.size());
    });
  }
}
