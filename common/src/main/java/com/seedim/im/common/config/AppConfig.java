package com.seedim.im.common.config;

import com.seedim.im.common.events.WebhookConfig;
import com.seedim.im.common.proto.Frames;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Per-app (tenant) settings of PROTOCOL.md §8, with the defaults in one place.
 *
 * @param queues configured queues; {@code agents} null means "all agents"
 * @param previousSecret during a secret rotation, the secret being replaced: signatures made with it are still
 *                       accepted (connect, chat permission, HTTP API) until {@code previousSecretUntilMs}; null otherwise.
 *                       Everything the server signs itself uses {@link #secret()}.
 * @param previousSecretUntilMs the end of the rotation window, epoch ms (0 without a previous secret)
 * @param messageRetentionDays messages older than this many days are deleted by {@code seedim purge} (0: kept forever)
 * @param webhooks the events it records and where they go (docs/webhooks.md); {@link WebhookConfig#NONE} without
 *                 {@code webhooks}
 * @param serviceRecordRetentionDays ended queue entries, closed rooms, ended calls and taken left messages older than
 *                                   this many days are deleted by {@code seedim purge} (0: kept forever)
 */
public record AppConfig(
  String appId,
  String secret,
  boolean legacySign,
  Pattern userIdPattern,
  int signTtlSeconds,
  int heartbeatSeconds,
  int idleTimeoutSeconds,
  int maxDevices,
  List<String> allowedOrigins,
  boolean requireChatSign,
  int chatSignTtlSeconds,
  int chatPermissionMinutes,
  int retractSeconds,
  String sensitivePolicy,
  boolean revealSensitiveWords,
  List<String> sensitiveWords,
  boolean presencePublic,
  int presenceGraceSeconds,
  int conversationHeads,
  int replayMax,
  boolean htmlEscapeContent,
  boolean legacyFields,
  List<QueueDef> queues,
  boolean dynamicQueues,
  int maxQueueLength,
  int queueGraceSeconds,
  int maxRoomsPerAgent,
  int roomGraceSeconds,
  int roomIdleSeconds,
  int ringTimeoutSeconds,
  ZoneId timeZone,
  int framesPerSecond,
  int framesBurst,
  String previousSecret,
  long previousSecretUntilMs,
  int messageRetentionDays,
  int serviceRecordRetentionDays,
  int leftMessageReplyDays,
  int maxLeftMessagesPerUser,
  WebhookConfig webhooks) {

  public static final String POLICY_REJECT = "reject";
  public static final String POLICY_MASK = "mask";
  public static final String DEFAULT_QUEUE = "default";
  /** The longest retention a setting may name (a century). */
  public static final int MAX_RETENTION_DAYS = 36_500;

  /**
   * A configured queue; {@code agents == null} means every agent serves it. {@code maxWaitSeconds}: a waiter is removed
   * with 620 after that long (0: no limit, §14.3).
   */
  public record QueueDef(String id, List<String> agents, int maxWaitSeconds) {
    public QueueDef(String id, List<String> agents) {
      this(id, agents, 0);
    }

    public boolean servedBy(String agentId) {
      return agents == null || agents.contains(agentId);
    }
  }

  /** Reads an app from its JSON config; {@code dev} changes the defaults that dev mode changes. */
  public static AppConfig fromJson(JsonObject j, boolean dev) {
    String appId = j.getString("appId");
    if (appId == null || appId.isEmpty()) {
      throw new IllegalArgumentException("app without appId");
    }
    if (!isValidAppId(appId)) {
      throw new IllegalArgumentException("invalid appId '" + appId + "': 1-64 characters of [A-Za-z0-9_.@-] (no ':')");
    }
    String secret = j.getString("secret");
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("app " + appId + " has no secret");
    }
    String previousSecret = j.getString("previousSecret");
    String until = j.getString("previousSecretUntil");
    long previousSecretUntilMs = 0;
    if (previousSecret != null) {
      if (previousSecret.isEmpty() || previousSecret.equals(secret)) {
        throw new IllegalArgumentException("app " + appId + ": previousSecret must be the old, different secret");
      }
      if (until == null) {
        throw new IllegalArgumentException("app " + appId + ": previousSecret needs previousSecretUntil, the end of the "
          + "rotation window as an ISO-8601 instant (e.g. 2027-01-31T00:00:00Z)");
      }
      try {
        previousSecretUntilMs = Instant.parse(until).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("app " + appId + ": previousSecretUntil '" + until
          + "' is not an ISO-8601 instant (e.g. 2027-01-31T00:00:00Z)");
      }
    } else if (until != null) {
      throw new IllegalArgumentException("app " + appId + ": previousSecretUntil without previousSecret");
    }
    String policy = j.getString("sensitivePolicy", POLICY_REJECT);
    if (!POLICY_REJECT.equals(policy) && !POLICY_MASK.equals(policy)) {
      throw new IllegalArgumentException("app " + appId + ": sensitivePolicy must be reject or mask");
    }
    return new AppConfig(
      appId,
      secret,
      j.getBoolean("legacySign", false),
      Pattern.compile(j.getString("userIdPattern", "^[0-9]{1,20}$")),
      j.getInteger("signTtlSeconds", 300),
      j.getInteger("heartbeatSeconds", 30),
      j.getInteger("idleTimeoutSeconds", 90),
      j.getInteger("maxDevices", 5),
      strings(j.getJsonArray("allowedOrigins")),
      j.getBoolean("requireChatSign", true),
      j.getInteger("chatSignTtlSeconds", 120),
      j.getInteger("chatPermissionMinutes", 120),
      j.getInteger("retractSeconds", 120),
      policy,
      j.getBoolean("revealSensitiveWords", false),
      strings(j.getJsonArray("sensitiveWords")),
      j.getBoolean("presencePublic", false),
      j.getInteger("presenceGraceSeconds", 10),
      j.getInteger("conversationHeads", 100),
      j.getInteger("replayMax", 200),
      j.getBoolean("htmlEscapeContent", false),
      j.getBoolean("legacyFields", false),
      queues(j.getJsonArray("queues")),
      j.getBoolean("dynamicQueues", dev),
      j.getInteger("maxQueueLength", 10000),
      j.getInteger("queueGraceSeconds", 30),
      j.getInteger("maxRoomsPerAgent", 1),
      j.getInteger("roomGraceSeconds", 30),
      j.getInteger("roomIdleSeconds", 600),
      j.getInteger("ringTimeoutSeconds", 60),
      ZoneId.of(j.getString("timeZone", "Asia/Shanghai")),
      j.getInteger("framesPerSecond", 30),
      j.getInteger("framesBurst", 100),
      previousSecret,
      previousSecretUntilMs,
      retentionDays(j, appId, "messageRetentionDays"),
      retentionDays(j, appId, "serviceRecordRetentionDays"),
      j.getInteger("leftMessageReplyDays", 7),
      j.getInteger("maxLeftMessagesPerUser", 5),
      WebhookConfig.fromJson(j.getJsonObject("webhooks"), appId));
  }

  /** A retention in days: 0 (keep forever, the default) to 36500. */
  private static int retentionDays(JsonObject j, String appId, String key) {
    Object v = j.getValue(key, 0);
    if (!(v instanceof Integer days) || days < 0 || days > MAX_RETENTION_DAYS) {
      throw new IllegalArgumentException("app " + appId + ": " + key + " must be a whole number of days, 0 (keep forever) to "
        + MAX_RETENTION_DAYS);
    }
    return days;
  }

  /**
   * The secrets a signature may be made with at {@code nowMs}: the current one, and during a rotation window the
   * previous one (docs/operations.md, "Rotating an app secret"). Verifiers try them in this order.
   */
  public List<String> verifyingSecrets(long nowMs) {
    return previousSecret != null && nowMs < previousSecretUntilMs ? List.of(secret, previousSecret) : List.of(secret);
  }

  /**
   * An appId is an id (PROTOCOL.md §1) without ':'. Store keys put the appId first and ':' after it
   * ({@code r:<app>:<user>}, {@code q:<app>:<queue>}, ...): with ':' in appIds, apps {@code 1} and {@code 1:2}
   * could share keys and cross tenants.
   */
  public static boolean isValidAppId(String appId) {
    return Frames.isValidId(appId) && appId.indexOf(':') < 0;
  }

  /** The §14.3 wait limit of a queue in seconds, 0 when it has none (dynamic queues have none). */
  public int maxWaitSeconds(String queueId) {
    QueueDef q = queue(queueId);
    return q == null ? 0 : q.maxWaitSeconds();
  }

  /** The queue definition for an id, or null when unknown (callers apply {@link #dynamicQueues}). */
  public QueueDef queue(String id) {
    for (QueueDef q : queues) {
      if (q.id().equals(id)) {
        return q;
      }
    }
    return null;
  }

  private static List<QueueDef> queues(JsonArray a) {
    List<QueueDef> out = new ArrayList<>();
    if (a == null) {
      out.add(new QueueDef(DEFAULT_QUEUE, null));
      return List.copyOf(out);
    }
    for (Object o : a) {
      JsonObject q = (JsonObject) o;
      Object agents = q.getValue("agents", "all");
      List<String> list = agents instanceof JsonArray arr ? strings(arr) : null;
      out.add(new QueueDef(q.getString("id"), list, q.getInteger("maxWaitSeconds", 0)));
    }
    return List.copyOf(out);
  }

  private static List<String> strings(JsonArray a) {
    if (a == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(a.size());
    for (Object o : a) {
      out.add(String.valueOf(o));
    }
    return List.copyOf(out);
  }
}
