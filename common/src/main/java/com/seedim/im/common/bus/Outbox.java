package com.seedim.im.common.bus;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the pushes one client frame causes. Pushes meant for the sending connection go into
 * {@link #self()} (returned in the {@link ServiceReply} so the gateway writes them after the 30 and the
 * reply, PROTOCOL.md §1 order); all others are sent through the {@link Pusher} on {@link #flush()}.
 */
public final class Outbox {
  private record Pending(String userId, JsonObject frame, boolean reliable, boolean includeSender) {
    // includeSender: the sending connection gets its copy through self()
  }

  private final Pusher pusher;
  private final RequestContext ctx;
  private final JsonArray self = new JsonArray();
  private final List<Pending> pending = new ArrayList<>();

  public Outbox(Pusher pusher, RequestContext ctx) {
    this.pusher = pusher;
    this.ctx = ctx;
  }

  /** To every device of {@code userId}, the sending connection included (via {@link #self()}). */
  public Outbox toUser(String userId, JsonObject frame) {
    return toUser(userId, frame, Pusher.defaultReliable(frame));
  }

  public Outbox toUser(String userId, JsonObject frame, boolean reliable) {
    pending.add(new Pending(userId, frame, reliable, true));
    if (ctx.connId() != null && userId.equals(ctx.userId())) {
      self.add(ServiceReply.push(frame, reliable));
    }
    return this;
  }

  /** To every device of {@code userId} except the sending connection. */
  public Outbox toOthers(String userId, JsonObject frame) {
    return toOthers(userId, frame, Pusher.defaultReliable(frame));
  }

  public Outbox toOthers(String userId, JsonObject frame, boolean reliable) {
    pending.add(new Pending(userId, frame, reliable, false));
    return this;
  }

  /** Only to the sending connection. */
  public Outbox toSender(JsonObject frame, boolean reliable) {
    if (ctx.connId() != null) {
      self.add(ServiceReply.push(frame, reliable));
    }
    return this;
  }

  /** The pushes for the sending connection, in the order they were queued (valid before and after {@link #flush()}). */
  public JsonArray self() {
    return self;
  }

  /**
   * Sends every queued push except those for the sending connection: one route lookup per user, then that
   * user's frames in the order they were queued (so two pushes to one user never overtake each other).
   */
  public Future<Void> flush() {
    java.util.Map<String, List<Pusher.Push>> byUser = new java.util.LinkedHashMap<>();
    for (Pending p : pending) {
      String except = p.userId.equals(ctx.userId()) ? ctx.connId() : null;
      byUser.computeIfAbsent(p.userId, k -> new ArrayList<>()).add(new Pusher.Push(p.frame, p.reliable, except));
    }
    pending.clear();
    List<Future<Integer>> sent = new ArrayList<>(byUser.size());
    byUser.forEach((user, pushes) -> sent.add(pusher.toUser(ctx.appId(), user, pushes)));
    return Future.join(sent).mapEmpty();
  }
}
