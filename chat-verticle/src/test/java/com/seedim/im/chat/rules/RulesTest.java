package com.seedim.im.chat.rules;

import com.seedim.im.testkit.Codes;
import com.seedim.im.chat.store.ChatMessage;
import com.seedim.im.chat.store.Conversation;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.proto.ErrorCode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class RulesTest {
  private static final long NOW = 1_750_000_000_000L;


  @Test
  @DisplayName("retract: sender within the window; receiver FORBIDDEN; outsider and missing NOT_FOUND; late RETRACT_EXPIRED")
  void retract() {
    assertThatCode(() -> RetractPolicy.check("a", "b", "a", NOW - 120_000, NOW, 120)).doesNotThrowAnyException();
    assertThat(Codes.of(() -> RetractPolicy.check("a", "b", "b", NOW, NOW, 120))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(Codes.of(() -> RetractPolicy.check("a", "b", "c", NOW, NOW, 120))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(Codes.of(() -> RetractPolicy.check(null, null, "a", 0, NOW, 120))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(Codes.of(() -> RetractPolicy.check("a", "b", "a", NOW - 120_001, NOW, 120))).isEqualTo(ErrorCode.RETRACT_EXPIRED);
    // an outsider never learns that the message is old
    assertThat(Codes.of(() -> RetractPolicy.check("a", "b", "c", 0, NOW, 120))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  @DisplayName("paging: defaults, offsets, the 10000 depth limit and the cursor that wins")
  void paging() {
    HistoryPaging d = HistoryPaging.of(new JsonObject());
    assertThat(d).isEqualTo(new HistoryPaging(1, 20, null));
    assertThat(d.offset()).isZero();
    HistoryPaging p3 = HistoryPaging.of(new JsonObject().put("pageIndex", "3").put("pageSize", 50));
    assertThat(p3.offset()).isEqualTo(100);
    assertThat(HistoryPaging.of(new JsonObject().put("pageIndex", 100).put("pageSize", 100)).offset()).isEqualTo(9900);
    assertThat(Codes.of(() -> HistoryPaging.of(new JsonObject().put("pageIndex", 101).put("pageSize", 100))))
      .isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(Codes.of(() -> HistoryPaging.of(new JsonObject().put("pageSize", 101)))).isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(Codes.of(() -> HistoryPaging.of(new JsonObject().put("pageSize", 0)))).isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(Codes.of(() -> HistoryPaging.of(new JsonObject().put("pageIndex", 0)))).isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(Codes.of(() -> HistoryPaging.of(new JsonObject().put("pageIndex", "x")))).isEqualTo(ErrorCode.INVALID_FIELD);
    HistoryPaging c = HistoryPaging.of(new JsonObject().put("pageIndex", 7).put("pageSize", 10).put("beforeMessageId", "12345"));
    assertThat(c).isEqualTo(new HistoryPaging(0, 10, 12345L));
    assertThat(c.offset()).isZero();
    assertThat(Codes.of(() -> HistoryPaging.of(new JsonObject().put("beforeMessageId", "-5")))).isEqualTo(ErrorCode.INVALID_FIELD);
  }

  @Test
  @DisplayName("presence grace: last device waits, logout is immediate, a quick reconnect announces nothing")
  void presence() {
    assertThat(PresenceGrace.onLeave(false, false, 10)).isEqualTo(PresenceGrace.OnLeave.NOTHING);
    assertThat(PresenceGrace.onLeave(false, true, 10)).isEqualTo(PresenceGrace.OnLeave.NOTHING);
    assertThat(PresenceGrace.onLeave(true, false, 10)).isEqualTo(PresenceGrace.OnLeave.ANNOUNCE_AFTER_GRACE);
    assertThat(PresenceGrace.onLeave(true, true, 10)).isEqualTo(PresenceGrace.OnLeave.ANNOUNCE_NOW);
    assertThat(PresenceGrace.onLeave(true, false, 0)).isEqualTo(PresenceGrace.OnLeave.ANNOUNCE_NOW);
    assertThat(PresenceGrace.announceOnline(true, null)).isTrue();
    assertThat(PresenceGrace.announceOnline(true, "token")).isFalse();
    assertThat(PresenceGrace.announceOnline(false, null)).isFalse();
    assertThat(PresenceGrace.backWithinGrace(500, 1)).as("left half a second ago, grace 1 s").isTrue();
    assertThat(PresenceGrace.backWithinGrace(1000, 1)).isFalse();
    assertThat(PresenceGrace.backWithinGrace(-1, 10)).as("unknown").isFalse();
    assertThat(PresenceGrace.backWithinGrace(10, 0)).as("no grace").isFalse();
    assertThat(PresenceGrace.announceOfflineAfterGrace("t1", "t1", false)).isTrue();
    assertThat(PresenceGrace.announceOfflineAfterGrace("t1", "t1", true)).isFalse();
    assertThat(PresenceGrace.announceOfflineAfterGrace(null, "t1", false)).isFalse();
    assertThat(PresenceGrace.announceOfflineAfterGrace("t2", "t1", false)).isFalse();
  }

  private static AppConfig app(JsonObject extra) {
    return AppConfig.fromJson(new JsonObject().put("appId", "app1").put("secret", "s").mergeIn(extra), false);
  }

  private static final ChatMessage MSG = new ChatMessage("app1", 4242L, "alice", "bob", "phone", "<b>hi</b> & 'you'",
    "text", 1_700_000_000_000L, false, true);

  @Test
  @DisplayName("sendTimeDate is yyyy-MM-dd HH:mm:ss (24 h) in the app's time zone, Asia/Shanghai by default")
  void timeFormatting() {
    assertThat(new MessageFormatter(app(new JsonObject())).sendTimeDate(1_700_000_000_000L)).isEqualTo("2023-11-15 06:13:20");
    assertThat(new MessageFormatter(app(new JsonObject().put("timeZone", "UTC"))).sendTimeDate(1_700_000_000_000L))
      .isEqualTo("2023-11-14 22:13:20");
    assertThat(new MessageFormatter(app(new JsonObject().put("timeZone", "America/New_York"))).sendTimeDate(1_689_000_000_000L))
      .isEqualTo("2023-07-10 10:40:00");
  }

  @Test
  @DisplayName("140 push carries the §5 fields, messageId as a decimal string")
  void push() {
    JsonObject p = new MessageFormatter(app(new JsonObject())).push(MSG);
    assertThat(p.getInteger("msgType")).isEqualTo(140);
    assertThat(p.getValue("messageId")).isEqualTo("4242");
    assertThat(p.getString("userId")).isEqualTo("alice");
    assertThat(p.getString("receiveUserId")).isEqualTo("bob");
    assertThat(p.getString("message")).isEqualTo("<b>hi</b> & 'you'");
    assertThat(p.getString("contentType")).isEqualTo("text");
    assertThat(p.getLong("sendTime")).isEqualTo(1_700_000_000_000L);
    assertThat(p.getString("sendTimeDate")).isEqualTo("2023-11-15 06:13:20");
    assertThat(p.containsKey("content")).isFalse();
  }

  @Test
  @DisplayName("htmlEscapeContent escapes & < > \" ' and legacyFields adds content, sendUserId, serverTime")
  void escapeAndLegacy() {
    assertThat(MessageFormatter.htmlEscape("a<b>&\"c'")).isEqualTo("a&lt;b&gt;&amp;&quot;c&#39;");
    assertThat(MessageFormatter.htmlEscape("plain")).isEqualTo("plain");
    JsonObject p = new MessageFormatter(app(new JsonObject().put("htmlEscapeContent", true).put("legacyFields", true))).push(MSG);
    assertThat(p.getString("message")).isEqualTo("&lt;b&gt;hi&lt;/b&gt; &amp; &#39;you&#39;");
    assertThat(p.getString("content")).isEqualTo(p.getString("message"));
    assertThat(p.getString("sendUserId")).isEqualTo("alice");
    assertThat(p.getLong("serverTime")).isEqualTo(1_700_000_000_000L);
  }

  @Test
  @DisplayName("items: delivered/read only for the viewer's own messages; retracted items have an empty message")
  void items() {
    MessageFormatter f = new MessageFormatter(app(new JsonObject()));
    JsonObject own = f.item(MSG, "alice", 4242L);
    assertThat(own.getBoolean("delivered")).isTrue();
    assertThat(own.getBoolean("read")).isTrue();
    assertThat(own.getBoolean("retracted")).isFalse();
    assertThat(f.item(MSG, "alice", 4241L).getBoolean("read")).isFalse();
    JsonObject theirs = f.item(MSG, "bob", 0);
    assertThat(theirs.containsKey("delivered")).isFalse();
    assertThat(theirs.containsKey("read")).isFalse();
    JsonObject gone = f.item(MSG.withRetracted(), "bob", 0);
    assertThat(gone.getBoolean("retracted")).isTrue();
    assertThat(gone.getString("message")).isEmpty();
    JsonObject head = f.head(new Conversation("bob", 4242L, 3, 0, 4000L, 9, NOW), MSG, "alice");
    assertThat(head.getInteger("msgType")).isEqualTo(1170);
    assertThat(head.getString("peerUserId")).isEqualTo("bob");
    assertThat(head.getLong("unreadCount")).isEqualTo(3);
    assertThat(head.getString("peerReadMessageId")).isEqualTo("4000");
    assertThat(head.getBoolean("read")).isFalse();
  }
}
