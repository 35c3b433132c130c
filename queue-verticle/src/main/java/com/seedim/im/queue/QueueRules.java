package com.seedim.im.queue;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.QueueStore.Waiter;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The queue rules of PROTOCOL.md §6 that need no I/O: who may do what to which queue, and which 410s are due. */
public final class QueueRules {
  private QueueRules() {
  }

  /** A queue id a frame may use: configured, or any well-formed id when the app has dynamic queues. */
  public static void requireKnown(AppConfig app, String queueId) {
    if (app.queue(queueId) == null && !app.dynamicQueues()) {
      throw new ProtocolException(ErrorCode.NOT_FOUND, "no queue '" + queueId + "'");
    }
  }

  /** Whether the agent serves the queue (dynamic queues are served by every agent). */
  public static boolean serves(AppConfig app, String agentId, String queueId) {
    AppConfig.QueueDef def = app.queue(queueId);
    return def == null ? app.dynamicQueues() : def.servedBy(agentId);
  }

  /** 400 is for customers only. */
  public static void requireCustomer(RequestContext ctx) {
    if (!ctx.isUser()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only customers (role user) enter queues");
    }
  }

  /** 401: an agent, serving the named queue, not naming itself. */
  public static void checkTake(AppConfig app, RequestContext ctx, String queueId, String receiveUserId) {
    if (!ctx.isAgent()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only agents take customers");
    }
    if (ctx.userId().equals(receiveUserId)) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "an agent cannot take itself");
    }
    if (queueId != null) {
      requireKnown(app, queueId);
      if (!serves(app, ctx.userId(), queueId)) {
        throw new ProtocolException(ErrorCode.FORBIDDEN, "agent does not serve queue '" + queueId + "'");
      }
    }
  }

  /** The queues an agent takes from when 401 names none: configured and known dynamic queues it serves. */
  public static List<String> servedQueues(AppConfig app, String agentId, Collection<String> knownQueueIds) {
    Set<String> out = new LinkedHashSet<>();
    for (AppConfig.QueueDef q : app.queues()) {
      if (q.servedBy(agentId)) {
        out.add(q.id());
      }
    }
    for (String q : knownQueueIds) {
      if (serves(app, agentId, q)) {
        out.add(q);
      }
    }
    return new ArrayList<>(out);
  }

  /** The 410 value of a waiter: {@code index:total}. */
  public static String positionValue(int index, int total) {
    return QueueStore.positionValue(index, total);
  }

  /** What a 410 round must send and forget. */
  public record Round(Map<String, String> changed, List<String> gone) {
  }

  /**
   * Compares the line with the values last sent: every waiter whose index or total changed gets a 410;
   * values of customers no longer waiting are forgotten.
   */
  public static Round round(List<Waiter> line, Map<String, String> sent) {
    Map<String, String> changed = new HashMap<>();
    Set<String> present = new LinkedHashSet<>();
    int total = line.size();
    for (int i = 0; i < total; i++) {
      String user = line.get(i).userId();
      present.add(user);
      String v = positionValue(i + 1, total);
      if (!v.equals(sent.get(user))) {
        changed.put(user, v);
      }
    }
    List<String> gone = new ArrayList<>();
    for (String u : sent.keySet()) {
      if (!present.contains(u)) {
        gone.add(u);
      }
    }
    return new Round(changed, gone);
  }
}
