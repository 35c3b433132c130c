package com.seedim.im.gateway;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.common.store.KeyValueStore;
import com.seedim.im.common.store.Keys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * PROTOCOL.md §4 idempotency for every idempotent msgType except 130 (chat keeps that in the message row):
 * key (appId, userId, deviceId, msgType, unique). Only successful frames are recorded, for
 * {@link #WINDOW_MS}; a repeat gets the recorded 30 and reply again; a repeat while the first is still
 * running waits for its result.
 */
final class Idempotency {
  static final long WINDOW_MS = 10 * 60_000;
  /** A claim left by a node that died mid-request, or by a request whose outcome stayed unknown, expires after this long. */
  static final long CLAIM_MS = 30_000;
  static final long POLL_MS = 50;
  private static final String PENDING = "\u0000pending";

  private final Vertx vertx;
  private final KeyValueStore kv;
  private final long waitMs;

  Idempotency(Vertx vertx, KeyValueStore kv, long waitMs) {
    this.vertx = vertx;
    this.kv = kv;
    this.waitMs = waitMs;
  }

  static String key(RequestContext ctx, MsgType type, String unique) {
    // '|' separates: ids may contain ':' (a ':'-joined key let user a + device b:c share records with user a:b + device c)
    return Keys.idempotency(ctx.appId(), ctx.userId(), ctx.deviceId(), type.code(), unique);
  }

  /**
   * Runs {@code work} once per key. The caller gets an answer within the wait ({@code busTimeoutMs}); when the
   * outcome is unknown then (the bus timed out, the service may still finish), the claim stays, a late success
   * is still recorded, and a retry with the same unique gets that record instead of running the frame again
   * (a 401 must not take twice). Only definite refusals release the claim at once; an unknown outcome's claim
   * expires after {@link #CLAIM_MS}.
   *
   * @param work the request; give it a deadline of {@link #CLAIM_MS} or less so a late reply can still be recorded
   */
  Future<JsonObject> run(RequestContext ctx, MsgType type, String unique, Supplier<Future<JsonObject>> work) {
    String key = key(ctx, type, unique);
    return kv.setIfAbsent(key, PENDING, CLAIM_MS).compose(claimed -> {
      if (!claimed) {
        return awaitRecord(key, System.currentTimeMillis() + waitMs);
      }
      Promise<JsonObject> answer = Promise.promise();
      long timer = vertx.setTimer(waitMs, t -> answer.tryFail(new ProtocolException(ErrorCode.UNAVAILABLE,
        "the service did not answer in time; retry with the same unique")));
      work.get().onComplete(ar -> {
        vertx.cancelTimer(timer);
        if (ar.succeeded() && !ar.result().getBoolean(ServiceReply.NO_ACK, false)) {
          JsonObject record = new JsonObject();
          JsonObject r = ar.result();
          if (r.containsKey(ServiceReply.ACK)) {
            record.put(ServiceReply.ACK, r.getValue(ServiceReply.ACK));
          }
          if (r.containsKey(ServiceReply.REPLY)) {
            record.put(ServiceReply.REPLY, r.getValue(ServiceReply.REPLY));
          }
          kv.set(key, record.encode(), WINDOW_MS);
        } else if (ar.succeeded() || !Failures.outcomeUnknown(ar.cause())) {
          kv.delete(key);
        }
        if (ar.succeeded()) {
          answer.tryComplete(ar.result());
        } else {
          answer.tryFail(ar.cause());
        }
      });
      return answer.future();
    });
  }

  private Future<JsonObject> awaitRecord(String key, long deadline) {
    return kv.get(key).compose(v -> {
      if (v == null) {
        // the first attempt failed and released its claim: treat as not recorded
        return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "the first attempt with this unique did not complete; retry"));
      }
      if (!PENDING.equals(v)) {
        return Future.succeededFuture(new JsonObject(v));
      }
      if (System.currentTimeMillis() > deadline) {
        return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "a request with this unique is still running; retry"));
      }
      Promise<Void> p = Promise.promise();
      vertx.setTimer(POLL_MS, t -> p.complete());
      return p.future().compose(x -> awaitRecord(key, deadline));
    });
  }
}
