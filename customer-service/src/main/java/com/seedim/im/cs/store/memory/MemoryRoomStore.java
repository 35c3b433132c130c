package com.seedim.im.cs.store.memory;

import com.seedim.im.cs.store.DeadlineStore;
import com.seedim.im.cs.store.QueueStore;
import com.seedim.im.cs.store.RoomState;
import com.seedim.im.cs.store.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dev-mode {@link RoomStore}: one JVM, so one lock ({@link #lock}) guards rooms, queues and deadlines and every
 * operation is atomic like its Redis script. Not durable.
 */
public final class MemoryRoomStore implements RoomStore {
  final Object lock = new Object();
  private final Map<String, JsonObject> rooms = new HashMap<>();
  private final Map<String, Long> versions = new HashMap<>();
  /** app\nuser → room ids, oldest first. */
  private final Map<String, LinkedHashSet<String>> userRooms = new HashMap<>();
  private final MemoryQueueStore queues = new MemoryQueueStore(this);
  private final MemoryDeadlineStore deadlines = new MemoryDeadlineStore();

  static String key(String appId, String id) {
    return appId + '\n' + id;
  }

  @Override
  public Future<String> roomIdOf(String appId, String userId) {
    synchronized (lock) {
      return Future.succeededFuture(newestRoom(appId, userId));
    }
  }

  String newestRoom(String appId, String userId) {
    LinkedHashSet<String> s = userRooms.get(key(appId, userId));
    String last = null;
    if (s != null) {
      for (String r : s) {
        last = r;
      }
    }
    return last;
  }

  @Override
  public Future<JsonObject> get(String appId, String roomId) {
    synchronized (lock) {
      JsonObject r = rooms.get(key(appId, roomId));
      return Future.succeededFuture(r == null ? null : r.copy());
    }
  }

  @Override
  public Future<List<String>> roomsOf(String appId, String userId) {
    synchronized (lock) {
      Set<String> s = userRooms.get(key(appId, userId));
      return Future.succeededFuture(s == null ? List.of() : List.copyOf(s));
    }
  }

  int roomCount(String appId, String userId) {
    Set<String> s = userRooms.get(key(appId, userId));
    return s == null ? 0 : s.size();
  }

  @Override
  public Future<Boolean> shareRoom(String appId, String userA, String userB) {
    synchronized (lock) {
      Set<String> a = userRooms.get(key(appId, userA));
      Set<String> b = userRooms.get(key(appId, userB));
      if (a == null || b == null || userA.equals(userB)) {
        return Future.succeededFuture(false);
      }
      for (String r : a) {
        if (b.contains(r)) {
          return Future.succeededFuture(true);
        }
      }
      return Future.succeededFuture(false);
    }
  }

  @Override
  public Future<Versioned> load(String appId, String roomId) {
    synchronized (lock) {
      JsonObject r = rooms.get(key(appId, roomId));
      return Future.succeededFuture(r == null ? null : new Versioned(r.copy(), versions.get(key(appId, roomId))));
    }
  }

  @Override
  public Future<Boolean> replace(String appId, String roomId, long version, JsonObject room) {
    synchronized (lock) {
      String k = key(appId, roomId);
      Long v = versions.get(k);
      if (v == null || v != version) {
        return Future.succeededFuture(false);
      }
      rooms.put(k, room.copy());
      versions.put(k, v + 1);
      return Future.succeededFuture(true);
    }
  }

  /** Opens a room; called under {@link #lock}. */
  boolean exists(String appId, String roomId) {
    return rooms.containsKey(key(appId, roomId));
  }

  void open(String appId, JsonObject room) {
    String roomId = room.getString(RoomState.ROOM_ID);
    rooms.put(key(appId, roomId), room.copy());
    versions.put(key(appId, roomId), 1L);
    userRooms.computeIfAbsent(key(appId, room.getString(RoomState.CREATOR)), k -> new LinkedHashSet<>()).add(roomId);
    userRooms.computeIfAbsent(key(appId, room.getString(RoomState.CUSTOMER)), k -> new LinkedHashSet<>()).add(roomId);
  }

  @Override
  public Future<JsonObject> close(String appId, String roomId) {
    synchronized (lock) {
      String k = key(appId, roomId);
      JsonObject r = rooms.remove(k);
      versions.remove(k);
      if (r == null) {
        return Future.succeededFuture(null);
      }
      for (String m : List.of(r.getString(RoomState.CREATOR), r.getString(RoomState.CUSTOMER))) {
        String uk = key(appId, m);
        Set<String> s = userRooms.get(uk);
        if (s != null) {
          s.remove(roomId);
          if (s.isEmpty()) {
            userRooms.remove(uk);
          }
        }
      }
      return Future.succeededFuture(r);
    }
  }

  @Override
  public Future<TransferOutcome> transfer(String appId, String roomId, long version, JsonObject room, String fromAgent,
    String toAgent, int maxRooms) {
    synchronized (lock) {
      String k = key(appId, roomId);
      JsonObject cur = rooms.get(k);
      Long v = versions.get(k);
      if (cur == null || v == null || v != version || !fromAgent.equals(cur.getString(RoomState.CREATOR))) {
        return Future.succeededFuture(TransferOutcome.CHANGED);
      }
      if (roomCount(appId, toAgent) >= maxRooms) {
        return Future.succeededFuture(TransferOutcome.AGENT_BUSY);
      }
      rooms.put(k, room.copy());
      versions.put(k, v + 1);
      Set<String> from = userRooms.get(key(appId, fromAgent));
      if (from != null) {
        from.remove(roomId);
        if (from.isEmpty()) {
          userRooms.remove(key(appId, fromAgent));
        }
      }
      userRooms.computeIfAbsent(key(appId, toAgent), x -> new LinkedHashSet<>()).add(roomId);
      return Future.succeededFuture(TransferOutcome.TRANSFERRED);
    }
  }

  @Override
  public Future<Page> list(String appId, int offset, int limit) {
    synchronized (lock) {
      String p = appId + '\n';
      List<JsonObject> all = new ArrayList<>();
      for (Map.Entry<String, JsonObject> e : rooms.entrySet()) {
        if (e.getKey().startsWith(p)) {
          all.add(e.getValue());
        }
      }
      // newest first: room ids increase with time
      all.sort((x, y) -> Long.compare(Long.parseLong(y.getString(RoomState.ROOM_ID)), Long.parseLong(x.getString(RoomState.ROOM_ID))));
      List<JsonObject> page = new ArrayList<>();
      for (int i = offset; i < all.size() && page.size() < limit; i++) {
        page.add(all.get(i).copy());
      }
      return Future.succeededFuture(new Page(page, all.size()));
    }
  }

  @Override
  public QueueStore queues() {
    return queues;
  }

  @Override
  public DeadlineStore deadlines() {
    return deadlines;
  }
}
