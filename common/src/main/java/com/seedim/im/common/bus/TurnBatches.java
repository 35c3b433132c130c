package com.seedim.im.common.bus;

import io.vertx.core.Context;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One batch per Vert.x context and event-loop turn: the first use in a turn opens a batch and queues a task that
 * sends it when the turn ends, so everything a context adds during that turn travels together. The task runs before
 * any later task of that context, so batches of one context go out in the order they were filled. Used for route
 * lookups (one Redis script call), pushes to a gateway (one bus message) and the gateway's delivered acks.
 *
 * @param <B> the batch; touched only on its context's thread
 */
public final class TurnBatches<B> {
  private final Map<Context, B> open = new ConcurrentHashMap<>();
  private final Supplier<B> fresh;
  private final Consumer<B> send;

  public TurnBatches(Supplier<B> fresh, Consumer<B> send) {
    this.fresh = fresh;
    this.send = send;
  }

  /** The open batch of {@code ctx}'s current turn (call on that context). */
  public B current(Context ctx) {
    B b = open.get(ctx);
    if (b == null) {
      B opened = fresh.get();
      open.put(ctx, opened);
      ctx.runOnContext(v -> sendNow(ctx, opened));
      b = opened;
    }
    return b;
  }

  /** The batch {@code ctx} has open in its current turn, or null when nothing was added this turn. */
  public B open(Context ctx) {
    return open.get(ctx);
  }

  /** Sends {@code b} now (e.g. it is full) unless it went already; the next {@link #current} opens a new one. */
  public void sendNow(Context ctx, B b) {
    if (open.remove(ctx, b)) {
      send.accept(b);
    }
  }
}
