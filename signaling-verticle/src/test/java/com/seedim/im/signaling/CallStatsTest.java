package com.seedim.im.signaling;

import com.seedim.im.cs.CustomerService;
import com.seedim.im.cs.Rooms;
import com.seedim.im.cs.store.ServiceRecords;
import com.seedim.im.cs.store.ServiceRecords.CallRecord;
import com.seedim.im.room.RoomVerticle;
import com.seedim.im.testkit.Http;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static com.seedim.im.testkit.Cs.error;
import static com.seedim.im.testkit.Cs.frame;
import static com.seedim.im.testkit.Cs.ok;
import static com.seedim.im.testkit.Cs.sleep;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("§14.6 660 CALL_STATS through the real gateway")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class CallStatsTest {
  private static final String APP = TestServer.APP_ID;

  static TestServer server(Vertx vertx, boolean durable) {
    return TestServer.builder().vertx(vertx).durable(durable).verticle(RoomVerticle::new).verticle(SignalingVerticle::new)
      .start();
  }

  private static ServiceRecords records(TestServer s) {
    return CustomerService.of(s.infra()).records();
  }

  /** The call's record once {@code done} holds (records are written asynchronously). */
  private static CallRecord callUntil(TestServer s, String callId, Predicate<CallRecord> done) {
    CallRecord last = null;
    for (int i = 0; i < 50; i++) {
      last = records(s).call(APP, callId).await();
      if (last != null && done.test(last)) {
        return last;
      }
      sleep(100);
    }
    throw new AssertionError("call record of " + callId + " never matched: " + last);
  }

  private static JsonObject stats(String callId, String candidateType) {
    return frame(660).put("callId", callId).put("candidateType", candidateType);
  }

  /** ag1 calls cu1 in a new room and cu1 answers: the callId. */
  private static String activeCall(TestServer s, TestClient agent, TestClient customer) {
    Rooms.open(s.infra(), APP, agent.userId, customer.userId);
    String callId = ok(agent, frame(300).put("message", new JsonObject().put("type", "offer").put("sdp", "v=0"))).getString("callId");
    customer.awaitType(301);
    ok(customer, frame(310).put("callId", callId).put("message", new JsonObject().put("type", "answer").put("sdp", "v=0")));
    agent.awaitType(311);
    return callId;
  }

  @ParameterizedTest(name = "durable={0}")
  @ValueSource(booleans = {false, true})
  @DisplayName("both participants report, during and after the call; a second report replaces the first; stored and on /metrics")
  void stored(boolean durable, Vertx vertx) {
    try (TestServer s = server(vertx, durable)) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      String callId = activeCall(s, agent, cu);
      ok(cu, stats(callId, "relay").put("setupMs", 840).put("rttMs", 35).put("lossPercent", 0.4).put("protocol", "udp"));
      ok(agent, frame(330).put("callId", callId));
      cu.awaitType(560);
      ok(agent, stats(callId, "host").put("setupMs", 1200));
      ok(agent, stats(callId, "srflx").put("rttMs", 12.5));

      CallRecord call = callUntil(s, callId, c -> c.stats().size() == 2 && c.endedAt() != null
        && "srflx".equals(c.stats().get("ag1").getString("candidateType")));
      JsonObject mine = call.stats().get("cu1");
      assertThat(mine.getString("candidateType")).isEqualTo("relay");
      assertThat(mine.getDouble("setupMs")).isEqualTo(840.0);
      assertThat(mine.getDouble("rttMs")).isEqualTo(35.0);
      assertThat(mine.getDouble("lossPercent")).isEqualTo(0.4);
      assertThat(mine.getString("protocol")).isEqualTo("udp");
      assertThat(mine.getLong("reportedAt")).isPositive();
      JsonObject replaced = call.stats().get("ag1");
      assertThat(replaced.getDouble("rttMs")).isEqualTo(12.5);
      assertThat(replaced.containsKey("setupMs")).as("the second report replaces the first: %s", replaced).isFalse();

      Http.Response metrics = Http.get(s.managementPort(), "/metrics");
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(metrics.body())
        .containsPattern("im_call_paths_total\\{[^}]*candidateType=\"relay\"[^}]*} [1-9]")
        .containsPattern("im_call_paths_total\\{[^}]*candidateType=\"srflx\"")
        .contains("im_call_setup_seconds_bucket")
        .contains("im_call_rtt_seconds_bucket")
        .contains("im_call_loss_ratio_bucket");
    }
  }

  @Test
  @DisplayName("refusals: bad fields INVALID_FIELD / MISSING_FIELD, not a participant or unknown call NOT_FOUND; nothing stored")
  void refusals(Vertx vertx) {
    try (TestServer s = server(vertx, false)) {
      TestClient agent = s.connect("ag1", null, "agent");
      TestClient cu = s.connect("cu1");
      TestClient other = s.connect("cu2");
      String callId = activeCall(s, agent, cu);
      error(cu, frame(660).put("candidateType", "host"), "MISSING_FIELD");
      error(cu, stats("abc", "host"), "INVALID_FIELD");
      error(cu, frame(660).put("callId", callId), "MISSING_FIELD");
      error(cu, stats(callId, "tunnel"), "INVALID_FIELD");
      error(cu, stats(callId, "host").put("setupMs", -1), "INVALID_FIELD");
      error(cu, stats(callId, "host").put("setupMs", 600_001), "INVALID_FIELD");
      error(cu, stats(callId, "host").put("rttMs", 60_001), "INVALID_FIELD");
      error(cu, stats(callId, "host").put("lossPercent", 100.5), "INVALID_FIELD");
      error(cu, stats(callId, "host").put("lossPercent", "5"), "INVALID_FIELD");
      error(cu, stats(callId, "host").put("protocol", "sctp"), "INVALID_FIELD");
      error(other, stats(callId, "host"), "NOT_FOUND");
      error(cu, stats("12345", "host"), "NOT_FOUND");
      TestClient admin = s.connect("boss", null, "admin");
      error(admin, stats(callId, "host"), "NOT_FOUND");
      assertThat(records(s).call(APP, callId).await().stats()).isEmpty();
      // the edges of the ranges are accepted
      ok(cu, stats(callId, "prflx").put("setupMs", 600_000).put("rttMs", 0).put("lossPercent", 100).put("protocol", "tcp"));
      assertThat(records(s).call(APP, callId).await().stats()).containsOnlyKeys("cu1");
    }
  }

  @Test
  @DisplayName("a participant may report within an hour after the call ended, not later (NOT_FOUND)")
  void reportWindow(Vertx vertx) {
    try (TestServer s = server(vertx, false)) {
      TestClient cu = s.connect("cu3");
      long now = System.currentTimeMillis();
      String recent = Long.toString(s.infra().ids().next());
      records(s).callStarted(APP, "1", recent, "ag3", "cu3", now - 40 * 60_000L);
      records(s).callEnded(APP, recent, now - 30 * 60_000L, "hangup");
      String old = Long.toString(s.infra().ids().next());
      records(s).callStarted(APP, "1", old, "ag3", "cu3", now - 3 * 3_600_000L);
      records(s).callEnded(APP, old, now - 2 * 3_600_000L, "hangup");
      ok(cu, stats(recent, "host"));
      error(cu, stats(old, "host"), "NOT_FOUND");
      assertThat(records(s).call(APP, old).await().stats()).isEmpty();
    }
  }
}
