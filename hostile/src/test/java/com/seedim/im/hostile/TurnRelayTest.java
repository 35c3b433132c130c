package com.seedim.im.hostile;

import com.seedim.im.common.config.TurnConfig;
import com.seedim.im.common.turn.IceServers;
import com.seedim.im.queue.QueueVerticle;
import com.seedim.im.room.RoomVerticle;
import com.seedim.im.testkit.Cs;
import com.seedim.im.testkit.Http;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.contract.RepoDocs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TURN credentials minted by a real SeedIM server (a 551 to each member, {@code GET /api/v1/ice-servers}) allocate a
 * relay on a real coturn with coturn's own client, and a tampered or expired one is refused: deploy/check-turn.sh runs
 * turnserver ({@code use-auth-secret}) and {@code turnutils_uclient}. Skipped only when coturn cannot be installed.
 */
@DisplayName("TURN credentials against a real coturn")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TurnRelayTest {
  static final String SECRET = "turn-relay-test-secret-" + Long.toHexString(System.nanoTime()) + "-0123456789";

  @Test
  @DisplayName("551 and API credentials allocate a relay on coturn and carry data; tampered, expired and foreign ones are refused")
  void coturnAcceptsMintedCredentials() throws Exception {
    List<String> checks = new ArrayList<>();
    try (TestServer s = TestServer.builder().durable(false).verticle(RoomVerticle::new).verticle(QueueVerticle::new)
      .server(new JsonObject().put("turn", new JsonObject().put("urls", new JsonArray().add("turn:127.0.0.1:3478?transport=udp"))
        .put("secret", SECRET).put("ttlSeconds", 600))).start()) {
      TestClient agent = s.connect("agent7", "desk", "agent");
      TestClient carol = s.connect("carol");
      Cs.ok(carol, Cs.frame(400));
      carol.awaitType(410);
      Cs.ok(agent, Cs.frame(401));
      JsonObject toCarol = turnEntry(carol.awaitType(551));
      JsonObject toAgent = turnEntry(agent.awaitType(551));
      JsonObject api = turnEntry(Http.api(s.port(), "GET", "/api/v1/ice-servers?userId=dave", null).json());
      assertThat(toCarol.getString("username")).endsWith(":carol");
      assertThat(toAgent.getString("username")).endsWith(":agent7");
      assertThat(api.getString("username")).endsWith(":dave");
      for (JsonObject t : List.of(toCarol, toAgent, api)) {
        add(checks, "ok", t.getString("username"), t.getString("credential"));
      }
      String u = toCarol.getString("username");
      String c = toCarol.getString("credential");
      // one character of the password changed
      add(checks, "refused", u, (c.charAt(0) == 'A' ? "B" : "A") + c.substring(1));
      // the username changed (a later expiry, another user) with the same password
      long expiry = Long.parseLong(u.substring(0, u.indexOf(':')));
      add(checks, "refused", (expiry + 3600) + ":carol", c);
      add(checks, "refused", expiry + ":mallory", c);
      // minted correctly but expired: now - ttl - 60 + ttl = a minute ago
      IceServers.Credential old = new IceServers(new TurnConfig(List.of("turn:x"), List.of(), SECRET, 600))
        .mint("carol", System.currentTimeMillis() / 1000 - 660);
      add(checks, "refused", old.username(), old.credential());
      // minted with another secret
      add(checks, "refused", u, IceServers.sign(SECRET + "-other", u));
    }

    Path script = RepoDocs.file("protocol.md").getParent().getParent().resolve("deploy").resolve("check-turn.sh");
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
    cmd.addAll(checks);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("TURN_SECRET", SECRET);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("check-turn.sh finished").isTrue();
    assumeTrue(p.exitValue() != 3, "coturn not available: " + out);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("8 passed, 0 failed");
    assertThat(out.lines().filter(l -> l.startsWith("PASS: ok:")).count()).as(out).isEqualTo(3);
  }

  /** The TURN entry of a 551's or the API's iceServers. */
  private static JsonObject turnEntry(JsonObject withIceServers) {
    JsonArray ice = withIceServers.getJsonArray("iceServers");
    assertThat(ice).as(withIceServers.encode()).hasSize(1);
    JsonObject t = ice.getJsonObject(0);
    assertThat(t.getJsonArray("urls")).containsExactly("turn:127.0.0.1:3478?transport=udp");
    return t;
  }

  private static void add(List<String> checks, String want, String user, String credential) {
    checks.add(want);
    checks.add(user);
    checks.add(credential);
  }
}
