package com.seedim.im.chat;

import com.seedim.im.chat.rules.MessageFormatter;
import com.seedim.im.common.config.AppConfig;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The message formatter of each app on this node, built once (an app's formatting settings do not change at runtime). */
final class Formatters {
  private final Map<String, MessageFormatter> byApp = new ConcurrentHashMap<>();

  MessageFormatter of(AppConfig app) {
    return byApp.computeIfAbsent(app.appId(), k -> new MessageFormatter(app));
  }
}
