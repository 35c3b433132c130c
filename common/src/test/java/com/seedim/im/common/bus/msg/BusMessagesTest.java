package com.seedim.im.common.bus.msg;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.ServiceReply;
import com.seedim.im.common.proto.NoticeCode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(VertxExtension.class)
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BusMessagesTest {
  private static final RequestContext CTX = new RequestContext("app", "u1", "d1", "user", "c1", "im.gw.node.g1");

  static List<BusMessage> samples() {
    return List.of(
      new FrameRequest(CTX, new JsonObject().put("msgType", 130).put("message", "hi")),
      new SessionOpened(CTX, true, 1234L),
      new SessionOpened(CTX, false, null),
      new SessionClosed(CTX, true, false, true),
      new DeliveredAcks(List.of(new DeliveredAcks.Acked(CTX, List.of("7", "9")))),
      new GatewayPush("app", "u1", new JsonObject().put("msgType", 140), true, null, "c2"),
      new GatewayKick("app", "u1", "c1", NoticeCode.KICKED),
      new GatewayBatch(List.of(new GatewayPush("app", "u1", new JsonObject().put("msgType", 141), false, "c1", null),
        new GatewayKick("app", "u2", null, NoticeCode.KICKED))),
      new TeardownRequest(CTX, "app", "r1", TeardownReason.HANGUP, "u1"),
      new KickNotice("app", "u1", 10L, 20L),
      new RoomShareQuery("app", "u1", "u2"),
      new RedisReset(42L),
      new ApiQueries.PermissionRevoke("app", "u1", "u2"),
      new ApiQueries.PresenceQuery("app", List.of("u1", "u2")),
      new ApiQueries.WordsUpdate("app", List.of("bad")),
      new ApiQueries.WordsChanged("app"),
      new ApiQueries.RoomListQuery("app", "1", "20", null),
      new ApiQueries.RoomInfoUpdate("app", "r1", new JsonObject().put("topic", "x")),
      new ApiQueries.QueueStatsQuery("app", "q1"));
  }

  @Test
  @DisplayName("every record survives the clustered wire: JSON out, the same record back")
  void wireRoundTrip(Vertx vertx) {
    for (BusMessage m : samples()) {
      @SuppressWarnings("unchecked")
      BusCodec<BusMessage> codec = (BusCodec<BusMessage>) codecFor(m);
      Buffer wire = Buffer.buffer().appendString("xx");
      codec.encodeToWire(wire, m);
      BusMessage back = codec.decodeFromWire(2, wire);
      assertThat(back).as(m.getClass().getSimpleName()).isEqualTo(m);
      assertThat(back.toJson()).isEqualTo(m.toJson());
    }
  }

  @Test
  @DisplayName("inside one JVM a record is delivered as the same instance (no copy), and a reply record too")
  void localDeliveryIsNotCopied(Vertx vertx) {
    EventBus bus = vertx.eventBus();
    BusMessages.register(bus);
    BusMessages.register(bus); // a second registration is harmless
    JsonObject frame = new JsonObject().put("msgType", 130);
    FrameRequest sent = new FrameRequest(CTX, frame);
    ServiceReply reply = ServiceReply.ok().reply(new JsonObject().put("msgType", 30));
    Object[] received = new Object[1];
    bus.consumer("test.frames", m -> {
      received[0] = m.body();
      m.reply(reply);
    }).completion().await();
    Object answer = bus.request("test.frames", sent).await().body();
    assertThat(received[0]).isSameAs(sent);
    assertThat(((FrameRequest) received[0]).frame()).isSameAs(frame);
    assertThat(answer).isSameAs(reply);
    assertThat(BusMessages.json(answer)).isSameAs(reply.toJson());
  }

  @Test
  @DisplayName("a JSON body (a tool, a test, an older sender) is read into the record; anything else is refused")
  void readsJsonBodies() {
    SessionClosed closed = new SessionClosed(CTX, true, true, false);
    assertThat(BusMessages.read(closed.toJson(), SessionClosed.class, SessionClosed::fromJson)).isEqualTo(closed);
    assertThat(BusMessages.read(closed, SessionClosed.class, SessionClosed::fromJson)).isSameAs(closed);
    // a record of another type (a sender on a newer record than this receiver) is read through its JSON
    assertThat(BusMessages.read(new SessionOpened(CTX, true, null), SessionClosed.class, SessionClosed::fromJson).ctx())
      .isEqualTo(CTX);
    assertThatThrownBy(() -> BusMessages.read("text", SessionClosed.class, SessionClosed::fromJson))
      .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SessionClosed");
  }

  @Test
  @DisplayName("readers tolerate what a newer release adds and what an older one left out")
  void tolerantReaders() {
    JsonObject newer = new SessionClosed(CTX, true, false, false).toJson().put("reasonDetail", "x");
    assertThat(SessionClosed.fromJson(newer)).isEqualTo(new SessionClosed(CTX, true, false, false));
    JsonObject older = new JsonObject().put("ctx", CTX.toJson()).put("lastDevice", true).put("logout", false);
    assertThat(SessionClosed.fromJson(older).kicked()).isFalse();
    assertThat(GatewayKick.fromJson(new JsonObject().put("appId", "a").put("userId", "u").put("code", "FROM_THE_FUTURE")).code())
      .isEqualTo(NoticeCode.KICKED);
    assertThat(TeardownRequest.fromJson(new TeardownRequest(CTX, "a", "r", TeardownReason.TIMEOUT, null).toJson()).reason())
      .isEqualTo(TeardownReason.TIMEOUT);
    assertThat(DeliveredAcks.fromJson(new JsonObject().put("items", new JsonArray())).items()).isEmpty();
  }

  private static BusCodec<?> codecFor(BusMessage m) {
    return new BusCodec<>(cast(m.getClass()), j -> fromJson(m.getClass(), j));
  }

  @SuppressWarnings("unchecked")
  private static Class<BusMessage> cast(Class<?> c) {
    return (Class<BusMessage>) c;
  }

  private static BusMessage fromJson(Class<?> type, JsonObject j) {
    try {
      return (BusMessage) type.getMethod("fromJson", JsonObject.class).invoke(null, j);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
