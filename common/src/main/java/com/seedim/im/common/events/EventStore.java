package com.seedim.im.common.events;

import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * The outbox (docs/webhooks.md): recorded events, what each endpoint still has to get, and the leases and state of the
 * workers that deliver them. {@link MySqlEventStore} in production (the chat store also writes events inside its own
 * transactions), {@link MemoryEventStore} in dev mode.
 */
public interface EventStore {

  /**
   * A worker's view of its lease row.
   *
   * @param held        whether the asking owner holds the lease now
   * @param position    the worker's saved position (the undelivered scan: the last message id scanned)
   * @param failures    consecutive failed deliveries of an endpoint
   * @param nextTryAt   no delivery before this (backoff), epoch ms
   * @param pausedUntil the endpoint is paused until then, epoch ms
   */
  record Lease(boolean held, long position, int failures, long nextTryAt, long pausedUntil) {
  }

  /**
   * An event an endpoint has not got yet, as stored: its {@code data} is the stored JSON text, copied into the POST
   * body as it is (a delivery never parses and re-encodes what it only passes on).
   */
  record Pending(long id, String type, long createdAt, String data) {
    /** The envelope's JSON text ({@link Event#envelope()}'s fields, in its order). */
    public String envelopeJson(String appId) {
      return "{\"id\":\"" + id + "\",\"type\":" + Json.encode(type) + ",\"appId\":" + Json.encode(appId)
        + ",\"createdAt\":" + createdAt + ",\"data\":" + data + "}";
    }
  }

  /** Records events (one transaction) with their endpoints' pending rows. */
  Future<Void> append(List<Event> events);

  /**
   * Takes the lease on {@code name} when it is free or expired, or renews it when {@code owner} holds it, until
   * {@code nowMs + leaseMs}; answers the row as it is after.
   */
  Future<Lease> lease(String name, String owner, long nowMs, long leaseMs);

  /** Gives up a held lease (a node stopping), so another node takes over at once. */
  Future<Void> release(String name, String owner);

  /** The oldest events the endpoint has not got yet, id order. */
  Future<List<Pending>> pending(String appId, String endpoint, int limit);

  /** The endpoint got these events. */
  Future<Void> delivered(String appId, String endpoint, List<Long> ids);

  /** Saves an endpoint's failure state (while {@code owner} holds its lease). */
  Future<Void> failed(String name, String owner, int failures, long nextTryAt, long pausedUntil, String error);

  /**
   * Records events and moves the worker's position in one transaction, only while {@code owner} holds the lease;
   * false (nothing written) when it does not.
   */
  Future<Boolean> appendAndAdvance(List<Event> events, String name, String owner, long position);

  /** Recorded events of an app with {@code after < id < before}, id order, optionally of some types only. */
  Future<List<JsonObject>> replay(String appId, long after, long before, Set<String> types, int limit);

  /** Deletes at most {@code limit} recorded events of an app with ids below {@code beforeId} (and their pending rows). */
  Future<Integer> purge(String appId, long beforeId, int limit);

  /** The state of every worker row (operators' view, tests). */
  Future<List<JsonObject>> workers();
}
