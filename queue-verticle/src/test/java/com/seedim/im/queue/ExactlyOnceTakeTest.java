package com.seedim.im.queue;

import com.seedim.im.common.infra.Infra;
import com.seedim.im.testkit.Cs;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("401 is exactly-once across queue-verticle instances on one Redis")
@ExtendWith(VertxExtension.class)
class ExactlyOnceTakeTest {
  private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceTakeTest.class);
  private static final int USERS = 200;
  private static final int AGENTS = 10;
  private static final int MAX_ROOMS = 25;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  @DisplayName("200 waiters, 10 agents taking concurrently through two instances with their own Redis clients: each waiter taken once")
  void exactlyOnce(Vertx vertx) throws Exception {
    try (TestServer s = TestServer.builder().vertx(vertx).durable(true).app(new JsonObject().put("maxRoomsPerAgent", MAX_ROOMS))
      .verticle(QueueVerticle::new).start()) {
      // a second instance with its own Redis and MySQL clients, on the same prefix and database
      Infra second = Infra.create(s.vertx(), s.config()).await();
      s.vertx().deployVerticle(new QueueVerticle(second)).await();
      s.vertx().deployVerticle(new QueueVerticle(s.infra())).await();

      List<TestClient> users = new ArrayList<>();
      for (int i = 0; i < USERS; i++) {
        users.add(s.connect("c" + i));
      }
      for (TestClient u : users) {
        u.send(Cs.frame(400).put("unique", "enter-" + u.userId));
      }
      for (TestClient u : users) {
        JsonObject r = u.await(f -> ("enter-" + u.userId).equals(f.getValue("unique")));
        assertThat(r.getInteger("msgType")).as(r.encode()).isEqualTo(30);
      }
      List<TestClient> agents = new ArrayList<>();
      for (int i = 0; i < AGENTS; i++) {
        agents.add(s.connect("ag" + i, null, "agent"));
      }
      Map<String, String> takenBy = new ConcurrentHashMap<>();
      AtomicInteger duplicates = new AtomicInteger();
      Map<String, Integer> perAgent = new ConcurrentHashMap<>();
      Map<String, String> endings = new ConcurrentHashMap<>();
      ExecutorService pool = Executors.newFixedThreadPool(AGENTS);
      List<Future<?>> runs = new ArrayList<>();
      long t0 = System.nanoTime();
      for (TestClient a : agents) {
        runs.add(pool.submit(() -> {
          while (true) {
            JsonObject take = Cs.frame(401);
            JsonObject first = a.request(take);
            if (first.getInteger("msgType") == 10) {
              endings.put(a.userId, first.getString("code"));
              return;
            }
            JsonObject reply = a.await(f -> f.getInteger("msgType") == 402 && take.getValue("unique").equals(f.getValue("unique")));
            String customer = reply.getString("receiveUserId");
            if (takenBy.putIfAbsent(customer, a.userId) != null) {
              duplicates.incrementAndGet();
            }
            perAgent.merge(a.userId, 1, Integer::sum);
          }
        }));
      }
      for (Future<?> f : runs) {
        f.get(90, TimeUnit.SECONDS);
      }
      pool.shutdown();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      Set<String> customers = new HashSet<>();
      users.forEach(u -> customers.add(u.userId));
      int pushes = 0;
      for (TestClient u : users) {
        u.await(f -> f.getInteger("msgType") == 402);
        pushes++;
        u.assertNone(f -> f.getInteger("msgType") == 402, Duration.ofMillis(1));
      }
      LOG.info("exactly-once take: {} waiters, {} agents, 2 instances: {} taken, {} duplicates, {} lost, per agent {}, "
          + "endings {}, {} ms", USERS, AGENTS, takenBy.size(), duplicates.get(), customers.size() - takenBy.size(),
        perAgent, endings, ms);
      assertThat(duplicates.get()).isZero();
      assertThat(takenBy.keySet()).isEqualTo(customers);
      assertThat(pushes).isEqualTo(USERS);
      assertThat(perAgent.values()).allMatch(n -> n <= MAX_ROOMS);
      assertThat(endings.values()).allMatch(c -> c.equals("QUEUE_EMPTY") || c.equals("AGENT_BUSY"));
      second.close().await();
    }
  }
}
