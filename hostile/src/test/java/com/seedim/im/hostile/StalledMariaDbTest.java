package com.seedim.im.hostile;

import com.seedim.im.chat.store.ChatMigrations;
import com.seedim.im.chat.store.MySqlChatStore;
import com.seedim.im.chat.store.NewMessage;
import com.seedim.im.common.events.Event;
import com.seedim.im.common.events.EventType;
import com.seedim.im.common.events.MySqlEventStore;
import com.seedim.im.common.store.Deadlines;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.faults.BlackholeProxy;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Audit M5: a stalled MariaDB (a blackhole proxy in front of the shared one: the test never touches the server
 * itself) must fail chat store callers within the store deadline, and the group-commit queues must stay bounded:
 * beyond {@link MySqlChatStore#MAX_QUEUED} waiting asks a call fails at once with a timeout-like failure.
 */
@DisplayName("M5: chat store on a stalled MariaDB: deadlines and bounded queues")
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StalledMariaDbTest {
  private Vertx vertx;
  private BlackholeProxy proxy;
  private Pool pool;
  private String database;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    database = "imt_stall_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    Pool boot = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(1))
      .connectingTo(new MySQLConnectOptions().setHost(TestServer.MYSQL_HOST).setPort(3306).setUser("root").setPassword(""))
      .using(vertx).build();
    boot.query("CREATE DATABASE `" + database + "`").execute().eventually(boot::close).await();
    proxy = new BlackholeProxy(TestServer.MYSQL_HOST, 3306);
    pool = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(4).setMaxWaitQueueSize(65536))
      .connectingTo(new MySQLConnectOptions().setHost("127.0.0.1").setPort(proxy.port()).setUser("root").setPassword("")
        .setDatabase(database))
      .using(vertx).build();
  }

  @AfterEach
  void stop() {
    proxy.close();
    Pool boot = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(1))
      .connectingTo(new MySQLConnectOptions().setHost(TestServer.MYSQL_HOST).setPort(3306).setUser("root").setPassword(""))
      .using(vertx).build();
    boot.query("DROP DATABASE IF EXISTS `" + database + "`").execute().eventually(boot::close).await();
  }

  private static NewMessage message(int i) {
    return new NewMessage("app", 1_000_000L + i, "alice", "bob", "d1", "u" + i, NewMessage.hash("bob", "text", "m" + i),
      "m" + i, "text", System.currentTimeMillis());
  }

  @Test
  void sendsFailWithinTheDeadlineAndTheQueueIsBounded() throws Exception {
    MySqlChatStore store = new MySqlChatStore(pool);
    // migrate (directly: Flyway runs on JDBC) and one send through the proxy while MariaDB answers
    CompletableFuture<Void> ready = new CompletableFuture<>();
    ChatMigrations.Target schema = new ChatMigrations.Target(TestServer.MYSQL_HOST, 3306, "root", "", database);
    vertx.runOnContext(v -> ChatMigrations.migrate(vertx, schema).compose(x -> store.insert(message(0), 0).mapEmpty())
      .onComplete(ar -> {
        if (ar.succeeded()) {
          ready.complete(null);
        } else {
          ready.completeExceptionally(ar.cause());
        }
      }));
    ready.get(20, TimeUnit.SECONDS);

    proxy.blackhole();
    int n = MySqlChatStore.MAX_QUEUED + 500;
    AtomicInteger refusedAtOnce = new AtomicInteger();
    AtomicInteger timedOut = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    CompletableFuture<Void> all = new CompletableFuture<>();
    long t0 = System.nanoTime();
    vertx.runOnContext(v -> {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        long asked = System.nanoTime();
        Promise<Void> p = Promise.promise();
        store.insert(message(i), 0).onComplete(ar -> {
          if (ar.succeeded()) {
            other.incrementAndGet();
          } else if (ar.cause() instanceof TimeoutException) {
            if (System.nanoTime() - asked < 100_000_000L) {
              refusedAtOnce.incrementAndGet();
            } else {
              timedOut.incrementAndGet();
            }
          } else {
            other.incrementAndGet();
          }
          p.complete();
        });
        fs.add(p.future());
      }
      Future.join(fs).onComplete(ar -> all.complete(null));
    });
    try {
      all.get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("chat sends still pending 10 s into a MariaDB stall (refused at once: " + refusedAtOnce
        + ", timed out: " + timedOut + ", other: " + other + ")");
    }
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(tookMs).as("every caller answered within the store deadline").isLessThan(6_000);
    // up to 4 transactions of up to 64 sends leave the queue before the stall shows
    assertThat(refusedAtOnce.get()).as("asks beyond the bound refused at once").isGreaterThanOrEqualTo(500 - 4 * 64);
    assertThat(timedOut.get() + refusedAtOnce.get()).isEqualTo(n);
  }

  /** Runs {@code call} on a Vert.x context (store deadlines are set there) and returns its outcome. */
  private <T> CompletableFuture<T> onContext(java.util.function.Supplier<Future<T>> call) {
    CompletableFuture<T> out = new CompletableFuture<>();
    vertx.runOnContext(v -> call.get().onComplete(ar -> {
      if (ar.succeeded()) {
        out.complete(ar.result());
      } else {
        out.completeExceptionally(ar.cause());
      }
    }));
    return out;
  }

  @Test
  @DisplayName("the webhook outbox on a stalled MariaDB: every call (record, lease, read, delete, replay) fails within its deadline")
  void outboxCallsFailWithinTheDeadline() throws Exception {
    ChatMigrations.Target schema = new ChatMigrations.Target(TestServer.MYSQL_HOST, 3306, "root", "", database);
    onContext(() -> ChatMigrations.migrate(vertx, schema)).get(30, TimeUnit.SECONDS);
    MySqlEventStore store = new MySqlEventStore(pool);
    Event e = new Event(1L << 40, "app", EventType.MESSAGE_CREATED, System.currentTimeMillis(), new JsonObject().put("k", 1),
      List.of("default"));
    onContext(() -> store.append(List.of(e))).get(10, TimeUnit.SECONDS);
    assertThat(onContext(() -> store.pending("app", "default", 10)).get(10, TimeUnit.SECONDS)).hasSize(1);

    proxy.blackhole();
    List<java.util.function.Supplier<Future<?>>> calls = List.of(
      () -> store.append(List.of(new Event(e.id() + 1, "app", EventType.MESSAGE_CREATED, e.createdAt(), e.data(), e.endpoints()))),
      () -> store.lease("endpoint|app|default", "node-a", System.currentTimeMillis(), 15_000),
      () -> store.pending("app", "default", 10),
      () -> store.delivered("app", "default", List.of(e.id())),
      () -> store.replay("app", 0, Long.MAX_VALUE, null, 10),
      () -> store.appendAndAdvance(List.of(), "undelivered-scan", "node-a", 5));
    long t0 = System.nanoTime();
    List<CompletableFuture<?>> outcomes = new ArrayList<>();
    calls.forEach(c -> outcomes.add(onContext(c::get)));
    for (CompletableFuture<?> f : outcomes) {
      try {
        f.get(10, TimeUnit.SECONDS);
        throw new AssertionError("an outbox call succeeded during the stall");
      } catch (java.util.concurrent.ExecutionException failed) {
        assertThat(failed.getCause()).as("a deadline, not another failure").isInstanceOf(TimeoutException.class);
      } catch (TimeoutException hung) {
        throw new AssertionError("an outbox call still pending 10 s into a MariaDB stall");
      }
    }
    assertThat((System.nanoTime() - t0) / 1_000_000).as("all answered within the store deadline")
      .isLessThan(Deadlines.MYSQL_QUERY_TIMEOUT_MS + 2_000);
  }
}
