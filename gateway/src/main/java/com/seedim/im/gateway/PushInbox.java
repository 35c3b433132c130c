package com.seedim.im.gateway;

import com.seedim.im.common.bus.Pusher;
import com.seedim.im.common.proto.NoticeCode;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway instance's own bus address ({@code Addresses.gateway}): pushes and kicks from the services, one at a
 * time or as an ordered {@code {op:"batch", items:[...]}} (see {@link Pusher}), delivered to this instance's sockets.
 * A message for a user with no socket here is dropped (the route was stale; a 140 stays undelivered and is replayed).
 */
final class PushInbox {
  private static final Logger LOG = LoggerFactory.getLogger(PushInbox.class);

  private final SessionTable sessions;

  PushInbox(SessionTable sessions) {
    this.sessions = sessions;
  }

  void onMessage(Message<JsonObject> msg) {
    JsonObject m = msg.body();
    if (Pusher.OP_BATCH.equals(m.getString(Pusher.OP))) {
      JsonArray items = m.getJsonArray(Pusher.ITEMS);
      for (int i = 0; i < items.size(); i++) {
        one(items.getJsonObject(i));
      }
      return;
    }
    one(m);
  }

  private void one(JsonObject m) {
    try {
      deliver(m);
    } catch (RuntimeException e) {
      LOG.warn("malformed gateway message dropped: {}", e.toString()); // one bad item must not cost the rest of a batch
    }
  }

  private void deliver(JsonObject m) {
    var conns = sessions.ofUser(m.getString("appId"), m.getString("userId"));
    if (conns.isEmpty()) {
      return;
    }
    String op = m.getString(Pusher.OP);
    if (Pusher.OP_PUSH.equals(op)) {
      String only = m.getString("only");
      String except = m.getString("except");
      JsonObject frame = m.getJsonObject("frame");
      boolean reliable = m.getBoolean("reliable", false);
      for (Connection c : conns) {
        if ((only == null || only.equals(c.id)) && !c.id.equals(except)) {
          c.push(frame, reliable);
        }
      }
    } else if (Pusher.OP_KICK.equals(op)) {
      String connId = m.getString("connId");
      NoticeCode code = NoticeCode.valueOf(m.getString("code", NoticeCode.KICKED.name()));
      for (Connection c : conns) {
        if (connId == null || connId.equals(c.id)) {
          c.closeWithNotice(code, code == NoticeCode.REPLACED ? "replaced by a newer connection" : "kicked by the service");
        }
      }
    }
  }
}
