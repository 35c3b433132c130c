package com.seedim.im.cs.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Customer-service state (PROTOCOL.md §6) shared by the queue, room and signaling services (through
 * {@code CustomerService}): rooms and their call state here, queues in {@link #queues()}, timers in
 * {@link #deadlines()}, all on one backing store (Redis in production, memory in dev) so that a take can pop a waiter
 * and open its room in one atomic step. Chat asks the room service ({@link #shareRoom}) over the bus.
 *
 * <p>A room is a JSON object (see {@link RoomState} and {@code Calls} for the fields) with a version that
 * {@link #replace} compares, so call-state transitions computed in Java are applied atomically.
 */
public interface RoomStore {
  /** The deadline set of room timers (grace after a member's last device left, idle). */
  String ROOM_DEADLINES = "room";
  /** The deadline set of call timers (ring timeout). */
  String CALL_DEADLINES = "call";
  /** The deadline set of queue timers (grace after a waiter's last device left). */
  String QUEUE_DEADLINES = "queue";

  /** A room with the version {@link #replace} expects. */
  record Versioned(JsonObject room, long version) {
  }

  /** One page of rooms, newest first, and the total number of open rooms of the app. */
  record Page(List<JsonObject> rooms, long total) {
  }

  /** The room the user is a member of (the newest, for an agent serving several), or null. */
  Future<String> roomIdOf(String appId, String userId);

  /** The room as {@code {roomId, creator, members:[..], queueId, info, createdAt, callState, caller, callId, ...}}, or null. */
  Future<JsonObject> get(String appId, String roomId);

  /** Every open room of a user (an agent may serve up to maxRoomsPerAgent), oldest first. */
  Future<List<String>> roomsOf(String appId, String userId);

  /** True when the two users are the two members of one open room. */
  Future<Boolean> shareRoom(String appId, String userA, String userB);

  /** The room with its version, or null. */
  Future<Versioned> load(String appId, String roomId);

  /** Replaces the room if its version is still {@code version}; false when someone changed it first (reload and retry). */
  Future<Boolean> replace(String appId, String roomId, long version, JsonObject room);

  /**
   * Removes the room and the members' memberships; returns the room as it was, or null when it was already
   * closed. Exactly one caller gets the room, so exactly one performs the teardown.
   */
  Future<JsonObject> close(String appId, String roomId);

  /** Outcome of {@link #transfer}. */
  enum TransferOutcome {
    TRANSFERRED,
    /** The room closed, changed version or is no longer {@code fromAgent}'s: nothing changed (reload and decide again). */
    CHANGED,
    /** {@code toAgent} already serves {@code maxRooms} rooms: nothing changed. */
    AGENT_BUSY
  }

  /**
   * §14.2: atomically gives the room to {@code toAgent} — if it is still at {@code version} and {@code fromAgent}'s, and
   * {@code toAgent} serves fewer than {@code maxRooms} rooms — storing {@code room} (the new JSON: creator, members,
   * call fields) and moving the room from {@code fromAgent}'s room index to {@code toAgent}'s. The same guarantees as a
   * take: a room is never two agents', an agent never exceeds {@code maxRooms}, of two transfers exactly one wins.
   */
  Future<TransferOutcome> transfer(String appId, String roomId, long version, JsonObject room, String fromAgent,
    String toAgent, int maxRooms);

  /** Open rooms of an app, newest first. */
  Future<Page> list(String appId, int offset, int limit);

  /** The queues of this app, on the same backing store. */
  QueueStore queues();

  /** Timers stored with the state, claimed by a sweeper on any node. */
  DeadlineStore deadlines();
}
