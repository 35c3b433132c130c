package com.seedim.im.common.events;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The events SeedIM tells business servers about (docs/webhooks.md): their wire names, and whether an app records
 * them when its {@code webhooks.events} does not list any (every type but {@code presence.changed}, which is as
 * frequent as connects).
 */
public enum EventType {
  MESSAGE_CREATED("message.created", true),
  MESSAGE_UNDELIVERED("message.undelivered", true),
  MESSAGE_READ("message.read", true),
  MESSAGE_RETRACTED("message.retracted", true),
  PRESENCE_CHANGED("presence.changed", false),
  QUEUE_ENTERED("queue.entered", true),
  QUEUE_LEFT("queue.left", true),
  QUEUE_TIMED_OUT("queue.timed_out", true),
  ROOM_CREATED("room.created", true),
  ROOM_TRANSFERRED("room.transferred", true),
  ROOM_CLOSED("room.closed", true),
  CALL_STARTED("call.started", true),
  CALL_ANSWERED("call.answered", true),
  CALL_ENDED("call.ended", true),
  AGENT_STATUS("agent.status", true);

  private static final Map<String, EventType> BY_NAME = new HashMap<>();

  static {
    for (EventType t : values()) {
      BY_NAME.put(t.wire, t);
    }
  }

  private final String wire;
  private final boolean byDefault;

  EventType(String wire, boolean byDefault) {
    this.wire = wire;
    this.byDefault = byDefault;
  }

  /** The name on the wire and in config ({@code message.created}). */
  public String wire() {
    return wire;
  }

  /** The type of a wire name, or null. */
  public static EventType of(String wire) {
    return BY_NAME.get(wire);
  }

  /** The types an app records when it names none. */
  public static Set<EventType> defaults() {
    EnumSet<EventType> out = EnumSet.noneOf(EventType.class);
    for (EventType t : values()) {
      if (t.byDefault) {
        out.add(t);
      }
    }
    return out;
  }

  /** Every wire name, in declaration order (config checks, docs). */
  public static String[] wireNames() {
    EventType[] all = values();
    String[] out = new String[all.length];
    for (int i = 0; i < all.length; i++) {
      out[i] = all[i].wire;
    }
    return out;
  }
}
