package com.seedim.im.events;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.common.events.EventType;
import com.seedim.im.queue.QueueVerticle;
import com.seedim.im.room.RoomVerticle;
import com.seedim.im.signaling.SignalingVerticle;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.contract.HttpContract;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.seedim.im.testkit.hooks.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static com.seedim.im.testkit.Cs.frame;
import static com.seedim.im.testkit.Cs.ok;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("every event type reaches a real receiver from a durable server, signed with the app secret")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(VertxExtension.class)
class AllEventTypesTest {

  @Test
  void everyTypeDelivered(Vertx vertx) throws Exception {
    JsonArray all = new JsonArray(Arrays.asList((Object[]) EventType.wireNames()));
    try (WebhookReceiver receiver = new WebhookReceiver(vertx, TestServer.SECRET);
         TestServer s = TestServer.builder().vertx(vertx).durable(true).server(WebhookDeliveryTest.fastEvents())
           .app(new JsonObject().put("requireChatSign", false).put("queues", new JsonArray()
               .add(new JsonObject().put("id", "default").put("agents", "all"))
               .add(new JsonObject().put("id", "vip").put("agents", "all").put("maxWaitSeconds", 1)))
             .put("webhooks", new JsonObject().put("events", all)
               .put("endpoints", new JsonArray().add(new JsonObject().put("url", receiver.eventsUrl())))))
           .verticle(ChatVerticle::new).verticle(QueueVerticle::new).verticle(RoomVerticle::new)
           .verticle(SignalingVerticle::new).verticle(EventsVerticle::new).start()) {
      TestClient ag1 = s.connect("ag1", null, "agent");
      s.connect("ag2", null, "agent");
      TestClient u1 = s.connect("u1");

      // chat: created (+ read, retracted), and one to an offline receiver (undelivered)
      String m1 = WebhookDeliveryTest.send(u1, "ag1", "hello");
      ag1.await(f -> f.getInteger("msgType") == 140 && m1.equals(f.getString("messageId")));
      ok(ag1, new JsonObject().put("msgType", 198).put("messageId", m1).put("receiveUserId", "u1"));
      ok(u1, new JsonObject().put("msgType", 190).put("messageId", m1).put("receiveUserId", "ag1"));
      WebhookDeliveryTest.send(u1, "nobody", "are you there?");

      // the desk: status, enter, take, a call answered then ended by a transfer, the room closed, a max wait
      ok(ag1, frame(600).put("status", "away"));
      ok(ag1, frame(600).put("status", "available"));
      ok(u1, frame(400));
      u1.await(f -> f.getInteger("msgType") == 410);
      ok(ag1, frame(401));
      String room = ag1.await(f -> f.getInteger("msgType") == 402).getString("roomId");
      u1.await(f -> f.getInteger("msgType") == 551);
      String call = ok(ag1, frame(300).put("message", new JsonObject().put("type", "offer").put("sdp", "v=0")))
        .getString("callId");
      u1.await(f -> f.getInteger("msgType") == 301);
      ok(u1, frame(310).put("callId", call).put("message", new JsonObject().put("type", "answer").put("sdp", "v=0")));
      ag1.await(f -> f.getInteger("msgType") == 311);
      ok(ag1, frame(610).put("toUserId", "ag2")); // ends the live call (321 transferred)
      u1.await(f -> f.getInteger("msgType") == 611);
      ok(u1, frame(420));
      u1.await(f -> f.getInteger("msgType") == 560 && room.equals(f.getString("roomId")));
      TestClient u2 = s.connect("u2");
      ok(u2, frame(400).put("queueId", "vip"));
      u2.await(f -> f.getInteger("msgType") == 620, Duration.ofSeconds(10));

      List<JsonObject> got = receiver.await(list -> types(list).size() == EventType.values().length, Duration.ofSeconds(30));
      assertThat(types(got)).containsExactlyInAnyOrderElementsOf(Arrays.asList(EventType.wireNames()));
      assertThat(receiver.received()).isNotEmpty().allSatisfy(p -> assertThat(p.signatureValid()).isTrue());
      assertThat(got).allSatisfy(e -> {
        assertThat(e.getString("appId")).isEqualTo(TestServer.APP_ID);
        assertThat(e.fieldNames()).containsExactlyInAnyOrder("id", "type", "appId", "createdAt", "data");
      });
      // and as docs/openapi.yaml describes them (closed schemas: no field more, none missing)
      List<String> violations = new java.util.ArrayList<>();
      for (JsonObject e : got) {
        HttpContract.shared().validate("/components/schemas/" + schemaOf(e.getString("type")), JSON.readTree(e.encode()))
          .forEach(v -> violations.add(e.getString("type") + ": " + v));
      }
      assertThat(violations).isEmpty();
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code queue.timed_out} → {@code QueueTimedOutEvent}: the schema of one type in docs/openapi.yaml. */
  static String schemaOf(String type) {
    StringBuilder sb = new StringBuilder();
    for (String part : type.split("[._]")) {
      sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return sb.append("Event").toString();
  }

  private static Set<String> types(List<JsonObject> events) {
    Set<String> out = new TreeSet<>();
    events.forEach(e -> out.add(e.getString("type")));
    return out;
  }
}
