package com.seedim.im.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Server pushes to one socket: live pushes that arrive while its connect sequence runs are held (at most
 * {@code maxHeldPushes}) and go out after the sequence's own frames; then each is written with a fresh server
 * {@code unique} ({@link Outbound}, which keeps the reliable ones until acked) and shown to the socket's
 * {@link SessionMemory}. One per socket; its event loop only.
 */
final class Pushes {
  private static final Logger LOG = LoggerFactory.getLogger(Pushes.class);

  private final Outbound out;
  private final SessionMemory memory;
  private final int maxHeld;
  private final Object label;
  /** Live pushes that arrived during the connect sequence (null once it is over). */
  private List<ServerPush> held = new ArrayList<>();

  /** {@code label} names the socket in log lines (its {@code toString()}, called only when a line is written). */
  Pushes(Outbound out, SessionMemory memory, int maxHeld, Object label) {
    this.out = out;
    this.memory = memory;
    this.maxHeld = maxHeld;
    this.label = label;
  }

  /** A live push: held during the connect sequence, written at once afterwards. */
  void push(ServerPush p) {
    if (held == null) {
      write(p);
    } else if (held.size() < maxHeld) {
      held.add(p);
    } else {
      LOG.debug("dropping a push for {}: {} held during its connect sequence", label, held.size());
    }
  }

  /** A push produced by the connect sequence itself: written before the held ones. */
  void write(ServerPush p) {
    memory.observe(p.frame());
    out.push(p.frame(), p.reliable());
  }

  /** The connect sequence is over: the held pushes go out, later ones are written at once. */
  void release() {
    List<ServerPush> h = held;
    held = null;
    if (h != null) {
      h.forEach(this::write);
    }
  }

  /** The socket is gone: nothing is held any more. */
  void clear() {
    held = null;
  }

  /**
   * Redis lost data: the queue place and the room this socket was told of are gone; it is told so (431
   * {@code waitIndex: -1}, 560 {@code reason: "lost"}). Returns what it was told.
   */
  List<ServerPush> storeLost(long now) {
    List<ServerPush> lost = memory.lost(now);
    for (ServerPush p : lost) {
      out.push(p.frame(), p.reliable());
    }
    return lost;
  }
}
