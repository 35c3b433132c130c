package com.seedim.im.server;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a node runs. {@code all} is every verticle kind in one process (dev mode's default). */
public enum Role {
  GATEWAY, CHAT, QUEUE, ROOM, SIGNALING,
  /** Webhook delivery, event replay and retention (docs/webhooks.md). */
  EVENTS;

  public static Set<Role> parse(Iterable<String> names) {
    EnumSet<Role> out = EnumSet.noneOf(Role.class);
    for (String n : names) {
      String s = n.trim().toUpperCase(Locale.ROOT);
      if (s.isEmpty()) {
        continue;
      }
      if (s.equals("ALL")) {
        out.addAll(EnumSet.allOf(Role.class));
      } else {
        out.add(Role.valueOf(s));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no roles given");
    }
    return out;
  }
}
