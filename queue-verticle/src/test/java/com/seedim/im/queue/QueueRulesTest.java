package com.seedim.im.queue;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import com.seedim.im.cs.store.QueueStore.Waiter;
import com.seedim.im.testkit.Codes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("queue rules without I/O")
class QueueRulesTest {
  private static final AppConfig APP = AppConfig.fromJson(new JsonObject().put("appId", "a").put("secret", "s")
    .put("queues", new JsonArray().add(new JsonObject().put("id", "vip").put("agents", new JsonArray().add("ag1")))
      .add(new JsonObject().put("id", "default"))), false);
  private static final RequestContext AGENT = new RequestContext("a", "ag2", "d", "agent", "c", "g");
  private static final RequestContext USER = new RequestContext("a", "u1", "d", "user", "c", "g");


  @Test
  @DisplayName("unknown queues are NOT_FOUND unless dynamic; agents serve only their queues")
  void queues() {
    assertThat(Codes.of(() -> QueueRules.requireKnown(APP, "nope"))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(Codes.of(() -> QueueRules.requireKnown(APP, "vip"))).isNull();
    assertThat(QueueRules.serves(APP, "ag1", "vip")).isTrue();
    assertThat(QueueRules.serves(APP, "ag2", "vip")).isFalse();
    assertThat(QueueRules.serves(APP, "ag2", "default")).isTrue();
    assertThat(QueueRules.servedQueues(APP, "ag2", List.of("vip", "default"))).containsExactly("default");
    assertThat(QueueRules.servedQueues(APP, "ag1", List.of())).containsExactly("vip", "default");
  }

  @Test
  @DisplayName("take: users FORBIDDEN, naming oneself FORBIDDEN, unserved queue FORBIDDEN")
  void take() {
    assertThat(Codes.of(() -> QueueRules.checkTake(APP, USER, null, null))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(Codes.of(() -> QueueRules.checkTake(APP, AGENT, null, "ag2"))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(Codes.of(() -> QueueRules.checkTake(APP, AGENT, "vip", null))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(Codes.of(() -> QueueRules.checkTake(APP, AGENT, "zzz", null))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(Codes.of(() -> QueueRules.checkTake(APP, AGENT, "default", "u1"))).isNull();
    assertThatThrownBy(() -> QueueRules.requireCustomer(AGENT)).isInstanceOf(ProtocolException.class);
  }

  @Test
  @DisplayName("a 410 round sends only changed positions and forgets those who left")
  void rounds() {
    List<Waiter> line = List.of(new Waiter("q", "a", 1), new Waiter("q", "b", 2), new Waiter("q", "c", 3));
    QueueRules.Round r = QueueRules.round(line, Map.of("a", "1:3", "b", "3:4", "x", "1:4"));
    assertThat(r.changed()).containsExactlyInAnyOrderEntriesOf(Map.of("b", "2:3", "c", "3:3"));
    assertThat(r.gone()).containsExactly("x");
  }
}
