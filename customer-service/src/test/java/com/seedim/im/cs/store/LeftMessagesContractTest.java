package com.seedim.im.cs.store;

import com.seedim.im.cs.store.LeftMessages.LeftMessage;
import com.seedim.im.cs.store.memory.MemoryLeftMessages;
import com.seedim.im.cs.store.mysql.MySqlLeftMessages;
import com.seedim.im.testkit.DurableState;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("LeftMessages contract (§14.4): memory and MariaDB")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class LeftMessagesContractTest {
  private static final String APP = "app1";
  private static final String MEMORY = "memory";
  private static final String MYSQL = "mysql";
  private static final AtomicLong IDS = new AtomicLong(1000);
  private static String database;
  private static final List<Pool> pools = new ArrayList<>();
  private static Vertx vertx;

  @BeforeAll
  static void setUp(Vertx v) {
    vertx = v;
    database = "imt_lm_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Pool admin = pool(null);
    admin.query("CREATE DATABASE `" + database + "`").execute().await();
  }

  @AfterAll
  static void tearDown() {
    pools.forEach(p -> p.close().await());
    DurableState.drop(TestServer.MYSQL_HOST, 3306, database, List.of(), "none:");
  }

  private static Pool pool(String db) {
    MySQLConnectOptions o = new MySQLConnectOptions().setHost(TestServer.MYSQL_HOST).setPort(3306).setUser("root").setPassword("");
    if (db != null) {
      o.setDatabase(db);
    }
    Pool p = MySQLBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(o).using(vertx).build();
    pools.add(p);
    return p;
  }

  /** A store on the backend; {@code sharedWith} non-null: another node's store on the same state. */
  private static LeftMessages store(String backend, LeftMessages sharedWith) {
    if (MEMORY.equals(backend)) {
      return sharedWith != null ? sharedWith : new MemoryLeftMessages();
    }
    LeftMessages s = new MySqlLeftMessages(pool(database));
    s.migrate().await();
    return s;
  }

  /** A fresh app id per test: the MariaDB table is shared by the tests of this class. */
  private static String app() {
    return APP + "-" + IDS.incrementAndGet();
  }

  private static LeftMessage msg(String app, String queue, String user, String text) {
    long id = IDS.incrementAndGet();
    return LeftMessage.of(Long.toString(id), app, queue, user, text, 1_000_000L + id);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {MEMORY, MYSQL})
  @DisplayName("add under the per-user limit; counts per user and per queue; queues holding messages; get")
  void addAndCount(String backend) {
    LeftMessages s = store(backend, null);
    String app = app();
    LeftMessage first = msg(app, "a", "u1", "one \uD83D\uDE00");
    assertThat(s.add(first, 2).await()).isTrue();
    assertThat(s.add(msg(app, "b", "u1", "two"), 2).await()).isTrue();
    assertThat(s.add(msg(app, "a", "u1", "three"), 2).await()).as("limit reached").isFalse();
    assertThat(s.add(msg(app, "a", "u2", "other user"), 2).await()).isTrue();
    assertThat(s.add(msg(app() + "x", "a", "u1", "other app"), 2).await()).isTrue();
    assertThat(s.notTakenOfUser(app, "u1").await()).isEqualTo(2);
    assertThat(s.waiting(app, "a").await()).isEqualTo(2);
    assertThat(s.waiting(app, "b").await()).isEqualTo(1);
    assertThat(s.waiting(app, "c").await()).isZero();
    assertThat(s.queuesWithMessages(app).await()).containsExactlyInAnyOrder("a", "b");
    assertThat(s.get(app, first.messageId()).await()).isEqualTo(first);
    assertThat(s.get(app, "999999999").await()).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {MEMORY, MYSQL})
  @DisplayName("claim: the oldest of the listed queues, marked taken; a repeated token returns its message and takes nothing else")
  void claim(String backend) {
    LeftMessages s = store(backend, null);
    String app = app();
    LeftMessage a1 = msg(app, "a", "u1", "a1");
    LeftMessage b1 = msg(app, "b", "u2", "b1");
    LeftMessage a2 = msg(app, "a", "u3", "a2");
    for (LeftMessage m : List.of(a1, b1, a2)) {
      assertThat(s.add(m, 5).await()).isTrue();
    }
    assertThat(s.claimOldest(app, List.of(), "ag", "t0", 5).await()).isNull();
    assertThat(s.claimOldest(app, List.of("c"), "ag", "t0", 5).await()).isNull();
    LeftMessage got = s.claimOldest(app, List.of("b", "a"), "ag1", "t1", 7).await();
    assertThat(got.messageId()).isEqualTo(a1.messageId());
    assertThat(got.takenBy()).isEqualTo("ag1");
    assertThat(got.takenAt()).isEqualTo(7L);
    assertThat(got.message()).isEqualTo("a1");
    assertThat(s.claimOldest(app, List.of("b", "a"), "ag1", "t1", 8).await()).as("repeat").isEqualTo(got);
    assertThat(s.waiting(app, "a").await()).isEqualTo(1);
    assertThat(s.notTakenOfUser(app, "u1").await()).isZero();
    assertThat(s.claimOldest(app, List.of("b"), "ag2", "t2", 9).await().messageId()).isEqualTo(b1.messageId());
    assertThat(s.queuesWithMessages(app).await()).containsExactly("a");
    assertThat(s.claimOldest(app, List.of("a", "b"), "ag2", "t3", 9).await().messageId()).isEqualTo(a2.messageId());
    assertThat(s.claimOldest(app, List.of("a", "b"), "ag2", "t4", 9).await()).isNull();
    assertThat(s.get(app, a2.messageId()).await().takenBy()).isEqualTo("ag2");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {MEMORY, MYSQL})
  @DisplayName("concurrency: claims racing on two nodes take each message once; adds racing for one user stop at the limit")
  void races(String backend) {
    LeftMessages one = store(backend, null);
    LeftMessages two = store(backend, one);
    String app = app();
    int messages = 120;
    for (int i = 0; i < messages; i++) {
      assertThat(one.add(msg(app, "q" + (i % 3), "c" + i, "m" + i), 1).await()).isTrue();
    }
    List<Future<List<String>>> takers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      takers.add(drain(t % 2 == 0 ? one : two, app, "ag" + t, new ArrayList<>()));
    }
    Future.all(takers).await();
    List<String> all = new ArrayList<>();
    takers.forEach(f -> all.addAll(f.result()));
    assertThat(all).hasSize(messages).doesNotHaveDuplicates();

    List<Future<Boolean>> adds = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      adds.add((i % 2 == 0 ? one : two).add(msg(app, "q0", "spammer", "s" + i), 5));
    }
    Future.all(adds).await();
    assertThat(adds.stream().filter(Future::result).count()).isEqualTo(5);
    assertThat(one.notTakenOfUser(app, "spammer").await()).isEqualTo(5);
  }

  /** Claims until none is left; the ids taken. */
  private static Future<List<String>> drain(LeftMessages s, String app, String agent, List<String> got) {
    return s.claimOldest(app, List.of("q2", "q0", "q1"), agent, UUID.randomUUID().toString(), 1).compose(m -> {
      if (m == null) {
        return Future.succeededFuture(got);
      }
      got.add(m.messageId());
      return drain(s, app, agent, got);
    });
  }
}
