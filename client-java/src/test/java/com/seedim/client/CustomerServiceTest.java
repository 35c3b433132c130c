package com.seedim.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.queue.QueueVerticle;
import com.seedim.im.room.RoomVerticle;
import com.seedim.im.signaling.SignalingVerticle;
import com.seedim.im.testkit.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static com.seedim.client.Clients.get;
import static com.seedim.client.Recorder.any;
import static com.seedim.client.Recorder.first;
import static com.seedim.client.Recorder.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

/** The queue, room and call helpers and pushes (§7–§9) against a real server with all four services. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("ImClient: customer service and calls")
@org.junit.jupiter.api.extension.ExtendWith(ContractCheck.class)
class CustomerServiceTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.builder().durable(false)
      .verticle(ChatVerticle::new).verticle(QueueVerticle::new).verticle(RoomVerticle::new).verticle(SignalingVerticle::new)
      .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("400 → 410; 401 → 402 reply, 402 + 551 pushes; 300/310/340 → 301/311/341; 330 → 321 + 560")
  void queueRoomCall() throws Exception {
    String queue = Clients.uid("q");
    String c = Clients.uid("carol");
    String g = Clients.uid("agent");
    Recorder rc = new Recorder();
    Recorder rg = new Recorder();
    try (ImClient carol = Clients.client(server.port(), c, "d1", null, rc, null, null);
         ImClient agent = Clients.client(server.port(), g, "d1", "agent", rg, null, null)) {
      get(carol.connect());
      get(agent.connect());

      assertThat(get(carol.enterQueue(queue)).type()).isEqualTo(MsgType.RECEIVED);
      waitFor("410", () -> any(rc.queue, MsgType.QUEUE_POSITION));
      assertThat(first(rc.queue, MsgType.QUEUE_POSITION).number("waitIndex", 0)).isEqualTo(1);
      Frame info = get(carol.queueInfo(queue));
      assertThat(info.type()).isEqualTo(MsgType.QUEUE_INFO_REPLY);
      assertThat(info.number("waitTotal", 0)).isEqualTo(1);

      Frame taken = get(agent.takeNext(queue, null));
      assertThat(taken.type()).isEqualTo(MsgType.QUEUE_TAKEN);
      assertThat(taken.string("receiveUserId")).isEqualTo(c);
      String roomId = taken.string("roomId");
      waitFor("the customer's 402 and 551", () -> any(rc.queue, MsgType.QUEUE_TAKEN) && any(rc.room, MsgType.ROOM_INFO_REPLY));
      assertThat(first(rc.queue, MsgType.QUEUE_TAKEN).string("userId")).isEqualTo(g);
      assertThat(first(rc.room, MsgType.ROOM_INFO_REPLY).strings("members")).containsExactly(g, c);
      Frame room = get(agent.roomInfo(null));
      assertThat(room.string("roomId")).isEqualTo(roomId);
      assertThat(room.string("callState")).isEqualTo("idle");
      assertThat(get(agent.rooms(1, 20)).type()).isEqualTo(MsgType.ROOM_LIST_REPLY);

      ObjectNode offer = Frame.JSON.createObjectNode().put("type", "offer").put("sdp", "v=0 offer");
      Frame started = get(agent.requestCall(offer, null));
      String callId = started.string("callId");
      assertThat(callId).matches("[0-9]+");
      assertThat(started.string("roomId")).isEqualTo(roomId);
      waitFor("301", () -> any(rc.call, MsgType.CALL_INCOMING));
      Frame incoming = first(rc.call, MsgType.CALL_INCOMING);
      assertThat(incoming.string("callId")).isEqualTo(callId);
      assertThat(incoming.json("message")).isEqualTo(offer);

      get(carol.acceptCall(Frame.JSON.createObjectNode().put("type", "answer").put("sdp", "v=0 answer"), callId));
      waitFor("311", () -> any(rg.call, MsgType.CALL_ACCEPTED));
      assertThat(first(rg.call, MsgType.CALL_ACCEPTED).json("message").get("sdp").asText()).isEqualTo("v=0 answer");
      get(agent.callerCandidate(Frame.JSON.createObjectNode().putNull("candidate"), callId));
      waitFor("341", () -> any(rc.call, MsgType.CALLER_CANDIDATE_RELAY));
      get(carol.calleeCandidate(Frame.JSON.createObjectNode().putNull("candidate"), callId));
      waitFor("343", () -> any(rg.call, MsgType.CALLEE_CANDIDATE_RELAY));

      get(carol.hangUp(callId));
      waitFor("321 to the agent", () -> any(rg.call, MsgType.CALL_ENDED));
      assertThat(first(rg.call, MsgType.CALL_ENDED).string("reason")).isEqualTo("hangup");
      waitFor("560 to both", () -> any(rg.room, MsgType.ROOM_DISBANDED) && any(rc.room, MsgType.ROOM_DISBANDED));
      assertThat(first(rc.room, MsgType.ROOM_DISBANDED).string("reason")).isEqualTo("hangup");
      assertThat(get(carol.leave(null)).type()).isEqualTo(MsgType.RECEIVED);

      // every reliable push was acked at once: none came a second time (the first resend is due after 5 s)
      assertThat(rc.in).noneMatch(Recorder.In::duplicate);
      assertThat(rg.in).noneMatch(Recorder.In::duplicate);
    }
  }

  @Test
  @DisplayName("§14: 600 → 601, 610 → 611/551/560 pushes, 670 → 671")
  void desk() throws Exception {
    String c = Clients.uid("carol");
    String g1 = Clients.uid("agent");
    String g2 = Clients.uid("agent");
    String boss = Clients.uid("boss");
    Recorder rc = new Recorder();
    Recorder r1 = new Recorder();
    Recorder r2 = new Recorder();
    try (ImClient carol = Clients.client(server.port(), c, "d1", null, rc, null, null);
         ImClient a1 = Clients.client(server.port(), g1, "d1", "agent", r1, null, null);
         ImClient a2 = Clients.client(server.port(), g2, "d1", "agent", r2, null, null);
         ImClient admin = Clients.client(server.port(), boss, "d1", "admin", new Recorder(), null, null)) {
      get(carol.connect());
      get(a1.connect());
      get(a2.connect());
      get(admin.connect());
      Frame status = get(a1.agentStatus(null));
      assertThat(status.type()).isEqualTo(MsgType.AGENT_STATUS_REPLY);
      assertThat(status.string("status")).isEqualTo("available");
      String queue = Clients.uid("q");
      get(carol.enterQueue(queue));
      String roomId = get(a1.takeNext(queue, null)).string("roomId");
      waitFor("the customer's 551", () -> any(rc.room, MsgType.ROOM_INFO_REPLY));

      assertThat(get(a1.transferToAgent(roomId, g2)).type()).isEqualTo(MsgType.RECEIVED);
      waitFor("611 to all three", () -> any(rc.room, MsgType.ROOM_TRANSFERRED) && any(r1.room, MsgType.ROOM_TRANSFERRED)
        && any(r2.room, MsgType.ROOM_TRANSFERRED));
      assertThat(first(rc.room, MsgType.ROOM_TRANSFERRED).string("toUserId")).isEqualTo(g2);
      waitFor("560 transferred to the former agent", () -> any(r1.room, MsgType.ROOM_DISBANDED));
      assertThat(first(r1.room, MsgType.ROOM_DISBANDED).string("reason")).isEqualTo("transferred");
      waitFor("551 to the new agent", () -> any(r2.room, MsgType.ROOM_INFO_REPLY));
      assertThat(first(r2.room, MsgType.ROOM_INFO_REPLY).string("creator")).isEqualTo(g2);

      Frame view = get(admin.supervisorView());
      assertThat(view.type()).isEqualTo(MsgType.SUPERVISOR_VIEW_REPLY);
      assertThat(view.json("rooms").toString()).contains(roomId);
      assertThat(get(a2.agentStatus("away")).string("status")).isEqualTo("away");
      ImException refused = org.junit.jupiter.api.Assertions.assertThrows(ImException.class, () -> {
        try {
          get(a2.takeNext(queue, null));
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause();
        }
      });
      assertThat(refused.code()).isEqualTo("INVALID_STATE");
    }
  }
}
