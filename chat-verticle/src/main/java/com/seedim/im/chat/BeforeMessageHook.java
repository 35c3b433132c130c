package com.seedim.im.chat;

import com.seedim.im.common.bus.RequestContext;
import com.seedim.im.common.config.AppConfig;
import com.seedim.im.common.events.WebhookConfig;
import com.seedim.im.common.events.WebhookPoster;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The synchronous {@code before.message} hook of protocol §6.2 (docs/webhooks.md): before a client's 130 is stored,
 * the app's moderation service answers allow, reject or rewrite. A hook that fails (no answer within its timeout, a
 * non-200, an answer that is not one of the three) lets the message through when the app says {@code failOpen}, and
 * answers UNAVAILABLE (retry with the same unique) otherwise.
 */
final class BeforeMessageHook {
  private static final Logger LOG = LoggerFactory.getLogger(BeforeMessageHook.class);
  static final String ALLOW = "allow";
  static final String REJECT = "reject";
  static final String REWRITE = "rewrite";
  /** The longest reason passed on to the client. */
  static final int MAX_REASON_CHARS = 200;

  /** The hook's decision: the content to store (the sent or the rewritten one). */
  record Verdict(String content) {
  }

  private final WebhookPoster poster;
  private final int maxMessageChars;

  BeforeMessageHook(WebhookPoster poster, int maxMessageChars) {
    this.poster = poster;
    this.maxMessageChars = maxMessageChars;
  }

  /** The content to store, or a failed future (MESSAGE_REJECTED, UNAVAILABLE) when nothing is to be stored. */
  Future<Verdict> ask(AppConfig app, RequestContext ctx, String receiver, String content, String contentType, String unique) {
    WebhookConfig.BeforeMessage hook = app.webhooks().beforeMessage();
    if (hook == null) {
      return Future.succeededFuture(new Verdict(content));
    }
    JsonObject message = new JsonObject().put("userId", ctx.userId()).put("receiveUserId", receiver)
      .put("deviceId", ctx.deviceId()).put("message", content).put("contentType", contentType);
    if (unique != null) {
      message.put("unique", unique);
    }
    String body = new JsonObject().put("type", "before.message").put("appId", app.appId()).put("message", message).encode();
    return poster.post(hook.url(), hook.pathWithQuery(), app.appId(), app.secret(), body, hook.timeoutMs())
      .transform(ar -> {
        String problem;
        if (ar.failed()) {
          problem = ar.cause().toString();
        } else if (ar.result().status() != 200) {
          problem = "HTTP " + ar.result().status();
        } else {
          try {
            return decide(app, ctx, receiver, content, new JsonObject(ar.result().body()));
          } catch (DecodeException | ClassCastException e) {
            problem = "an answer that is not a JSON object";
          } catch (IllegalArgumentException e) {
            problem = e.getMessage();
          }
        }
        if (hook.failOpen()) {
          LOG.warn("before.message hook of app {} failed ({}): 130 from {} to {} let through (failOpen)", app.appId(), problem,
            ctx.userId(), receiver);
          return Future.succeededFuture(new Verdict(content));
        }
        LOG.warn("before.message hook of app {} failed ({}): 130 from {} to {} refused UNAVAILABLE (failOpen false)",
          app.appId(), problem, ctx.userId(), receiver);
        return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE,
          "the app's message check did not answer; retry with the same unique"));
      });
  }

  private Future<Verdict> decide(AppConfig app, RequestContext ctx, String receiver, String content, JsonObject answer) {
    String action = answer.getString("action");
    if (ALLOW.equals(action)) {
      return Future.succeededFuture(new Verdict(content));
    }
    if (REJECT.equals(action)) {
      String reason = answer.getString("reason");
      reason = reason == null || reason.isBlank() ? "the message was refused" : reason;
      if (reason.length() > MAX_REASON_CHARS) {
        reason = reason.substring(0, MAX_REASON_CHARS);
      }
      LOG.info("130 from {}/{} to {} rejected by the before.message hook", app.appId(), ctx.userId(), receiver);
      return Future.failedFuture(new ProtocolException(ErrorCode.MESSAGE_REJECTED, reason));
    }
    if (REWRITE.equals(action)) {
      String rewritten = answer.getString("message");
      if (rewritten == null || rewritten.isEmpty() || rewritten.codePointCount(0, rewritten.length()) > maxMessageChars) {
        throw new IllegalArgumentException("a rewrite without a message of 1-" + maxMessageChars + " characters");
      }
      return Future.succeededFuture(new Verdict(rewritten));
    }
    throw new IllegalArgumentException("an action that is not allow, reject or rewrite");
  }
}
