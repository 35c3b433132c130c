package com.seedim.im.cs.store;

import io.vertx.core.Future;

import java.util.List;
import java.util.Map;

/**
 * Waiting lines of PROTOCOL.md §6. A customer waits in at most one queue of an app; the order is the time of
 * entry. A waiter may be marked absent (its last device left): takes skip it but it keeps its place until the
 * grace deadline removes it. {@link #take} pops one waiter and opens its room atomically.
 */
public interface QueueStore {
  /** Outcome of {@link #enter}. */
  enum EnterOutcome { ENTERED, SAME, MOVED, FULL, IN_ROOM, TOO_MANY_QUEUES }

  /** @param previousQueue the queue the customer left for this one (MOVED), else null */
  record Enter(EnterOutcome outcome, String previousQueue, int waitIndex, int waitTotal) {
  }

  /** A waiter: its queue, id and entry time (epoch ms). */
  record Waiter(String queueId, String userId, long enteredAt) {
  }

  /** Where a customer waits: 1-based index and total (absent waiters included: they keep their place). */
  record Position(String queueId, int waitIndex, int waitTotal, long enteredAt) {
  }

  /** Outcome of {@link #take}. */
  enum TakeOutcome { TAKEN, AGENT_BUSY, NONE, CONFLICT }

  /** @param waiter the customer taken (TAKEN only) */
  record Take(TakeOutcome outcome, Waiter waiter) {
  }

  /** What a new room looks like; {@code template} holds {@link #CUSTOMER_PLACEHOLDER} where the customer goes. */
  record RoomSpec(String roomId, String template, long createdAt, String idleDeadlineMember, long idleDeadline) {
    /**
     * The room an agent opens with a customer of {@code queueId}, idle-closed at {@code idleDeadline}. L6: the queue id
     * goes in directly (no placeholder the agent's own id could equal); only the customer is left to the take, as a
     * placeholder outside the id grammar.
     */
    public static RoomSpec of(String appId, String roomId, String agentId, String queueId, long now, long idleDeadline) {
      String template = RoomState.create(roomId, agentId, CUSTOMER_PLACEHOLDER, queueId, now).encode();
      return new RoomSpec(roomId, template, now, Timer.idle(appId, roomId).encode(), idleDeadline);
    }
  }

  /** Stands for the chosen customer's id inside {@link RoomSpec#template()}. */
  String CUSTOMER_PLACEHOLDER = "#customer#"; // '#' is outside the id grammar: no user id equals it (audit L6)

  /**
   * Enqueues (or keeps the place in the same queue, or moves to the tail of another); clears an absent mark.
   * Atomically with it, the returned position becomes the waiter's last sent 410 ({@link #positionValue}): the
   * caller pushes it with the reply, so a 410 round running at the same moment does not send it a second time.
   */
  Future<Enter> enter(String appId, String queueId, String userId, int maxQueueLength, long now);

  /** Most non-empty queues per app that an enter may create; beyond it {@link EnterOutcome#TOO_MANY_QUEUES} (M9). */
  int MAX_DYNAMIC_QUEUES = 1000;

  /** As {@link #enter(String, String, String, int, long)}, refusing a new queue when {@code maxQueues} exist (0: no cap). */
  default Future<Enter> enter(String appId, String queueId, String userId, int maxQueueLength, long now, int maxQueues) {
    return enter(appId, queueId, userId, maxQueueLength, now);
  }

  /** How a sent 410 position is recorded ({@link #sentPositions}): {@code index:total}. */
  static String positionValue(int index, int total) {
    return index + ":" + total;
  }

  /** Removes a waiter; returns where it waited, or null when it was not waiting. */
  Future<Waiter> leave(String appId, String userId);

  /** The customer's position, or null when not waiting. */
  Future<Position> position(String appId, String userId);

  /**
   * As {@link #position(String, String)}, told the queue the caller last saw the customer in (e.g. from
   * {@link #markPresent}): a store that must find the queue before reading the line (Redis Cluster) saves that
   * step when the hint is right; a wrong or null hint only costs the step.
   */
  default Future<Position> position(String appId, String userId, String expectedQueue) {
    return position(appId, userId);
  }

  /** The waiters of a queue in order. */
  Future<List<Waiter>> waiters(String appId, String queueId);

  /** Ids of queues that have waiters in this app (a queue is forgotten when its last waiter goes, M9). */
  Future<List<String>> queueIds(String appId);

  /** Number of open rooms of the agent. */
  Future<Integer> agentRooms(String appId, String agentId);

  /** Up to {@code limit} waiters not marked absent, longest-waiting first, across the given queues. */
  Future<List<Waiter>> candidates(String appId, List<String> queueIds, int limit);

  /**
   * Atomically: unless the agent has {@code maxRooms} rooms, pops the first of {@code candidates} that still
   * waits in that queue, is not absent and not in a room, and opens the room {@code spec} for it.
   */
  Future<Take> take(String appId, String agentId, int maxRooms, List<Waiter> candidates, RoomSpec spec);

  /** Marks a waiter absent (skipped by takes) unless it already is; returns its queue, or null when not waiting. */
  Future<String> markAbsent(String appId, String userId);

  /** Clears the absent mark; returns the queue if the customer waits. */
  Future<String> markPresent(String appId, String userId);

  /** Removes the waiter only if it is still marked absent; returns where it waited, or null. */
  Future<Waiter> removeIfAbsent(String appId, String userId);

  /** The last 410 values sent per waiter of a queue ({@code "index:total"}). */
  Future<Map<String, String>> sentPositions(String appId, String queueId);

  /** Records the 410 values sent: {@code set} updated, {@code removed} forgotten. */
  Future<Void> saveSentPositions(String appId, String queueId, Map<String, String> set, List<String> removed);

  /** Marks a queue as changed for the notifier {@code kind} (e.g. 410 rounds, 431 pushes). */
  Future<Void> markDirty(String kind, String appId, String queueId);

  /**
   * Claims up to {@code limit} changed queues of {@code kind} whose last round is older than {@code throttleMs}
   * (across all nodes); returns {@code appId|queueId} strings. Throttled ones stay dirty.
   */
  Future<List<String>> claimDirty(String kind, long throttleMs, int limit);

  /** §14.1 availability: may take and is told about waiters (the default of every agent). */
  String AVAILABLE = "available";
  /** §14.1: keeps its rooms, takes nobody. */
  String AWAY = "away";
  /** §14.1: as away, and shown offline to supervisors. */
  String OFFLINE = "offline";

  /** True for the three §14.1 status values. */
  static boolean isAgentStatus(String s) {
    return AVAILABLE.equals(s) || AWAY.equals(s) || OFFLINE.equals(s);
  }

  /** The agent's §14.1 status: the one it set last, {@link #AVAILABLE} when it never set one. */
  Future<String> agentStatus(String appId, String agentId);

  /** Stores the agent's §14.1 status (kept until changed: reconnects and restarts keep it). */
  Future<Void> setAgentStatus(String appId, String agentId, String status);

  /** Every stored status of the app's agents (agents that never set one are absent: {@link #AVAILABLE}). */
  Future<Map<String, String>> agentStatuses(String appId);

  /** Online agents of an app (connected with role agent). */
  Future<Void> agentOnline(String appId, String agentId, boolean online);

  Future<List<String>> onlineAgents(String appId);
}
