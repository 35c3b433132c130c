package com.seedim.im.common.store.redis;

import com.seedim.im.common.store.Deadlines;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.PooledRedisConnection;
import io.vertx.redis.client.impl.RedisClusterConnection;
import io.vertx.redis.client.impl.RedisStandaloneConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * A Redis client that pipelines every command over a few long-lived connections ("lanes"), like Lettuce does.
 *
 * <p>The Vert.x pooled client leases a connection per command for its whole round trip, so at most
 * {@code maxPoolSize} commands are on the wire at once: with 32 connections and a 2-3 ms round trip on a busy host
 * that capped Redis at about 10,000 commands a second and made connect sequences wait up to the 10 s bus timeout
 * during a 19,000-socket ramp. A {@link RedisConnection} accepts any number of in-flight commands (up to
 * {@code maxWaitingHandlers}), writes them from its own event loop in the order they were sent and completes each
 * caller on the caller's context, so one connection can serve every verticle.
 *
 * <p>A lane whose connection fails or ends is dropped and reconnects on its next command; commands in flight on it
 * fail (as with the pooled client). Pub/sub and MULTI need a dedicated connection: use {@link #connect()}.
 *
 * <p>On a Redis Cluster a lane is a {@link RedisClusterConnection}: one pooled connection per master, each command
 * routed to the master of its key's slot (MOVED/ASK followed by the client). A command without a key goes to any
 * master; a command or script whose keys are in different slots is refused by the client before it is sent; a
 * {@link #batch} must keep every key on one master. An EVALSHA goes where its keys are, and its EVAL fallback on
 * NOSCRIPT ({@link RedisScript}) goes to the same master, which then knows the script.
 *
 * <p>Every command has a deadline ({@code commandTimeoutMs}, audit M5): past it the caller fails with a
 * {@link TimeoutException} (mapped to {@code UNAVAILABLE} by the service layer), and the lane the command was on is
 * dropped so that the next command reconnects: a connection that went silent (a stalled Redis, a partition with no
 * RST) would otherwise hold every later command of its lane forever.
 */
public final class MultiplexedRedis implements Redis {
  private static final Logger LOG = LoggerFactory.getLogger(MultiplexedRedis.class);

  private final Redis client;
  private final Vertx vertx;
  private final long commandTimeoutMs;
  private final AtomicReferenceArray<Future<RedisConnection>> lanes;
  private final AtomicInteger next = new AtomicInteger();
  private volatile boolean closed;

  /**
   * @param client the client that opens the lanes' connections (and serves {@link #connect()})
   * @param lanes  how many connections to spread commands over
   */
  public MultiplexedRedis(Redis client, int lanes) {
    this(client, lanes, null, 0);
  }

  /**
   * @param vertx            runs the command deadlines
   * @param commandTimeoutMs deadline of each command (connecting its lane included); 0 = none
   */
  public MultiplexedRedis(Redis client, int lanes, Vertx vertx, long commandTimeoutMs) {
    this.client = client;
    this.vertx = vertx;
    this.commandTimeoutMs = vertx == null ? 0 : commandTimeoutMs;
    this.lanes = new AtomicReferenceArray<>(Math.max(1, lanes));
  }

  private Future<RedisConnection> lane(int i) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("redis client closed"));
    }
    Future<RedisConnection> f = lanes.get(i);
    if (f != null && !f.failed()) {
      return f;
    }
    Promise<RedisConnection> p = Promise.promise();
    if (!lanes.compareAndSet(i, f, p.future())) {
      return lanes.get(i); // another caller is (re)connecting this lane
    }
    client.connect().onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("redis lane {} could not connect: {}", i, ar.cause().toString());
        p.fail(ar.cause());
        return;
      }
      RedisConnection c = ar.result();
      Future<RedisConnection> mine = p.future();
      if (lanes.get(i) != mine) {
        c.close(); // the lane was dropped while it connected (a command on it timed out)
        p.fail(new IllegalStateException("redis lane " + i + " dropped while connecting"));
        return;
      }
      c.exceptionHandler(err -> drop(i, mine, c, err.toString()));
      c.endHandler(v -> drop(i, mine, c, "connection ended"));
      p.complete(c);
    });
    return p.future();
  }

  private void drop(int i, Future<RedisConnection> f, RedisConnection c, String why) {
    if (lanes.compareAndSet(i, f, null)) {
      LOG.warn("redis lane {} dropped ({}); it reconnects on its next command", i, why);
      c.close();
    }
  }

  @Override
  public Future<RedisConnection> connect() {
    return client.connect();
  }

  /** A lane whose command timed out: forget it (closing its connection if it has one) so the next command reconnects. */
  private void dropTimedOut(int i, Future<RedisConnection> f) {
    if (lanes.compareAndSet(i, f, null)) {
      LOG.warn("redis lane {} dropped: a command got no answer within {} ms; it reconnects on its next command", i,
        commandTimeoutMs);
      f.onSuccess(MultiplexedRedis::hardClose);
    }
  }

  /**
   * Closes the socket itself: {@code close()} on a pooled connection only hands it back to the pool, which would
   * lease the same silent socket to the next lane. A cluster lane ({@link RedisClusterConnection}) holds one pooled
   * connection per master; any of them may be the silent one, so each is closed for real (the others simply
   * reconnect on the next lane's first command to their master).
   */
  static void hardClose(RedisConnection c) {
    if (c instanceof PooledRedisConnection pc) {
      forceClose(pc);
    } else if (c instanceof RedisClusterConnection cc) {
      ClusterLanes.nodeConnections(cc).forEach(MultiplexedRedis::forceClose);
    }
    c.close();
  }

  private static void forceClose(PooledRedisConnection pc) {
    if (pc.actual() instanceof RedisStandaloneConnection sc) {
      sc.forceClose();
    }
  }

  private <T> Future<T> run(Function<RedisConnection, Future<T>> op) {
    int i = Math.floorMod(next.getAndIncrement(), lanes.length());
    Future<RedisConnection> lf = lane(i);
    // the lane whose command timed out is dropped: its connection may be silently dead (no RST)
    return onCallersContext(Deadlines.within(vertx, lf.compose(op), commandTimeoutMs, "redis command",
      () -> dropTimedOut(i, lf)));
  }

  /**
   * The caller's answer on the caller's context. A command sent while its lane (re)connects is written from the
   * connect's callback, so the connection answers it on the context of whoever started the connect: a gateway
   * connection's frame would then be answered, and its socket written, from another verticle's event loop (found by
   * the stalled-Redis test: the reconnect after a stall broke a socket's writes).
   */
  private static <T> Future<T> onCallersContext(Future<T> f) {
    Context ctx = Vertx.currentContext();
    if (ctx == null || f.isComplete()) {
      return f;
    }
    Promise<T> p = Promise.promise();
    f.onComplete(ar -> {
      if (Vertx.currentContext() == ctx) {
        p.handle(ar);
      } else {
        ctx.runOnContext(v -> p.handle(ar));
      }
    });
    return p.future();
  }

  @Override
  public Future<Response> send(Request command) {
    return run(c -> c.send(command));
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return run(c -> c.batch(commands));
  }

  @Override
  public Future<Void> close() {
    closed = true;
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < lanes.length(); i++) {
      Future<RedisConnection> f = lanes.getAndSet(i, null);
      if (f != null && f.succeeded()) {
        all.add(f.result().close());
      }
    }
    return Future.join(all).transform(ar -> client.close());
  }
}
