package com.seedim.im.cs.store.memory;

import com.seedim.im.common.events.Event;
import com.seedim.im.common.events.EventRecorder;
import com.seedim.im.common.events.EventStore;
import com.seedim.im.cs.store.ServiceEvents;
import com.seedim.im.cs.store.ServiceRecords;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dev-mode {@link ServiceRecords}: the newest {@link #MAX_ROWS} rows of each kind in memory. The events of the
 * records ({@link ServiceEvents}) go to the process's outbox (a memory one in dev mode) in the same step as the row.
 */
public final class MemoryServiceRecords implements ServiceRecords {
  static final int MAX_ROWS = 10_000;

  private static final class Entry {
    String appId;
    String queueId;
    String userId;
    long enteredAt;
    Long endedAt;
    String outcome;
  }

  private static final class Room {
    String appId;
    String roomId;
    String queueId;
    String agentId;
    String customerId;
    long waitedMs;
    long createdAt;
    Long closedAt;
    String reason;
    Object info;
    /** Every agent who served it, in order (an agent who took it back appears again). */
    final List<String> agents = new ArrayList<>();

    RoomRecord record() {
      return new RoomRecord(roomId, queueId, customerId, agents, createdAt, closedAt, reason);
    }
  }

  private static final class Call {
    String appId;
    String callId;
    String roomId;
    String caller;
    String callee;
    final Map<String, JsonObject> stats = new HashMap<>();
    long startedAt;
    Long answeredAt;
    Long endedAt;
    String outcome;
  }

  private final Deque<Entry> entries = new ArrayDeque<>();
  private final Map<String, Room> rooms = new LinkedHashMap<>();
  private final Map<String, Call> calls = new LinkedHashMap<>();
  private final ServiceEvents events;

  /** Records without events (tools, tests). */
  public MemoryServiceRecords() {
    this.events = ServiceEvents.NONE;
  }

  /** Records that report themselves as events of the apps that record them, appended to {@code store}. */
  public MemoryServiceRecords(EventRecorder recorder, EventStore store) {
    this.events = new ServiceEvents(recorder, store);
  }

  /** Appends an event that goes with a row just written (the memory outbox never fails). */
  private void emit(Event e) {
    if (e != null) {
      events.store().append(List.of(e));
    }
  }

  @Override
  public Future<Void> migrate() {
    return Future.succeededFuture();
  }

  @Override
  public synchronized void queueEntered(String appId, String queueId, String userId, long at, int position) {
    Event ev = events.queueEntered(appId, queueId, userId, position, at);
    Entry e = new Entry();
    e.appId = appId;
    e.queueId = queueId;
    e.userId = userId;
    e.enteredAt = at;
    entries.addLast(e);
    if (entries.size() > MAX_ROWS) {
      entries.removeFirst();
    }
    emit(ev);
  }

  @Override
  public synchronized void queueEnded(String appId, String userId, long at, String outcome, String agentId, String roomId) {
    Event ev = events.queueEnded(appId, userId, outcome, agentId, roomId, at);
    Entry newest = null;
    for (Iterator<Entry> it = entries.descendingIterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.appId.equals(appId) && e.userId.equals(userId) && e.endedAt == null) {
        e.endedAt = at;
        e.outcome = ServiceRecords.stored(outcome);
        newest = newest == null ? e : newest;
      }
    }
    if (ev != null && newest != null) {
      ServiceEvents.waited(ev, newest.queueId, newest.enteredAt);
      emit(ev);
    }
  }

  @Override
  public synchronized void roomOpened(String appId, String roomId, String queueId, String agentId, String customerId,
                                      long waitedMs, long at) {
    Room r = new Room();
    r.appId = appId;
    r.roomId = roomId;
    r.queueId = queueId;
    r.agentId = agentId;
    r.customerId = customerId;
    r.waitedMs = waitedMs;
    r.createdAt = at;
    r.agents.add(agentId);
    if (rooms.putIfAbsent(appId + '\n' + roomId, r) == null) {
      trim(rooms);
      emit(events.roomOpened(appId, roomId, queueId, agentId, customerId, waitedMs, at));
    }
  }

  @Override
  public synchronized void roomClosed(String appId, String roomId, long at, String reason) {
    Room r = rooms.get(appId + '\n' + roomId);
    if (r != null && r.closedAt == null) {
      r.closedAt = at;
      r.reason = reason;
      Event ev = events.roomClosed(appId, roomId, reason, at);
      if (ev != null) {
        ServiceEvents.closed(ev, r.queueId, r.customerId, r.agentId, r.waitedMs, r.createdAt);
        emit(ev);
      }
    }
  }

  @Override
  public synchronized void roomInfo(String appId, String roomId, Object info) {
    Room r = rooms.get(appId + '\n' + roomId);
    if (r != null) {
      r.info = info;
    }
  }

  @Override
  public synchronized void callStarted(String appId, String roomId, String callId, String caller, String callee, long at) {
    Call c = new Call();
    c.appId = appId;
    c.callId = callId;
    c.roomId = roomId;
    c.caller = caller;
    c.callee = callee;
    c.startedAt = at;
    if (calls.putIfAbsent(appId + '\n' + callId, c) == null) {
      trim(calls);
      emit(events.callStarted(appId, roomId, callId, caller, callee, at));
    }
  }

  @Override
  public synchronized void callAnswered(String appId, String callId, long at) {
    Call c = calls.get(appId + '\n' + callId);
    if (c != null && c.answeredAt == null) {
      c.answeredAt = at;
      Event ev = events.callAnswered(appId, callId, at);
      if (ev != null) {
        ServiceEvents.answered(ev, c.roomId, c.caller, c.callee, c.startedAt);
        emit(ev);
      }
    }
  }

  @Override
  public synchronized void callEnded(String appId, String callId, long at, String outcome) {
    Call c = calls.get(appId + '\n' + callId);
    if (c != null && c.endedAt == null) {
      c.endedAt = at;
      c.outcome = outcome;
      Event ev = events.callEnded(appId, callId, outcome, at);
      if (ev != null) {
        ServiceEvents.ended(ev, c.roomId, c.caller, c.callee, c.answeredAt);
        emit(ev);
      }
    }
  }

  @Override
  public synchronized void roomTransferred(String appId, String roomId, String fromAgent, String toAgent, String byUserId,
                                          long at) {
    Room r = rooms.get(appId + '\n' + roomId);
    if (r != null) {
      r.agentId = toAgent;
      if (!r.agents.get(r.agents.size() - 1).equals(toAgent)) {
        r.agents.add(toAgent);
      }
      emit(events.roomTransferred(appId, roomId, fromAgent, toAgent, byUserId, at));
    }
  }

  @Override
  public synchronized Future<List<RoomRecord>> customerRooms(String appId, String customerId, int limit) {
    List<RoomRecord> out = new ArrayList<>();
    List<Room> all = new ArrayList<>(rooms.values());
    for (int i = all.size() - 1; i >= 0 && out.size() < limit; i--) {
      Room r = all.get(i);
      if (r.appId.equals(appId) && r.customerId.equals(customerId)) {
        out.add(r.record());
      }
    }
    out.sort((a, b) -> Long.compare(b.createdAt(), a.createdAt()));
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<RoomRecord> room(String appId, String roomId) {
    Room r = rooms.get(appId + '\n' + roomId);
    return Future.succeededFuture(r == null ? null : r.record());
  }

  @Override
  public synchronized Future<Void> callStats(String appId, String callId, String userId, JsonObject stats) {
    Call c = calls.get(appId + '\n' + callId);
    if (c != null) {
      c.stats.put(userId, stats.copy());
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<CallRecord> call(String appId, String callId) {
    Call c = calls.get(appId + '\n' + callId);
    if (c == null) {
      return Future.succeededFuture(null);
    }
    Map<String, JsonObject> stats = new HashMap<>();
    c.stats.forEach((k, v) -> stats.put(k, v.copy()));
    return Future.succeededFuture(new CallRecord(c.callId, c.roomId, c.caller, c.callee, c.startedAt, c.endedAt, stats));
  }

  private static void trim(Map<String, ?> m) {
    Iterator<String> it = m.keySet().iterator();
    while (m.size() > MAX_ROWS && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  @Override
  public synchronized Future<java.util.List<Long>> recentTakes(String appId, String queueId, long sinceMs) {
    java.util.List<Long> out = new java.util.ArrayList<>();
    for (Iterator<Entry> it = entries.descendingIterator(); it.hasNext() && out.size() < RECENT_TAKES; ) {
      Entry e = it.next();
      if (e.appId.equals(appId) && e.queueId.equals(queueId) && TAKEN.equals(e.outcome) && e.endedAt >= sinceMs) {
        out.add(e.endedAt);
      }
    }
    out.sort(java.util.Comparator.reverseOrder());
    return Future.succeededFuture(out);
  }

  @Override
  public synchronized Future<JsonObject> queueStats(String appId, String queueId) {
    long served = 0;
    long waitSum = 0;
    long handled = 0;
    long handleSum = 0;
    Map<String, Boolean> roomIds = new HashMap<>();
    for (Room r : rooms.values()) {
      if (r.appId.equals(appId) && r.queueId.equals(queueId)) {
        served++;
        waitSum += r.waitedMs;
        roomIds.put(r.roomId, true);
        if (r.closedAt != null) {
          handled++;
          handleSum += r.closedAt - r.createdAt;
        }
      }
    }
    long abandoned = 0;
    for (Entry e : entries) {
      if (e.appId.equals(appId) && e.queueId.equals(queueId) && (LEFT.equals(e.outcome) || TIMEOUT.equals(e.outcome))) {
        abandoned++;
      }
    }
    long callCount = 0;
    long callSum = 0;
    for (Call c : calls.values()) {
      if (c.appId.equals(appId) && roomIds.containsKey(c.roomId) && c.answeredAt != null && c.endedAt != null) {
        callCount++;
        callSum += c.endedAt - c.answeredAt;
      }
    }
    return Future.succeededFuture(stats(served, abandoned, served == 0 ? 0 : waitSum / (double) served,
      handled == 0 ? 0 : handleSum / (double) handled, callCount, callCount == 0 ? 0 : callSum / (double) callCount));
  }

  /** The stats JSON from raw numbers (milliseconds in, seconds out). */
  public static JsonObject stats(long served, long abandoned, double avgWaitMs, double avgHandlingMs, long calls, double avgCallMs) {
    return new JsonObject().put("served", served).put("abandoned", abandoned)
      .put("averageWaitSeconds", Math.round(avgWaitMs / 100.0) / 10.0)
      .put("averageHandlingSeconds", Math.round(avgHandlingMs / 100.0) / 10.0)
      .put("calls", calls).put("averageCallSeconds", Math.round(avgCallMs / 100.0) / 10.0);
  }

  @Override
  public synchronized Future<JsonObject> closedRooms(String appId, int offset, int limit) {
    List<Room> closed = new ArrayList<>();
    for (Room r : rooms.values()) {
      if (r.appId.equals(appId) && r.closedAt != null) {
        closed.add(r);
      }
    }
    closed.sort((a, b) -> Long.compare(b.closedAt, a.closedAt));
    JsonArray out = new JsonArray();
    for (int i = offset; i < closed.size() && out.size() < limit; i++) {
      Room r = closed.get(i);
      out.add(row(r.roomId, r.queueId, r.agentId, r.customerId, r.createdAt, r.closedAt, r.reason, r.info));
    }
    return Future.succeededFuture(new JsonObject().put("rooms", out).put("total", closed.size()));
  }

  /** One closed-room item. */
  public static JsonObject row(String roomId, String queueId, String agent, String customer, long createdAt, Long closedAt,
                               String reason, Object info) {
    return new JsonObject().put("roomId", roomId).put("queueId", queueId).put("creator", agent).put("customer", customer)
      .put("members", new JsonArray().add(agent).add(customer)).put("createdAt", createdAt).put("closedAt", closedAt)
      .put("reason", reason).put("info", info);
  }
}
