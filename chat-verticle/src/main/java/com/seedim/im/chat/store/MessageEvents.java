package com.seedim.im.chat.store;

import com.seedim.im.common.events.Event;
import com.seedim.im.common.events.EventRecorder;
import com.seedim.im.common.events.EventType;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code message.*} events a chat store records in the transaction of the change they report (docs/webhooks.md):
 * {@code message.created} with the messages of a send batch, {@code message.read} with a read mark that moved,
 * {@code message.retracted} with a retraction. Empty lists (no write) for apps that do not record the type.
 */
public final class MessageEvents {
  /** Records nothing (stores built without events: tests, tools). */
  public static final MessageEvents NONE = new MessageEvents(null);

  private final EventRecorder recorder;

  public MessageEvents(EventRecorder recorder) {
    this.recorder = recorder;
  }

  List<Event> created(List<NewMessage> fresh, long nowMs) {
    if (recorder == null) {
      return List.of();
    }
    List<Event> out = new ArrayList<>(0);
    for (NewMessage m : fresh) {
      JsonObject data = data(m.toMessage());
      if (m.unique() != null) {
        data.put("unique", m.unique());
      }
      Event e = recorder.make(m.appId(), EventType.MESSAGE_CREATED, data, nowMs);
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  List<Event> read(String appId, String reader, String peer, long readMessageId, long nowMs) {
    return one(recorder == null ? null : recorder.make(appId, EventType.MESSAGE_READ, new JsonObject().put("userId", reader)
      .put("peerId", peer).put("readMessageId", Long.toString(readMessageId)), nowMs));
  }

  List<Event> retracted(ChatMessage m, long nowMs) {
    return one(recorder == null ? null : recorder.make(m.appId(), EventType.MESSAGE_RETRACTED, new JsonObject()
      .put("messageId", Long.toString(m.messageId())).put("userId", m.sender()).put("receiveUserId", m.receiver())
      .put("sendTime", m.sendTime()), nowMs));
  }

  private static List<Event> one(Event e) {
    return e == null ? List.of() : List.of(e);
  }

  /** A message as events carry it: the fields of a 140 (protocol §6.3) without the push's own ones. */
  public static JsonObject data(ChatMessage m) {
    return new JsonObject().put("messageId", Long.toString(m.messageId())).put("userId", m.sender())
      .put("receiveUserId", m.receiver()).put("deviceId", m.senderDevice()).put("message", m.content())
      .put("contentType", m.contentType()).put("sendTime", m.sendTime());
  }
}
