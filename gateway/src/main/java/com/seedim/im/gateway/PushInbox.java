package com.seedim.im.gateway;

import com.seedim.im.common.bus.Pusher;
import com.seedim.im.common.bus.msg.BusMessages;
import com.seedim.im.common.bus.msg.GatewayBatch;
import com.seedim.im.common.bus.msg.GatewayKick;
import com.seedim.im.common.bus.msg.GatewayMessage;
import com.seedim.im.common.bus.msg.GatewayPush;
import com.seedim.im.common.proto.NoticeCode;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway instance's own bus address ({@code Addresses.gateway}): pushes and kicks from the services
 * ({@link GatewayMessage}s sent by {@link Pusher}), one at a time or as an ordered {@link GatewayBatch}, delivered to
 * this instance's sockets. A message for a user with no socket here is dropped (the route was stale; a 140 stays
 * undelivered and is replayed).
 */
final class PushInbox {
  private static final Logger LOG = LoggerFactory.getLogger(PushInbox.class);

  private final SessionTable sessions;

  PushInbox(SessionTable sessions) {
    this.sessions = sessions;
  }

  void onMessage(Message<Object> msg) {
    GatewayMessage m;
    try {
      m = BusMessages.read(msg.body(), GatewayMessage.class, PushInbox::fromJson);
    } catch (RuntimeException e) {
      LOG.warn("malformed gateway message dropped: {}", e.toString());
      return;
    }
    if (m instanceof GatewayBatch batch) {
      batch.items().forEach(this::one);
    } else {
      one(m);
    }
  }

  /** A message in JSON (from a tool, or a sender of an older release): its {@code op} names the record. */
  private static GatewayMessage fromJson(JsonObject j) {
    return switch (String.valueOf(j.getString("op"))) {
      case "batch" -> GatewayBatch.fromJson(j);
      case "kick" -> GatewayKick.fromJson(j);
      case "push" -> GatewayPush.fromJson(j);
      default -> throw new IllegalArgumentException("unknown op " + j.getString("op"));
    };
  }

  private void one(GatewayMessage m) {
    try {
      deliver(m);
    } catch (RuntimeException e) {
      LOG.warn("malformed gateway message dropped: {}", e.toString()); // one bad item must not cost the rest of a batch
    }
  }

  /** Java 17 has no switch over types: the sealed {@link GatewayMessage} has these three kinds. */
  private void deliver(GatewayMessage m) {
    if (m instanceof GatewayPush p) {
      ServerPush push = new ServerPush(p.frame(), p.reliable());
      for (Connection c : sessions.ofUser(p.appId(), p.userId())) {
        if ((p.only() == null || p.only().equals(c.id)) && !c.id.equals(p.except())) {
          c.push(push);
        }
      }
    } else if (m instanceof GatewayKick k) {
      String why = k.code() == NoticeCode.REPLACED ? "replaced by a newer connection" : "kicked by the service";
      for (Connection c : sessions.ofUser(k.appId(), k.userId())) {
        if (k.connId() == null || k.connId().equals(c.id)) {
          c.closeWithNotice(k.code(), why);
        }
      }
    } else if (m instanceof GatewayBatch b) {
      b.items().forEach(this::one); // a batch inside a batch: not sent by Pusher, still applied in order
    }
  }
}
