package com.seedim.im.queue;

import com.seedim.im.common.bus.Outbox;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.events.EventType;
import com.seedim.im.common.events.Events;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.cs.store.LeftMessages;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.QueueStore.Waiter;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The agents' side of the desk (protocol §14.1, §14.7): 600 availability and what it decides (who may take, who is
 * told about waiters, how many agents a customer can hope for), and the 670 supervisor snapshot. Availability is kept
 * by the {@link QueueStore}, so every node sees the same.
 */
final class AgentDesk {
  private static final Logger LOG = LoggerFactory.getLogger(AgentDesk.class);
  /** The most rooms one 671 lists (newest first). */
  static final int SUPERVISOR_ROOMS = 200;
  /** The most queues one 671 lists (configured ones first, then those in use, by id): each costs two store reads. */
  static final int SUPERVISOR_QUEUES = 200;
  /** The most waiters one 671 lists per queue (the longest waiting); {@code waitTotal} counts them all. */
  static final int SUPERVISOR_WAITERS = 50;

  private final Infra infra;
  private final QueueStore queues;
  private final RoomStore rooms;
  private final QueueRounds rounds;
  /** Left messages (§14.4): 431 and 671 {@code messagesWaiting}, and 671 lists the queues that hold some. */
  private final LeftMessages leftMessages;

  AgentDesk(Infra infra, QueueStore queues, RoomStore rooms, LeftMessages leftMessages, QueueRounds rounds) {
    this.infra = infra;
    this.queues = queues;
    this.rooms = rooms;
    this.leftMessages = leftMessages;
    this.rounds = rounds;
  }

  Future<Integer> messagesWaiting(String appId, String queueId) {
    return leftMessages.waiting(appId, queueId);
  }

  private AppConfig app(String appId) {
    return infra.config().apps().require(appId);
  }

  // ---- 600

  Future<ServiceReply> onStatus(RequestContext ctx, JsonObject frame) {
    if (!ctx.isAgent()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only agents have an availability");
    }
    String wanted = Frames.optString(frame, "status");
    if (wanted != null && !QueueStore.isAgentStatus(wanted)) {
      throw ProtocolException.invalid("status", "available, away or offline");
    }
    AppConfig app = app(ctx.appId());
    Future<Boolean> changed = wanted == null ? Future.succeededFuture(false)
      : queues.agentStatus(ctx.appId(), ctx.userId()).compose(before -> before.equals(wanted) ? Future.succeededFuture(false)
        : queues.setAgentStatus(ctx.appId(), ctx.userId(), wanted).map(v -> {
          // agent.status (docs/webhooks.md): written after the change, never failing the 600 (not awaited)
          Events.of(infra).emit(ctx.appId(), EventType.AGENT_STATUS, new JsonObject().put("userId", ctx.userId())
            .put("status", wanted).put("previous", before));
          return true;
        }));
    return changed.compose(ch -> Future.all(queues.agentStatus(ctx.appId(), ctx.userId()),
      queues.agentRooms(ctx.appId(), ctx.userId())).compose(cf -> {
        String status = cf.resultAt(0);
        int n = cf.resultAt(1);
        JsonObject reply = Frames.frame(MsgType.AGENT_STATUS_REPLY).put("userId", ctx.userId()).put("status", status)
          .put("rooms", n).put("maxRooms", app.maxRoomsPerAgent());
        if (!ch) {
          return Future.succeededFuture(ServiceReply.ok().reply(reply));
        }
        LOG.info("agent {}/{} is now {} ({} of {} rooms)", ctx.appId(), ctx.userId(), status, n, app.maxRoomsPerAgent());
        // the waiting lists it serves change audience: their 431 rounds run again (and tell it, once available)
        servedQueues(app, ctx.userId()).onSuccess(qs -> qs.forEach(q -> rounds.changed(ctx.appId(), q)));
        Outbox out = new Outbox(infra.pusher(), ctx).toOthers(ctx.userId(), stripped(reply), false);
        return out.flush().map(v -> ServiceReply.ok().reply(reply));
      }));
  }

  /** The 601 as pushed to other devices: without the echoed unique/mark (a push gets a server unique). */
  private static JsonObject stripped(JsonObject reply) {
    JsonObject push = reply.copy();
    push.remove("unique");
    push.remove("mark");
    return push;
  }

  private Future<List<String>> servedQueues(AppConfig app, String agentId) {
    return queues.queueIds(app.appId()).map(known -> QueueRules.servedQueues(app, agentId, known));
  }

  /** §14.1: away and offline agents take nobody (401, 640). */
  Future<Void> requireAvailable(RequestContext ctx) {
    return queues.agentStatus(ctx.appId(), ctx.userId()).map(status -> {
      if (!QueueStore.AVAILABLE.equals(status)) {
        throw new ProtocolException(ErrorCode.INVALID_STATE, "you are " + status + ": set 600 status available to take");
      }
      return null;
    });
  }

  /** Connected agents with status available, among {@code candidates}. */
  Future<List<String>> available(String appId, List<String> online) {
    return queues.agentStatuses(appId).map(statuses -> {
      List<String> out = new ArrayList<>();
      for (String a : online) {
        if (QueueStore.AVAILABLE.equals(statuses.getOrDefault(a, QueueStore.AVAILABLE))) {
          out.add(a);
        }
      }
      return out;
    });
  }

  /** Connected, available agents serving the queue (431 {@code agentsAvailable}, the 431 push audience). */
  Future<List<String>> availableFor(String appId, String queueId) {
    AppConfig app = app(appId);
    return queues.onlineAgents(appId).compose(online -> available(appId, online)).map(list -> {
      List<String> out = new ArrayList<>();
      for (String a : list) {
        if (QueueRules.serves(app, a, queueId)) {
          out.add(a);
        }
      }
      return out;
    });
  }

  // ---- 670

  Future<ServiceReply> onSupervisor(RequestContext ctx, JsonObject frame) {
    if (!ctx.isAdmin()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "the supervisor view is for admins");
    }
    String appId = ctx.appId();
    AppConfig app = app(appId);
    return Future.all(queues.queueIds(appId), queues.onlineAgents(appId), queues.agentStatuses(appId),
      rooms.list(appId, 0, SUPERVISOR_ROOMS), leftMessages.queuesWithMessages(appId)).compose(cf -> {
        List<String> known = cf.resultAt(0);
        List<String> online = cf.resultAt(1);
        Map<String, String> statuses = cf.resultAt(2);
        RoomStore.Page page = cf.resultAt(3);
        Set<String> inUse = new TreeSet<>(known);
        inUse.addAll(cf.<List<String>>resultAt(4));
        Set<String> queueIds = new LinkedHashSet<>();
        app.queues().forEach(q -> queueIds.add(q.id()));
        for (String q : inUse) {
          if (queueIds.size() >= SUPERVISOR_QUEUES) {
            break;
          }
          queueIds.add(q);
        }
        Set<String> agents = new TreeSet<>(online);
        agents.addAll(statuses.keySet());
        app.queues().forEach(q -> {
          if (q.agents() != null) {
            agents.addAll(q.agents());
          }
        });
        Map<String, List<String>> roomsOf = new HashMap<>();
        JsonArray roomItems = new JsonArray();
        for (JsonObject r : page.rooms()) {
          roomItems.add(RoomState.listItem(r));
          roomsOf.computeIfAbsent(r.getString(RoomState.CREATOR), k -> new ArrayList<>()).add(r.getString(RoomState.ROOM_ID));
          agents.add(r.getString(RoomState.CREATOR));
        }
        Set<String> onlineSet = new LinkedHashSet<>(online);
        List<Future<JsonObject>> perQueue = new ArrayList<>();
        for (String q : queueIds) {
          perQueue.add(queueView(app, q, onlineSet, statuses));
        }
        JsonArray agentItems = new JsonArray();
        for (String a : agents) {
          agentItems.add(new JsonObject().put("userId", a).put("status", statuses.getOrDefault(a, QueueStore.AVAILABLE))
            .put("online", onlineSet.contains(a)).put("rooms", new JsonArray(roomsOf.getOrDefault(a, List.of()))));
        }
        return Future.all(perQueue).map(all -> {
          JsonArray queueItems = new JsonArray();
          for (int i = 0; i < perQueue.size(); i++) {
            queueItems.add(all.<JsonObject>resultAt(i));
          }
          return ServiceReply.ok().reply(Frames.frame(MsgType.SUPERVISOR_VIEW_REPLY).put("queues", queueItems)
            .put("agents", agentItems).put("rooms", roomItems));
        });
      });
  }

  private Future<JsonObject> queueView(AppConfig app, String queueId, Set<String> online, Map<String, String> statuses) {
    int available = 0;
    for (String a : online) {
      if (QueueRules.serves(app, a, queueId) && QueueStore.AVAILABLE.equals(statuses.getOrDefault(a, QueueStore.AVAILABLE))) {
        available++;
      }
    }
    int n = available;
    return Future.all(queues.waiters(app.appId(), queueId), messagesWaiting(app.appId(), queueId)).map(cf -> {
      List<Waiter> line = cf.resultAt(0);
      int messages = cf.resultAt(1);
      return new JsonObject().put("queueId", queueId).put("waitTotal", line.size()).put("waiting", QueueFrames.waiting(line.subList(0, Math.min(line.size(), SUPERVISOR_WAITERS))))
        .put("agentsAvailable", n).put("messagesWaiting", messages);
    });
  }
}
