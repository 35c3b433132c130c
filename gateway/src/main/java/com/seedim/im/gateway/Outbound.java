package com.seedim.im.gateway;

import com.seedim.im.common.infra.LogContext;
import com.seedim.im.common.proto.CloseCodes;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The write side of one socket: every frame goes out through {@link #write}, which counts the bytes handed to the
 * socket and not yet sent ({@code maxOutboundBytes}, then 4002); a write queue that stays full for
 * {@code slowConsumerMs} also closes 4002. Holds the reliable pushes until acked and resends them (PROTOCOL.md §4).
 */
final class Outbound {
  private static final Logger LOG = LoggerFactory.getLogger(Outbound.class);
  /** How long a push stays ackable after its last resend. */
  static final long LAST_ACK_GRACE_MS = 10_000;

  private static final class Pending {
    final String text;
    final long firstSent;
    final Long messageId;
    final String receiver;
    int resends;
    long nextAt;

    Pending(String text, long firstSent, Long messageId, String receiver, long nextAt) {
      this.text = text;
      this.firstSent = firstSent;
      this.messageId = messageId;
      this.receiver = receiver;
      this.nextAt = nextAt;
    }
  }

  private final Connection owner;
  private final ConnectionHost host;
  private final LinkedHashMap<String, Pending> unacked = new LinkedHashMap<>();
  private final Map<Long, String> unackedByMessage = new HashMap<>();
  private ServerWebSocket ws;
  private long queuedBytes;
  private long fullSince = -1;

  Outbound(Connection owner, ConnectionHost host) {
    this.owner = owner;
    this.host = host;
  }

  void attach(ServerWebSocket ws) {
    this.ws = ws;
  }

  /** Writes one text frame; closes the socket 4002 when its unsent bytes would exceed {@code maxOutboundBytes}. */
  void write(String text) {
    if (ws == null || owner.isClosed()) {
      return;
    }
    int bytes = text.length(); // chars: a bound, not an exact byte count (Latin text: equal; CJK: a third of it)
    if (queuedBytes + bytes > host.limits().maxOutboundBytes()) {
      slowConsumer(queuedBytes + " bytes not yet sent");
      return;
    }
    queuedBytes += bytes;
    ws.writeTextMessage(text).onComplete(ar -> queuedBytes -= bytes);
    host.metrics().frameOut();
  }

  /** Writes a frame built for this socket (never a shared one): stamped with the server time (§1) unless it has one. */
  void write(JsonObject frame) {
    stamp(frame);
    write(frame.encode());
  }

  /** Every server frame carries {@code timestamp}, the server's epoch ms when it was written (PROTOCOL.md §1). */
  private static void stamp(JsonObject frame) {
    if (!frame.containsKey(Frames.TIMESTAMP)) {
      frame.put(Frames.TIMESTAMP, System.currentTimeMillis());
    }
  }

  /** Writes a server push with a fresh unique; reliable pushes are kept until acked (§4). */
  void push(JsonObject frame, boolean reliable) {
    String unique = host.nextUnique();
    JsonObject f = frame.copy().put(Frames.UNIQUE, unique);
    stamp(f); // a resend repeats the text, so its timestamp is the first write's
    String text = f.encode();
    write(text);
    if (!reliable || owner.isClosed()) {
      return;
    }
    long now = System.currentTimeMillis();
    Long messageId = null;
    String receiver = null;
    if (f.getValue(Frames.MSG_TYPE) instanceof Integer t && t == MsgType.PUSH.code()) {
      try {
        messageId = Frames.optMessageId(f, "messageId");
        receiver = f.getString("receiveUserId");
      } catch (ProtocolException | ClassCastException e) {
        messageId = null;
      }
    }
    unacked.put(unique, new Pending(text, now, messageId, receiver, now + host.config().resendDelaysMs().get(0)));
    if (messageId != null) {
      unackedByMessage.put(messageId, unique);
    }
    host.hasPending(owner);
    if (unacked.size() > host.config().maxUnackedPushes()) {
      slowConsumer(unacked.size() + " unacked pushes");
    }
  }

  /** A 31: stops resending that push; returns its message id when it delivered a 140 to this user, else null. */
  Long ack(String unique, String userId) {
    Pending p = unacked.remove(unique);
    if (p != null) {
      host.metrics().pushAcked(System.currentTimeMillis() - p.firstSent);
    }
    if (p == null || p.messageId == null) {
      return null;
    }
    unackedByMessage.remove(p.messageId);
    return userId.equals(p.receiver) ? p.messageId : null;
  }

  /** A 141: stops resending those 140s; returns the ids delivered to this user (the receiver). */
  List<Long> ackMessages(List<Long> ids, String userId) {
    List<Long> delivered = new ArrayList<>(ids.size());
    for (Long id : ids) {
      String u = unackedByMessage.remove(id);
      if (u == null) {
        continue;
      }
      Pending p = unacked.remove(u);
      if (p != null) {
        host.metrics().pushAcked(System.currentTimeMillis() - p.firstSent);
      }
      if (p != null && userId.equals(p.receiver)) {
        delivered.add(id);
      }
    }
    return delivered;
  }

  /** Resends due pushes; returns true while any remain unacked. */
  boolean resendDue(long now) {
    if (owner.isClosed() || ws == null || ws.isClosed()) {
      return false; // the peer closed it; the close handler is on its way and forgets the pending pushes
    }
    List<Long> delays = host.config().resendDelaysMs();
    for (Iterator<Pending> it = unacked.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (now < p.nextAt) {
        continue;
      }
      if (p.resends >= delays.size()) {
        it.remove();
        if (p.messageId != null) {
          unackedByMessage.remove(p.messageId);
        }
        continue;
      }
      if (!ws.writeQueueFull()) {
        write(p.text);
        host.metrics().resend();
      }
      p.resends++;
      p.nextAt = p.resends < delays.size() ? p.firstSent + delays.get(p.resends) : now + LAST_ACK_GRACE_MS;
    }
    return !unacked.isEmpty();
  }

  /** Periodic: a write queue full for longer than {@code slowConsumerMs} closes the socket 4002. */
  void checkSlow(long now) {
    if (ws == null || owner.isClosed()) {
      return;
    }
    if (!ws.writeQueueFull()) {
      fullSince = -1;
    } else if (fullSince < 0) {
      fullSince = now;
    } else if (now - fullSince > host.limits().slowConsumerMs()) {
      slowConsumer("write queue full for " + (now - fullSince) + " ms");
    }
  }

  private void slowConsumer(String why) {
    try (LogContext m = owner.logContext()) {
      LOG.warn("closing {}: slow consumer, {}", owner, why);
    }
    host.metrics().refused("slow_consumer");
    owner.close(CloseCodes.SLOW_CONSUMER, "slow consumer");
  }

  void clear() {
    unacked.clear();
    unackedByMessage.clear();
  }
}
