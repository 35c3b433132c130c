package com.seedim.im.chat.rules;

import com.seedim.im.chat.store.ChatMessage;
import com.seedim.im.chat.store.Conversation;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.MsgType;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * Builds the chat frames of PROTOCOL.md §5 for one app: the 140 push, message items (102, 162, 1170),
 * and the 131/191/192/199 notices; applies {@code htmlEscapeContent}, {@code legacyFields} and the app's
 * {@code timeZone} for {@code sendTimeDate}. Ids of messages are sent as decimal strings.
 */
public final class MessageFormatter {
  public static final String MESSAGE_ID = "messageId";
  public static final String USER_ID = "userId";
  public static final String RECEIVE_USER_ID = "receiveUserId";
  public static final String CONTENT_TYPE = "contentType";
  public static final String SEND_TIME = "sendTime";
  public static final String SEND_TIME_DATE = "sendTimeDate";
  public static final String RETRACTED = "retracted";
  public static final String DELIVERED = "delivered";
  public static final String READ = "read";
  public static final String PEER_USER_ID = "peerUserId";
  public static final String UNREAD_COUNT = "unreadCount";
  public static final String PEER_READ_MESSAGE_ID = "peerReadMessageId";
  public static final String FRIEND_USER_ID = "friendUserId";
  public static final String IS_ONLINE = "isOnline";
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final AppConfig app;
  private final DateTimeFormatter date;

  public MessageFormatter(AppConfig app) {
    this.app = app;
    this.date = DATE.withZone(app.timeZone());
  }

  /** {@code sendTime} formatted {@code yyyy-MM-dd HH:mm:ss} in the app's time zone. */
  public String sendTimeDate(long epochMs) {
    return date.format(Instant.ofEpochMilli(epochMs));
  }

  /** Content as delivered and listed: HTML-escaped when the app asks for it. */
  public String content(String raw) {
    return app.htmlEscapeContent() ? htmlEscape(raw) : raw;
  }

  /** The 140 push of a message. */
  public JsonObject push(ChatMessage m) {
    return fields(Frames.frame(MsgType.PUSH), m);
  }

  /**
   * A message item as listed in 102, 162 and 1170, seen by {@code viewer}: the 140 fields plus {@code retracted},
   * and for messages the viewer sent, {@code delivered} and {@code read} ({@code peerReadMessageId} = the peer's read mark).
   */
  public JsonObject item(ChatMessage m, String viewer, long peerReadMessageId) {
    return itemInto(new JsonObject(), m, viewer, peerReadMessageId);
  }

  /** A 1170 conversation head for its owner. */
  public JsonObject head(Conversation c, ChatMessage last, String owner) {
    JsonObject f = itemInto(Frames.frame(MsgType.CONVERSATION_HEAD), last, owner, c.peerReadMessageId());
    return f.put(PEER_USER_ID, c.peer()).put(UNREAD_COUNT, c.unreadCount())
      .put(PEER_READ_MESSAGE_ID, Long.toString(c.peerReadMessageId()));
  }

  private JsonObject itemInto(JsonObject o, ChatMessage m, String viewer, long peerReadMessageId) {
    fields(o, m);
    o.put(RETRACTED, m.retracted());
    if (m.sender().equals(viewer)) {
      o.put(DELIVERED, m.delivered()).put(READ, m.messageId() <= peerReadMessageId);
    }
    return o;
  }

  private JsonObject fields(JsonObject o, ChatMessage m) {
    String text = m.retracted() ? "" : content(m.content());
    o.put(MESSAGE_ID, Long.toString(m.messageId()))
      .put(USER_ID, m.sender())
      .put(RECEIVE_USER_ID, m.receiver())
      .put(Frames.MESSAGE, text)
      .put(CONTENT_TYPE, m.contentType())
      .put(SEND_TIME, m.sendTime())
      .put(SEND_TIME_DATE, sendTimeDate(m.sendTime()));
    if (app.legacyFields()) {
      o.put("content", text).put("sendUserId", m.sender()).put("serverTime", m.sendTime());
    }
    return o;
  }

  /** 131: the first receiver device acked. */
  public static JsonObject delivered(long messageId, String receiver) {
    return Frames.frame(MsgType.DELIVERED).put(MESSAGE_ID, Long.toString(messageId)).put(RECEIVE_USER_ID, receiver);
  }

  /** 191 to the sender's devices. */
  public static JsonObject retractedForSender(long messageId, String receiver) {
    return Frames.frame(MsgType.RETRACTED_SENDER).put(MESSAGE_ID, Long.toString(messageId)).put(RECEIVE_USER_ID, receiver);
  }

  /** 192 to the receiver's devices. */
  public static JsonObject retractedForReceiver(long messageId, String sender) {
    return Frames.frame(MsgType.RETRACTED_RECEIVER).put(MESSAGE_ID, Long.toString(messageId)).put(USER_ID, sender);
  }

  /** 199: {@code reader} read everything from {@code peer} up to {@code messageId}. */
  public static JsonObject read(String reader, String peer, long messageId) {
    return Frames.frame(MsgType.READ_NOTICE).put(USER_ID, reader).put(RECEIVE_USER_ID, peer)
      .put(MESSAGE_ID, Long.toString(messageId));
  }

  /** 200 / 210 about {@code userId}. */
  public static JsonObject presence(String userId, boolean online) {
    return Frames.frame(online ? MsgType.FRIEND_ONLINE : MsgType.FRIEND_OFFLINE).put(FRIEND_USER_ID, userId)
      .put(IS_ONLINE, online);
  }

  /** Escapes {@code & < > " '} for HTML. */
  public static String htmlEscape(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep = switch (c) {
        case '&' -> "&amp;";
        case '<' -> "&lt;";
        case '>' -> "&gt;";
        case '"' -> "&quot;";
        case '\'' -> "&#39;";
        default -> null;
      };
      if (rep != null && sb == null) {
        sb = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (sb != null) {
        if (rep != null) {
          sb.append(rep);
        } else {
          sb.append(c);
        }
      }
    }
    return sb == null ? s : sb.toString();
  }
}
