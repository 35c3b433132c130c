package com.seedim.im.room;

import com.seedim.im.common.bus.Addresses;
import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.bus.msg.ApiQueries.TranscriptRequest;
import com.seedim.im.common.bus.msg.TranscriptQuery;
import com.seedim.im.common.infra.Infra;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.store.DeskGrants;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.RoomStore;
import com.seedim.im.cs.store.ServiceRecords;
import com.seedim.im.cs.store.ServiceRecords.RoomRecord;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A customer's records for the desk (protocol §14.5): 650 its rooms (→ 651), 652 a room's transcript (→ 653), and the
 * same transcript for the HTTP API ({@code GET /api/v1/rooms/{roomId}/transcript}, §10.15). The rooms come from the
 * service records, the messages from chat ({@link Addresses#CHAT_TRANSCRIPT}).
 *
 * <p>Who may read a customer's records: an admin; an agent who now shares an open room with the customer; an agent
 * whose left-message take still grants it ({@link DeskGrants#mayRead}). A room's transcript also to every member the
 * room had: its customer and each agent who served it.
 */
final class CustomerRecords {
  private static final Logger LOG = LoggerFactory.getLogger(CustomerRecords.class);
  static final int DEFAULT_ROOMS = 20;
  static final int MAX_ROOMS = 50;
  /** §14.5: at most this many messages in a transcript. */
  static final int MAX_TRANSCRIPT_MESSAGES = 500;

  private final Infra infra;
  private final RoomStore rooms;
  private final ServiceRecords records;
  private final EventBus bus;
  private final DeliveryOptions chatAsk;

  CustomerRecords(Infra infra, RoomStore rooms, ServiceRecords records, EventBus bus) {
    this.infra = infra;
    this.rooms = rooms;
    this.records = records;
    this.bus = bus;
    // half the bus timeout: the client hears this service's UNAVAILABLE, not the gateway's timeout of the whole frame
    this.chatAsk = new DeliveryOptions().setSendTimeout(Math.max(1, infra.config().busTimeoutMs() / 2));
  }

  // ---- 650

  Future<ServiceReply> onCustomerRooms(RequestContext ctx, JsonObject frame) {
    if (!ctx.isAgent() && !ctx.isAdmin()) {
      throw new ProtocolException(ErrorCode.FORBIDDEN, "only agents and admins read a customer's rooms");
    }
    String customer = Frames.reqId(frame, "userId");
    int pageSize = Frames.optInt(frame, "pageSize", DEFAULT_ROOMS, 1, MAX_ROOMS);
    return mayReadCustomer(ctx, customer).compose(may -> {
      if (!may) {
        LOG.info("650 from {}/{}: refused the records of {} (no room with it, no grant)", ctx.appId(), ctx.userId(), customer);
        throw new ProtocolException(ErrorCode.FORBIDDEN, "you do not serve " + customer);
      }
      return customerRooms(ctx.appId(), customer, pageSize);
    }).map(list -> {
      JsonArray items = new JsonArray();
      list.forEach(r -> items.add(r.item()));
      return ServiceReply.ok().reply(Frames.frame(MsgType.CUSTOMER_ROOMS_REPLY).put("userId", customer).put("rooms", items));
    });
  }

  /** An admin; an agent sharing an open room with the customer now; an agent with a left-message grant. */
  private Future<Boolean> mayReadCustomer(RequestContext ctx, String customer) {
    if (ctx.isAdmin()) {
      return Future.succeededFuture(true);
    }
    if (!ctx.isAgent() || ctx.userId().equals(customer)) {
      return Future.succeededFuture(false);
    }
    return rooms.shareRoom(ctx.appId(), ctx.userId(), customer).compose(shares -> shares ? Future.succeededFuture(true)
      : DeskGrants.mayRead(infra.kv(), ctx.appId(), ctx.userId(), customer));
  }

  // ---- 652

  Future<ServiceReply> onTranscript(RequestContext ctx, JsonObject frame) {
    String roomId = Frames.reqId(frame, "roomId");
    return room(ctx.appId(), roomId).compose(room -> {
      boolean member = room.customerId().equals(ctx.userId()) || room.agents().contains(ctx.userId());
      Future<Boolean> may = member ? Future.succeededFuture(true) : mayReadCustomer(ctx, room.customerId());
      return may.compose(ok -> {
        if (!ok) {
          LOG.info("652 from {}/{}: refused the transcript of room {} of {}", ctx.appId(), ctx.userId(), roomId,
            room.customerId());
          throw new ProtocolException(ErrorCode.FORBIDDEN, "not your room, and you do not serve its customer");
        }
        return transcript(ctx.appId(), room);
      });
    }).map(doc -> ServiceReply.ok().reply(Frames.frame(MsgType.ROOM_TRANSCRIPT_REPLY).mergeIn(doc)));
  }

  /** GET /api/v1/rooms/{roomId}/transcript: the 653 document without msgType (the business server sees its app). */
  Future<JsonObject> onApiTranscript(TranscriptRequest q) {
    infra.config().apps().require(q.appId());
    return room(q.appId(), q.roomId()).compose(room -> transcript(q.appId(), room));
  }

  /**
   * The customer's rooms, newest first, at most {@code limit}: the records, with its open rooms as the room store has
   * them (the records are written after the take or transfer answered, so a room taken or transferred a moment ago
   * is already in the answer).
   */
  private Future<List<RoomRecord>> customerRooms(String appId, String customer, int limit) {
    Future<List<RoomRecord>> recorded = records.customerRooms(appId, customer, limit);
    Future<List<JsonObject>> open = rooms.roomsOf(appId, customer).compose(ids -> {
      List<Future<JsonObject>> all = new ArrayList<>();
      ids.forEach(id -> all.add(rooms.get(appId, id)));
      return Future.all(all).map(cf -> all.stream().map(Future::result).filter(r -> r != null).toList());
    });
    return Future.all(recorded, open).map(cf -> {
      Map<String, RoomRecord> byId = new LinkedHashMap<>();
      recorded.result().forEach(r -> byId.put(r.roomId(), r));
      for (JsonObject live : open.result()) {
        String id = live.getString(RoomState.ROOM_ID);
        byId.put(id, withLive(byId.get(id), live));
      }
      List<RoomRecord> out = new ArrayList<>(byId.values());
      out.sort(Comparator.comparingLong(RoomRecord::createdAt).reversed());
      return out.subList(0, Math.min(limit, out.size()));
    });
  }

  /**
   * The room's record, completed by the open room's state (a room so new that its record is not written yet, an
   * agent who took it over a moment ago). Unknown → NOT_FOUND (a roomId that is not a number names no room).
   */
  private Future<RoomRecord> room(String appId, String roomId) {
    if (!isNumber(roomId)) {
      return Future.failedFuture(notFound(roomId));
    }
    Future<RoomRecord> recorded = records.room(appId, roomId);
    Future<JsonObject> open = rooms.get(appId, roomId);
    return Future.all(recorded, open).map(cf -> {
      if (recorded.result() == null && open.result() == null) {
        throw notFound(roomId);
      }
      return open.result() == null ? recorded.result() : withLive(recorded.result(), open.result());
    });
  }

  /** The record (or null) of an open room, with its current agent last. */
  private static RoomRecord withLive(RoomRecord rec, JsonObject live) {
    String agent = live.getString(RoomState.CREATOR);
    if (rec == null) {
      return new RoomRecord(live.getString(RoomState.ROOM_ID), live.getString(RoomState.QUEUE_ID),
        live.getString(RoomState.CUSTOMER), List.of(agent), live.getLong(RoomState.CREATED_AT), null, null);
    }
    if (rec.agentId().equals(agent)) {
      return rec;
    }
    List<String> agents = new ArrayList<>(rec.agents());
    agents.add(agent);
    return new RoomRecord(rec.roomId(), rec.queueId(), rec.customerId(), agents, rec.createdAt(), rec.closedAt(), rec.reason());
  }

  private static ProtocolException notFound(String roomId) {
    return new ProtocolException(ErrorCode.NOT_FOUND, "no room " + roomId);
  }

  private static boolean isNumber(String s) {
    if (s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** {roomId, customer, agents, createdAt, closedAt, messages}. */
  private Future<JsonObject> transcript(String appId, RoomRecord room) {
    TranscriptQuery q = new TranscriptQuery(appId, room.customerId(), room.agents(), room.createdAt(), room.closedAt(),
      MAX_TRANSCRIPT_MESSAGES);
    return bus.<JsonObject>request(Addresses.CHAT_TRANSCRIPT, q, chatAsk).map(m -> new JsonObject()
      .put("roomId", room.roomId()).put("customer", room.customerId()).put("agents", new JsonArray(room.agents()))
      .put("createdAt", room.createdAt()).put("closedAt", room.closedAt())
      .put("messages", m.body().getJsonArray("messages", new JsonArray())));
  }
}
