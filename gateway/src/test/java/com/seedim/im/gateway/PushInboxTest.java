package com.seedim.im.gateway;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.bus.msg.GatewayBatch;
import com.seedim.im.common.bus.msg.GatewayKick;
import com.seedim.im.common.bus.msg.GatewayMessage;
import com.seedim.im.common.bus.msg.GatewayPush;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.config.ServerConfig;
import com.seedim.im.common.proto.MsgType;
import com.seedim.im.common.proto.NoticeCode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PushInbox without Vert.x: the records a service's {@code Pusher} sends (and their JSON, as another node or a tool
 * sends it) reach the right connections of this instance, in order. Connections here have no socket: a reliable push
 * shows up as the connection asking for the resend tick, a kick as a closed connection.
 */
class PushInboxTest {
  private static final String APP = "app1";
  private static final ServerConfig CONFIG = ServerConfig.fromJson(new JsonObject().put("mode", "dev")
    .put("apps", new JsonArray().add(new JsonObject().put("appId", APP).put("secret", "s-0123456789abcdef0123456789abcdef"))),
    Map.of());

  /** What the connections asked of their gateway: the ids of those given a reliable push, in order. */
  private final List<String> pushedTo = new ArrayList<>();
  private final SessionTable sessions = new SessionTable(new GatewayMetrics("test"));
  private final PushInbox inbox = new PushInbox(sessions);
  private final ConnectionHost host = new ConnectionHost() {
    private final GatewayLimits limits = GatewayLimits.of(CONFIG);
    private final GatewayMetrics metrics = new GatewayMetrics("test-host");
    private int unique;

    @Override
    public ServerConfig config() {
      return CONFIG;
    }

    @Override
    public GatewayLimits limits() {
      return limits;
    }

    @Override
    public GatewayMetrics metrics() {
      return metrics;
    }

    @Override
    public String address() {
      return "im.gw.node.test";
    }

    @Override
    public Future<JsonObject> dispatch(RequestContext ctx, MsgType type, JsonObject frame, String unique) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void delivered(Connection c, List<Long> messageIds) {
    }

    @Override
    public void hasPending(Connection c) {
      pushedTo.add(c.id);
    }

    @Override
    public String nextUnique() {
      return "s" + ++unique;
    }

    @Override
    public void later(long delayMs, Runnable task) {
    }

    @Override
    public void loggedOut(Connection c) {
    }
  };

  private Connection connect(String id, String userId) {
    AppConfig app = CONFIG.apps().get(APP);
    Connection c = new Connection(host, id, new Handshake.Identity(app, userId, "d-" + id, "user", 1, null), System.currentTimeMillis());
    sessions.add(c);
    c.ready();
    return c;
  }

  private static JsonObject frame(int n) {
    return new JsonObject().put("msgType", 140).put("messageId", n).put("receiveUserId", "u1");
  }

  private void deliver(Object body) {
    inbox.onMessage(new Body(body));
  }

  @Test
  @DisplayName("a push reaches all the user's connections, or only one, or all but one; other users' are untouched")
  void pushes() {
    connect("a", "u1");
    connect("b", "u1");
    connect("c", "u2");
    deliver(new GatewayPush(APP, "u1", frame(1), true, null, null));
    deliver(new GatewayPush(APP, "u1", frame(2), true, "b", null));
    deliver(new GatewayPush(APP, "u1", frame(3), true, null, "a"));
    deliver(new GatewayPush(APP, "nobody", frame(4), true, null, null));
    assertThat(pushedTo).containsExactly("a", "b", "b", "b");
  }

  @Test
  @DisplayName("a batch is applied in order; a kick closes one connection or all of the user's, marking a KICKED one")
  void batchAndKicks() {
    Connection a = connect("a", "u1");
    Connection b = connect("b", "u1");
    Connection c = connect("c", "u1");
    List<GatewayMessage> items = List.of(
      new GatewayPush(APP, "u1", frame(1), true, "a", null),
      new GatewayKick(APP, "u1", "a", NoticeCode.REPLACED),
      new GatewayPush(APP, "u1", frame(2), true, null, null));
    deliver(new GatewayBatch(items));
    assertThat(a.isClosed()).isTrue();
    assertThat(a.kicked).as("REPLACED is not a kick").isFalse();
    assertThat(pushedTo).containsExactly("a", "b", "c");
    deliver(new GatewayKick(APP, "u1", null, NoticeCode.KICKED));
    assertThat(b.isClosed() && c.isClosed()).isTrue();
    assertThat(b.kicked && c.kicked).isTrue();
  }

  @Test
  @DisplayName("JSON as a tool sends it is read too; an item that cannot be delivered costs only itself, an unknown op is dropped")
  void json() {
    connect("a", "u1");
    Connection b = connect("b", "u1");
    JsonObject push = new GatewayPush(APP, "u1", frame(1), true, "a", null).toJson();
    deliver(push);
    deliver(new JsonObject().put("op", "batch").put("items", new JsonArray()
      .add(new JsonObject().put("op", "push").put("appId", APP).put("userId", "u1").put("reliable", true)) // no frame
      .add(new GatewayKick(APP, "u1", "b", NoticeCode.KICKED).toJson())));
    deliver(new JsonObject().put("op", "unknown"));
    assertThat(pushedTo).containsExactly("a");
    assertThat(b.isClosed()).isTrue();
  }

  /** A bus message carrying {@code body}: all PushInbox reads of it. */
  private record Body(Object body) implements Message<Object> {
    @Override
    public String address() {
      return "im.gw.node.test";
    }

    @Override
    public MultiMap headers() {
      return MultiMap.caseInsensitiveMultiMap();
    }

    @Override
    public String replyAddress() {
      return null;
    }

    @Override
    public boolean isSend() {
      return true;
    }

    @Override
    public void reply(Object message, DeliveryOptions options) {
    }

    @Override
    public <R> Future<Message<R>> replyAndRequest(Object message, DeliveryOptions options) {
      throw new UnsupportedOperationException();
    }
  }
}
