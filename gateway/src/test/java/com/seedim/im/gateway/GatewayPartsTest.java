package com.seedim.im.gateway;

import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The gateway's plain parts, without Vert.x: the byte-bounded inbox and the session memory. */
class GatewayPartsTest {
  @Test
  @DisplayName("Inbox: bounded in bytes, asks to pause at the threshold and to resume below half of it")
  void inbox() {
    Inbox in = new Inbox(1000, 400);
    assertThat(in.offer("x".repeat(300))).isEqualTo(Inbox.Offer.QUEUED);
    assertThat(in.offer("y".repeat(150))).isEqualTo(Inbox.Offer.QUEUED_PAUSE);
    assertThat(in.offer(Inbox.BINARY)).as("binary entries weigh nothing").isEqualTo(Inbox.Offer.QUEUED_PAUSE);
    assertThat(in.offer("z".repeat(551))).as("over maxBytes").isEqualTo(Inbox.Offer.OVERFLOW);
    assertThat(in.bytes()).isEqualTo(450);
    assertThat(in.canResume()).isFalse();
    assertThat(in.poll()).hasSize(300);
    assertThat(in.canResume()).as("150 < 400 / 2").isTrue();
    assertThat(in.poll()).hasSize(150);
    assertThat(in.poll()).isSameAs(Inbox.BINARY);
    assertThat(in.isEmpty()).isTrue();
    assertThat(in.bytes()).isZero();
  }

  private static JsonObject f(MsgType t) {
    return Frames.frame(t);
  }

  @Test
  @DisplayName("SessionMemory: a queue place from 410 or a 431 reply, a room from 402/551; both announced lost once")
  void sessionMemory() {
    SessionMemory m = new SessionMemory();
    assertThat(m.lost(1)).isEmpty();
    m.observe(f(MsgType.QUEUE_POSITION).put("queueId", "sales").put("waitIndex", 2));
    assertThat(m.waiting()).isTrue();
    m.observe(f(MsgType.QUEUE_INFO_REPLY).put("queueId", "sales").put("waitIndex", -1));
    assertThat(m.waiting()).as("431 with -1: not waiting").isFalse();
    m.observe(f(MsgType.QUEUE_INFO_REPLY).put("queueId", "vip").put("waitIndex", 1));
    List<ServerPush> lost = m.lost(42);
    assertThat(lost).hasSize(1);
    assertThat(lost.get(0).frame().getInteger("msgType")).isEqualTo(431);
    assertThat(lost.get(0).frame().getString("queueId")).isEqualTo("vip");
    assertThat(lost.get(0).frame().getInteger("waitIndex")).isEqualTo(-1);
    assertThat(lost.get(0).reliable()).isFalse();
    assertThat(m.lost(43)).as("announced once").isEmpty();

    m.observe(f(MsgType.QUEUE_POSITION).put("queueId", "sales"));
    m.observe(f(MsgType.QUEUE_TAKEN).put("roomId", "77").put("userId", "agent"));
    assertThat(m.waiting()).as("taken: no longer waiting").isFalse();
    assertThat(m.inRoom()).isTrue();
    m.observe(f(MsgType.ROOM_DISBANDED).put("roomId", "76"));
    assertThat(m.inRoom()).as("another room's 560").isTrue();
    lost = m.lost(44);
    assertThat(lost).singleElement().satisfies(p -> {
      assertThat(p.frame().getInteger("msgType")).isEqualTo(560);
      assertThat(p.frame().getString("roomId")).isEqualTo("77");
      assertThat(p.frame().getString("reason")).isEqualTo("lost");
      assertThat(p.reliable()).isTrue();
    });

    m.observe(f(MsgType.ROOM_INFO_REPLY).put("roomId", "78"));
    m.observe(f(MsgType.ROOM_DISBANDED).put("roomId", "78"));
    m.observe(f(MsgType.QUEUE_POSITION).put("queueId", "q"));
    m.leftQueue();
    assertThat(m.lost(45)).as("left the queue, room disbanded").isEmpty();
  }
}
