package com.seedim.im.chat;

import com.seedim.im.chat.store.ChatMessage;
import com.seedim.im.chat.store.ChatStore;
import com.seedim.im.chat.store.MessageEvents;
import com.seedim.im.common.events.Event;
import com.seedim.im.common.events.EventRecorder;
import com.seedim.im.common.events.EventStore;
import com.seedim.im.common.events.EventType;
import com.seedim.im.common.id.IdGenerator;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code message.undelivered} (docs/webhooks.md): a message that no device of its receiver acknowledged
 * {@code events.undeliveredAfterSeconds} after it was stored. One node at a time scans (a lease in the outbox),
 * walking message ids in order from its saved position up to "now minus the delay"; the events of a page and the new
 * position are written in one transaction, so each unacked message is reported once (a node dying mid-page leaves
 * the page to the next holder). Online receivers that ack in time never show up: the scan reads only messages still
 * undelivered when it passes them.
 */
final class UndeliveredEvents {
  private static final Logger LOG = LoggerFactory.getLogger(UndeliveredEvents.class);
  static final String LEASE = "undelivered-scan";
  static final int PAGE = 500;
  /** Pages per tick at most (the rest next tick). */
  static final int MAX_PAGES = 20;
  /**
   * How far back a scan starts when it has no position, or one older than this: a cluster that did not scan for a
   * long time (no chat node up) reports the last hour, not every message ever left unacked.
   */
  static final long MAX_LOOKBACK_MS = 3_600_000;

  private final ChatStore chat;
  private final EventStore outbox;
  private final EventRecorder recorder;
  private final long afterMs;
  private final long leaseMs;
  private final String owner = "chat-" + UUID.randomUUID();
  private boolean running;

  UndeliveredEvents(ChatStore chat, EventStore outbox, EventRecorder recorder, long afterMs, long leaseMs) {
    this.chat = chat;
    this.outbox = outbox;
    this.recorder = recorder;
    this.afterMs = afterMs;
    this.leaseMs = leaseMs;
  }

  /** One scan when this node holds (or takes) the lease; completes with the events recorded. Overlaps are skipped. */
  Future<Integer> tick(long nowMs, boolean anyAppRecords) {
    if (running || !anyAppRecords) {
      return Future.succeededFuture(0);
    }
    running = true;
    return outbox.lease(LEASE, owner, nowMs, leaseMs).compose(lease -> {
      if (!lease.held()) {
        return Future.succeededFuture(0);
      }
      long from = Math.max(lease.position() + 1, IdGenerator.firstIdAt(nowMs - afterMs - MAX_LOOKBACK_MS));
      long to = IdGenerator.firstIdAt(nowMs - afterMs) - 1;
      return page(from, to, nowMs, 0, 0);
    }).onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        LOG.warn("undelivered scan failed (retried next tick): {}", ar.cause().toString());
      } else if (ar.result() > 0) {
        LOG.info("undelivered scan recorded {} message.undelivered events", ar.result());
      }
    });
  }

  private Future<Integer> page(long from, long to, long nowMs, int pages, int recorded) {
    if (from > to || pages >= MAX_PAGES) {
      return Future.succeededFuture(recorded);
    }
    return chat.undeliveredBetween(from, to, PAGE).compose(messages -> {
      List<Event> events = new ArrayList<>();
      for (ChatMessage m : messages) {
        Event e = recorder.make(m.appId(), EventType.MESSAGE_UNDELIVERED,
          MessageEvents.data(m).put("undeliveredForMs", nowMs - m.sendTime()), nowMs);
        if (e != null) {
          events.add(e);
        }
      }
      boolean last = messages.size() < PAGE;
      long position = last ? to : messages.get(messages.size() - 1).messageId();
      return outbox.appendAndAdvance(events, LEASE, owner, position).compose(held -> {
        if (!held) {
          return Future.succeededFuture(recorded); // the lease passed to another node: it goes on from the saved position
        }
        return last ? Future.succeededFuture(recorded + events.size())
          : page(position + 1, to, nowMs, pages + 1, recorded + events.size());
      });
    });
  }

  /** Gives the lease up (a stopping node), so another chat node goes on at once. */
  Future<Void> release() {
    return outbox.release(LEASE, owner);
  }
}
