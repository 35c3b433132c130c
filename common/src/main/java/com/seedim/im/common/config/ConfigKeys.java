package com.seedim.im.common.config;

import com.seedim.im.common.events.EventsConfig;
import com.seedim.im.common.events.WebhookConfig;
import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.store.Deadlines;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Every key of the JSON config, with its type, default, allowed values, environment override and meaning: the one
 * list that {@link ConfigValidator} walks a config against (an unknown key or a bad value refuses the start),
 * {@code seedim print-defaults} prints and docs/configuration.md is generated from ({@link ConfigDoc}).
 *
 * <p>Paths are dotted; {@code apps[]} stands for every element of the {@code apps} array. The parsing code
 * ({@link ServerConfig#fromJson}, {@link AppConfig#fromJson}, the gateway's {@code GatewayLimits}, the chat service's
 * {@code ChatConfig}) reads the same keys with the same defaults; the server module's {@code ConfigDefaultsTest}
 * checks that a config with every key at the default here parses to the same settings as an empty one.
 * A new key is added here first (or it is refused as unknown), then read where it is used.
 */
public final class ConfigKeys {
  /** JSON types of config values. */
  public enum Type {
    STRING("string"), INT("integer"), LONG("integer"), BOOLEAN("boolean"), OBJECT("object"),
    STRINGS("array of strings"), LONGS("array of integers"), OBJECTS("array of objects"),
    AGENTS("\"all\" or array of strings");

    private final String text;

    Type(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /** One config key. Built fluently while the registry is assembled, read-only afterwards. */
  public static final class Key {
    private final String path;
    private final Type type;
    private Object defaultValue;
    private String defaultText;
    private long min = Long.MIN_VALUE;
    private long max = Long.MAX_VALUE;
    private List<String> allowed = List.of();
    private String env;
    private boolean required;
    private boolean nullable;
    private Function<Object, String> check;
    private Function<JsonObject, String> objectCheck;
    private String allowedText;
    private String description = "";

    Key(String path, Type type) {
      this.path = path;
      this.type = type;
      if (type == Type.INT) {
        min = Integer.MIN_VALUE;
        max = Integer.MAX_VALUE;
      }
    }

    /** The default: a JSON value, printed by print-defaults. */
    Key def(Object v) {
      defaultValue = v;
      return this;
    }

    /** No fixed default (computed at start, or "not set"): null is accepted and means the same as absent. */
    Key computed(String text) {
      nullable = true;
      defaultText = text;
      return this;
    }

    Key range(long min, long max) {
      this.min = min;
      this.max = max;
      return this;
    }

    Key min(long min) {
      this.min = min;
      return this;
    }

    Key oneOf(String... values) {
      allowed = List.of(values);
      return this;
    }

    Key env(String var) {
      env = var;
      return this;
    }

    Key mandatory() {
      required = true;
      return this;
    }

    /** A further check of a value of the right type: returns what it must be, or null when fine. */
    Key check(String allowedText, Function<Object, String> check) {
      this.allowedText = allowedText;
      this.check = check;
      return this;
    }

    /** A check of a whole object, before its keys are checked one by one: the problem, or null. */
    Key objectCheck(Function<JsonObject, String> check) {
      this.objectCheck = check;
      return this;
    }

    Key doc(String description) {
      this.description = description;
      return this;
    }

    public String path() {
      return path;
    }

    /** The last path segment: the key's name in its object. */
    public String name() {
      int i = path.lastIndexOf('.');
      return i < 0 ? path : path.substring(i + 1);
    }

    /** The schema path of the object this key is in ("" for the top level, {@code apps[]} for an app). */
    public String parent() {
      int i = path.lastIndexOf('.');
      return i < 0 ? "" : path.substring(0, i);
    }

    public Type type() {
      return type;
    }

    /** The default as a JSON value (null when {@link #computed} or required). */
    public Object defaultValue() {
      return defaultValue;
    }

    public String defaultText() {
      if (defaultText != null) {
        return defaultText;
      }
      if (required) {
        return "(required)";
      }
      if (defaultValue == null) {
        return "";
      }
      return defaultValue instanceof String s ? "\"" + s + "\"" : String.valueOf(defaultValue);
    }

    public long min() {
      return min;
    }

    public long max() {
      return max;
    }

    public List<String> allowed() {
      return allowed;
    }

    public String env() {
      return env;
    }

    public boolean required() {
      return required;
    }

    public boolean nullable() {
      return nullable;
    }

    Function<Object, String> valueCheck() {
      return check;
    }

    Function<JsonObject, String> objectValueCheck() {
      return objectCheck;
    }

    public String description() {
      return description;
    }

    /** What a value must be, in words: {@code an integer in 0..65535}, {@code "dev" or "prod"}, ... */
    public String allowedText() {
      if (!allowed.isEmpty()) {
        return quotedList(allowed);
      }
      StringBuilder b = new StringBuilder(article(type.text())).append(' ').append(type.text());
      if (type == Type.INT || type == Type.LONG || type == Type.LONGS) {
        long top = type == Type.INT ? Integer.MAX_VALUE : Long.MAX_VALUE;
        long bottom = type == Type.INT ? Integer.MIN_VALUE : Long.MIN_VALUE;
        if (max < top && min > bottom) {
          b.append(type == Type.LONGS ? " each in " : " in ").append(min).append("..").append(max);
        } else if (min > bottom) {
          b.append(type == Type.LONGS ? " each >= " : " >= ").append(min);
        }
      }
      if (allowedText != null) {
        b.append(", ").append(allowedText);
      }
      return b.toString();
    }

    private static String article(String noun) {
      return noun.startsWith("a") || noun.startsWith("i") || noun.startsWith("o") ? "an" : "a";
    }
  }

  static String quotedList(List<String> values) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        b.append(i == values.size() - 1 ? " or " : ", ");
      }
      b.append('"').append(values.get(i)).append('"');
    }
    return b.toString();
  }

  private static final Map<String, Key> KEYS = new LinkedHashMap<>();

  private static Key key(String path, Type type) {
    Key k = new Key(path, type);
    if (KEYS.put(path, k) != null) {
      throw new IllegalStateException("duplicate config key " + path);
    }
    return k;
  }

  private static final String APP = "apps[].";

  static {
    // ---- top level -------------------------------------------------------------------------------------------
    key("mode", Type.STRING).mandatory().oneOf(ServerConfig.MODE_DEV, ServerConfig.MODE_PROD).env("IM_MODE")
      .doc("`dev`: every service in one process, in-memory stores, `/dev/*` sign endpoints and the demo page, loopback"
        + " only. `prod`: MySQL/MariaDB and Redis, secrets checked. No other value, and no default: a config without"
        + " it is refused (the built-in dev config says `dev`).");
    key("host", Type.STRING).def("127.0.0.1").env("IM_HOST")
      .doc("Address the public port binds (WebSocket, HTTP API, `/health`). Dev mode refuses a non-loopback one"
        + " unless `allowUnsafeDev`.");
    key("port", Type.INT).def(8080).range(0, 65535).env("IM_PORT")
      .doc("The public port: `/ws`, `/login`, `/api/v1/*`, `/health`, the demo page in dev mode. 0 = any free port.");
    key("managementHost", Type.STRING).def("127.0.0.1").env("IM_MANAGEMENT_HOST").check("not empty", ConfigKeys::notEmpty)
      .doc("Address the management port binds.");
    key("managementPort", Type.INT).def(9090).range(0, 65535).env("IM_MANAGEMENT_PORT")
      .doc("Management port of every node, whatever its roles: `/health`, `/ready`, `/metrics`. 0 = any free port.");
    key("publicWsUrl", Type.STRING).computed("(none)").check("a ws:// or wss:// URL", v -> {
      String s = (String) v;
      return s.startsWith("ws://") || s.startsWith("wss://") ? null : "a ws:// or wss:// URL";
    }).doc("The WebSocket URL `POST /api/v1/sign` hands out (the address clients reach, e.g. behind a proxy).");
    key("maxFrameBytes", Type.INT).def(131072).min(256)
      .doc("Largest text frame handled (UTF-8 bytes); larger ones get `10 TOO_LARGE`.");
    key("maxMessageChars", Type.INT).def(5000).min(1)
      .doc("Longest chat `message` (code points) of 130 and `POST /api/v1/messages`; longer ones get `TOO_LARGE`.");
    key("busTimeoutMs", Type.LONG).def(5000).min(1)
      .doc("How long a request to a service over the event bus may take before `UNAVAILABLE` / 503.");
    key("shutdownDrainMs", Type.LONG).def(1000).min(0)
      .doc("On shutdown, the time over which connected clients are told to reconnect elsewhere (spread `retryAfterMs`).");
    key("handshakesPerSecondPerAddress", Type.INT).def(2000).min(1)
      .doc("WebSocket handshakes per second one client address may start, per gateway instance (burst twice that);"
        + " beyond: HTTP 429.");
    key("maxConnecting", Type.INT).def(ServerConfig.DEFAULT_MAX_CONNECTING).min(1)
      .doc("Connect sequences (route registration, replay, rooms, queues) one gateway instance runs at once; further"
        + " accepted handshakes wait, paused.");
    key("maxConnectWaiting", Type.INT).def(ServerConfig.DEFAULT_MAX_CONNECT_WAITING).min(0)
      .doc("Handshakes one gateway instance keeps waiting for a connect slot; beyond: 503 with `retryAfterMs`.");
    key("maxUnackedPushes", Type.INT).def(256).min(1)
      .doc("Unacknowledged reliable pushes per socket; beyond: close 4002.");
    key("resendDelaysMs", Type.LONGS).def(new JsonArray().add(5000).add(15000).add(35000)).min(1)
      .doc("Resend schedule of an unacknowledged reliable push (ms after the first send); after the last, dropped.");
    key("nodeId", Type.INT).computed("(leased)").range(0, 63).env("IM_NODE_ID")
      .doc("Node number (0–63) in message ids. Unset: a free one is leased in Redis; set: that one is leased.");
    key("nodeLeaseMs", Type.LONG).def(ServerConfig.DEFAULT_NODE_LEASE_MS).min(ServerConfig.MIN_NODE_LEASE_MS)
      .doc("Lifetime of the node-number lease in Redis (renewed every third of it); a dead node's number is free after it.");
    key("gatewayInstances", Type.INT).computed("one per core").min(1)
      .doc("Gateway verticles on a gateway node, each on its own event loop; per-address and connect-slot limits apply"
        + " per instance.");
    key("clusterName", Type.STRING).def(ServerConfig.DEFAULT_CLUSTER_NAME).env("IM_CLUSTER_NAME")
      .doc("Hazelcast cluster name; a clustered production node refuses the default `seedim` (unless `cluster.insecure`).");
    key("allowUnsafeDev", Type.BOOLEAN).def(false)
      .doc("Lets dev mode bind a non-loopback address or run clustered. Never in production.");
    key("devDurable", Type.BOOLEAN).def(false)
      .doc("Dev mode on MySQL and Redis instead of in-memory stores (trying durability without a cluster).");

    // ---- mysql -----------------------------------------------------------------------------------------------
    key("mysql", Type.OBJECT).def(new JsonObject()).doc("MySQL/MariaDB (production mode, or `devDurable`).");
    key("mysql.host", Type.STRING).def("127.0.0.1").env("IM_MYSQL_HOST").check("not empty", ConfigKeys::notEmpty)
      .doc("Database host.");
    key("mysql.port", Type.INT).def(3306).range(1, 65535).env("IM_MYSQL_PORT").doc("Database port.");
    key("mysql.user", Type.STRING).def("root").env("IM_MYSQL_USER").doc("Database user.");
    key("mysql.password", Type.STRING).def("").env("IM_MYSQL_PASSWORD")
      .doc("Database password; a known placeholder (`change-me`, ...) is refused outside dev mode.");
    key("mysql.database", Type.STRING).def("test").env("IM_MYSQL_DATABASE").check("not empty", ConfigKeys::notEmpty)
      .doc("Database (schema) name; created if missing.");
    key("mysql.poolSize", Type.INT).def(8).min(1).doc("Connections in the pool.");
    key("mysql.queryTimeoutMs", Type.LONG).def(Deadlines.MYSQL_QUERY_TIMEOUT_MS).min(1)
      .doc("Deadline of a query, waiting for a pool connection included; beyond: `UNAVAILABLE`.");

    // ---- redis -----------------------------------------------------------------------------------------------
    key("redis", Type.OBJECT).def(new JsonObject()).doc("Redis (production mode, or `devDurable`).");
    key("redis.connectionString", Type.STRING).def("redis://127.0.0.1:6379").env("IM_REDIS_URI")
      .check("a redis:// or rediss:// URI", ConfigKeys::redisUri)
      .doc("The Redis URI (standalone mode; the seed node when `endpoints` is not set).");
    key("redis.prefix", Type.STRING).def("im:").env("IM_REDIS_PREFIX")
      .doc("Prefix of every key (several deployments can share one Redis); no braces.");
    key("redis.poolSize", Type.INT).def(16).min(1).doc("Connections opened in all (the pipelined ones and dedicated ones).");
    key("redis.connections", Type.INT).def(ServerConfig.RedisConfig.DEFAULT_CONNECTIONS).min(0)
      .doc("Long-lived connections every command is pipelined over; 0 = the Vert.x pooled client, one command per"
        + " leased connection.");
    key("redis.commandTimeoutMs", Type.LONG).def(Deadlines.REDIS_COMMAND_TIMEOUT_MS).min(1)
      .doc("Deadline of a Redis command; beyond it fails (`UNAVAILABLE`) and its connection is replaced.");
    key("redis.mode", Type.STRING).def(ServerConfig.RedisConfig.MODE_STANDALONE)
      .oneOf(ServerConfig.RedisConfig.MODE_STANDALONE, ServerConfig.RedisConfig.MODE_CLUSTER).env("IM_REDIS_MODE")
      .doc("`standalone` (one Redis at `connectionString`) or `cluster` (a Redis Cluster found from `endpoints`).");
    key("redis.endpoints", Type.STRINGS).computed("[connectionString]").env("IM_REDIS_ENDPOINTS")
      .check("each a redis:// or rediss:// URI", v -> {
        for (Object o : (JsonArray) v) {
          if (redisUri(o) != null) {
            return "each a redis:// or rediss:// URI";
          }
        }
        return null;
      })
      .doc("Seed nodes of a Redis Cluster (env: comma-separated).");

    // ---- cluster ---------------------------------------------------------------------------------------------
    key("cluster", Type.OBJECT).def(new JsonObject()).doc("Hazelcast clustering (TCP-IP join, multicast off) and its trust.");
    key("cluster.enabled", Type.BOOLEAN).def(false).doc("Run clustered (also turned on by `IM_CLUSTER_MEMBERS`).");
    key("cluster.host", Type.STRING).def("127.0.0.1").env("IM_CLUSTER_HOST").check("not empty", ConfigKeys::notEmpty)
      .doc("Address Hazelcast and the event bus bind and announce.");
    key("cluster.port", Type.INT).def(5701).range(1, 65535).env("IM_CLUSTER_PORT")
      .doc("Hazelcast membership port (auto-increments if taken).");
    key("cluster.members", Type.STRINGS).def(new JsonArray()).env("IM_CLUSTER_MEMBERS")
      .doc("`host:port` of the members to join (env: comma-separated, and clustering is turned on).");
    key("cluster.eventBusPort", Type.INT).def(0).range(0, 65535).doc("Clustered event-bus port; 0 = random.");
    key("cluster.insecure", Type.BOOLEAN).def(false).env("IM_CLUSTER_INSECURE")
      .doc("Run a production cluster without `cluster.tls` and on the default name, on purpose (the network alone is"
        + " trusted). Env: `true` or `false`.");
    key("cluster.mergeDelaySeconds", Type.INT).def(ServerConfig.ClusterConfig.DEFAULT_MERGE_DELAY_SECONDS).min(1)
      .doc("How often a member dropped while frozen checks whether it can merge back (Hazelcast's own default: 300).");
    key("cluster.failureDetectionSeconds", Type.INT).def(ServerConfig.ClusterConfig.DEFAULT_FAILURE_DETECTION_SECONDS)
      .min(1).doc("Seconds without heartbeats before a member is declared dead.");
    key("cluster.tls", Type.OBJECT).computed("(none)").objectCheck(ServerConfig.ClusterConfig.Tls::problem)
      .doc("Event-bus TLS with client certificates (PKCS12 files); all four keys together.");
    key("cluster.tls.keyStore", Type.STRING).env("IM_CLUSTER_TLS_KEYSTORE").doc("This node's key and certificate chain.");
    key("cluster.tls.keyStorePassword", Type.STRING).env("IM_CLUSTER_TLS_KEYSTORE_PASSWORD").doc("Its password.");
    key("cluster.tls.trustStore", Type.STRING).env("IM_CLUSTER_TLS_TRUSTSTORE").doc("The private cluster CA.");
    key("cluster.tls.trustStorePassword", Type.STRING).env("IM_CLUSTER_TLS_TRUSTSTORE_PASSWORD").doc("Its password.");

    // ---- gateway (GatewayLimits) -----------------------------------------------------------------------------
    key("gateway", Type.OBJECT).def(new JsonObject()).doc("Limits of the public port (docs/security.md §2).");
    key("gateway.maxInboundBytes", Type.INT).def(1 << 20).min(1)
      .doc("Text queued on one socket behind a frame in progress; beyond: close 1008. At least `maxFrameBytes` ×"
        + " `wsMessageFactor`.");
    key("gateway.inboundPauseBytes", Type.INT).def(256 << 10).min(1)
      .doc("Queued text at which the socket stops being read (TCP backpressure); at most `maxInboundBytes`.");
    key("gateway.maxOutboundBytes", Type.INT).def(4 << 20).min(1)
      .doc("Bytes written to a socket and not yet sent; beyond: close 4002. At least 2 × `maxFrameBytes`.");
    key("gateway.slowConsumerMs", Type.LONG).def(10_000).min(1000)
      .doc("How long a socket's write queue may stay full before close 4002.");
    key("gateway.wsMessageFactor", Type.INT).def(2).range(1, 8)
      .doc("WebSocket messages up to `maxFrameBytes` × this are read (and answered TOO_LARGE); larger: close 1009.");
    key("gateway.controlFramesPerSecond", Type.INT).def(5).min(1)
      .doc("Pings and pongs a socket may send per second; each beyond counts as abuse.");
    key("gateway.controlFramesBurst", Type.INT).def(20).min(1).doc("Burst of `controlFramesPerSecond`.");
    key("gateway.handshakeTimeoutMs", Type.LONG).def(10_000).min(100)
      .doc("A new TCP connection must send its first request's headers within this.");
    key("gateway.requestTimeoutMs", Type.LONG).def(30_000).min(100)
      .doc("A plain HTTP request (API, plain GET) must be answered within this, body included.");
    key("gateway.httpIdleSeconds", Type.INT).computed("longest app `idleTimeoutSeconds` + 30").min(1)
      .doc("An HTTP connection with no traffic either way is closed after this.");
    key("gateway.maxConnectionsPerAddress", Type.INT).def(256).min(1)
      .doc("TCP connections one client address may hold before it has a session, per gateway instance.");
    key("gateway.proxyProtocol", Type.BOOLEAN).def(false)
      .doc("Expect the PROXY protocol (v1/v2) header on every connection (behind HAProxy, an NLB).");
    key("gateway.trustedProxies", Type.STRINGS).def(new JsonArray())
      .doc("Peers (IP literals or CIDRs) whose `X-Forwarded-For` names the client address.");
    key("gateway.maxHeldPushes", Type.INT).def(512).min(1)
      .doc("Pushes held for a socket while its connect sequence runs; newer ones are dropped (and replayed later).");
    key("gateway.apiMaxBodyBytes", Type.INT).def(64 << 10).min(1024)
      .doc("Largest HTTP API request body (every endpoint but the sensitive-word upload); beyond: 413.");
    key("gateway.apiMaxWordsBodyBytes", Type.INT).def(1 << 20).min(1024)
      .doc("Largest body of `PUT /api/v1/sensitive-words`; beyond: 413.");

    // ---- chat (ChatConfig) -----------------------------------------------------------------------------------
    key("chat", Type.OBJECT).def(new JsonObject()).doc("The chat service.");
    key("chat.instances", Type.INT).computed("one per core").min(1)
      .doc("Chat verticles on a chat node, sharing one store and one sweeper (1 on a small machine that also runs"
        + " MariaDB).");
    key("chat.sweepPeriodMs", Type.LONG).def(10_000).min(1).doc("How often the undelivered-message sweeper runs.");
    key("chat.sweepMinAgeMs", Type.LONG).def(30_000).min(0)
      .doc("Messages younger than this are left to their first push by the sweeper.");

    // ---- desk (DeskConfig) -----------------------------------------------------------------------------------
    key("desk", Type.OBJECT).def(new JsonObject())
      .doc("The customer-service pages served by the gateway under `/desk/`: the customer widget, the agent workspace"
        + " and the supervisor view (docs/customer-service.md).");
    key("desk.enabled", Type.BOOLEAN).computed("`false` (`true` in dev mode)").env("IM_DESK_ENABLED")
      .doc("Serve `/desk/` (widget.html, embed.js, agent.html, supervisor.html). Requires `signUrl`.");
    key("desk.signUrl", Type.STRING).computed("(none; `/dev/sign` in dev mode)").env("IM_DESK_SIGN_URL")
      .check("a path (/...) or an http(s) URL", DeskConfig::signUrlCheck)
      .doc("Your backend's sign endpoint. The pages call `GET <signUrl>?role=user|agent|admin` with the visitor's"
        + " cookies (`credentials: include`) and expect what `POST /api/v1/sign` answers (at least `url`); your"
        + " backend decides who the visitor is. Never `/dev/sign` outside dev mode.");
    key("desk.frameAncestors", Type.STRINGS).def(new JsonArray()).env("IM_DESK_FRAME_ANCESTORS")
      .check("origins such as https://shop.example.com", DeskConfig::ancestorCheck)
      .doc("Origins whose pages may embed the widget (CSP `frame-ancestors`; env: comma-separated); empty: only the"
        + " gateway's own origin. The widget's WebSocket comes from the gateway's own origin: an app that restricts"
        + " `allowedOrigins` must list that origin.");

    // ---- turn (TurnConfig) -----------------------------------------------------------------------------------
    key("turn", Type.OBJECT).def(new JsonObject())
      .doc("STUN/TURN servers handed to call members as `iceServers` (551, `GET /api/v1/ice-servers`), with short-lived"
        + " TURN credentials minted from a secret shared with the TURN server (docs/deployment.md, \"TURN\"). Without"
        + " `urls` a production start warns: calls across NATs and firewalls will fail.");
    key("turn.urls", Type.STRINGS).def(new JsonArray()).env("IM_TURN_URLS")
      .check("each a turn: or turns: URI", v -> TurnConfig.uriCheck(v, "turn:", "turns:"))
      .doc("TURN URIs (`turn:turn.example.com:3478?transport=udp`, `turns:turn.example.com:5349?transport=tcp`), all"
        + " of one TURN service sharing `secret` (env: comma-separated). Requires `secret`.");
    key("turn.stunUrls", Type.STRINGS).def(new JsonArray()).env("IM_TURN_STUN_URLS")
      .check("each a stun: or stuns: URI", v -> TurnConfig.uriCheck(v, "stun:", "stuns:"))
      .doc("STUN URIs handed out without credentials (env: comma-separated); a TURN server usually answers STUN too.");
    key("turn.secret", Type.STRING).computed("(none)").env("IM_TURN_SECRET")
      .doc("The TURN REST API shared secret: coturn's `static-auth-secret` (with `use-auth-secret`). Credentials are"
        + " `username = <expiry epoch seconds>:<userId>`, `credential = base64(HMAC-SHA1(secret, username))`. Required"
        + " with `urls`; outside dev mode at least 32 bytes and not a placeholder.");
    key("turn.ttlSeconds", Type.INT).def(TurnConfig.DEFAULT_TTL_SECONDS)
      .range(TurnConfig.MIN_TTL_SECONDS, TurnConfig.MAX_TTL_SECONDS)
      .doc("Lifetime of a minted TURN credential. Default one day: calls have no length limit and coturn checks the"
        + " expiry on every allocation refresh, so a credential must outlive the longest call; every reconnect hands"
        + " out a fresh one.");

    // ---- events (webhooks) -------------------------------------------------------------------------------
    key("events", Type.OBJECT).def(new JsonObject())
      .doc("How recorded events are delivered to the apps' webhook endpoints (docs/webhooks.md); which events an app"
        + " records and where they go is its `webhooks` section.");
    key("events.undeliveredAfterSeconds", Type.INT).def(EventsConfig.DEFAULT_UNDELIVERED_AFTER_SECONDS).range(10, 86_400)
      .doc("A message no device of its receiver acknowledged (141) this long after it was stored becomes a"
        + " `message.undelivered` event (the hook for mobile push). At least 10 s: a send's transaction may commit up to"
        + " two store deadlines after its id was taken, and the scan must not pass it before.");
    key("events.pollMs", Type.LONG).def(EventsConfig.DEFAULT_POLL_MS).range(20, 10_000)
      .doc("How often an idle delivery worker looks for new events of the endpoints it holds.");
    key("events.leaseSeconds", Type.INT).def(EventsConfig.DEFAULT_LEASE_SECONDS).range(5, 300)
      .doc("An endpoint is delivered by one node at a time, which renews its lease in MariaDB; when that node dies, another"
        + " takes over after this long (and may deliver its last batch again, with the same event ids).");
    key("events.pauseAfterFailures", Type.INT).def(EventsConfig.DEFAULT_PAUSE_AFTER_FAILURES).range(1, 1000)
      .doc("Consecutive failed deliveries after which an endpoint is paused.");
    key("events.pauseSeconds", Type.INT).def(EventsConfig.DEFAULT_PAUSE_SECONDS).range(1, 86_400)
      .doc("How long a paused endpoint rests before one batch is tried again (its events wait in the outbox).");
    key("events.maxBackoffSeconds", Type.INT).def(EventsConfig.DEFAULT_MAX_BACKOFF_SECONDS).range(1, 3600)
      .doc("The longest wait between two retries of a failing endpoint (backoff 1 s, 2 s, 4 s, ... up to this).");
    key("events.replaySettleMs", Type.LONG).def(EventsConfig.DEFAULT_REPLAY_SETTLE_MS).range(0, 600_000)
      .doc("`GET /api/v1/events` returns events at least this old, so that a reader paging by id never passes an event"
        + " whose transaction has not committed yet (keep it above the store deadline).");

    // ---- apps ------------------------------------------------------------------------------------------------
    key("apps", Type.OBJECTS).mandatory().doc("The apps (tenants); at least one.");
    key(APP + "appId", Type.STRING).mandatory()
      .check("1-64 characters of [A-Za-z0-9_.@-]", v -> AppConfig.isValidAppId((String) v) ? null
        : "1-64 characters of [A-Za-z0-9_.@-] (no ':')")
      .doc("The app's id.");
    key(APP + "secret", Type.STRING).mandatory()
      .doc("The app's signing key (connect, chat and API signatures). Outside dev mode: at least 32 bytes, not a"
        + " placeholder, unique per app.");
    key(APP + "previousSecret", Type.STRING).computed("(none)").check("not empty", ConfigKeys::notEmpty)
      .doc("During a secret rotation, the secret being replaced: signatures made with it are still accepted (connect,"
        + " chat permission, HTTP API) until `previousSecretUntil`; the server signs with `secret`. Outside dev mode:"
        + " at least 32 bytes, not a placeholder, unique (docs/operations.md, \"Rotating an app secret\").");
    key(APP + "previousSecretUntil", Type.STRING).computed("(none)")
      .check("an ISO-8601 instant such as 2027-01-31T00:00:00Z", v -> {
        try {
          java.time.Instant.parse((String) v);
          return null;
        } catch (DateTimeException e) {
          return "an ISO-8601 instant such as 2027-01-31T00:00:00Z";
        }
      })
      .doc("End of the rotation window (required with `previousSecret`, refused without it).");
    key(APP + "legacySign", Type.BOOLEAN).def(false)
      .doc("MD5 connect and chat signs (protocol.md §2.2, §6.2) for clients of the original system.");
    key(APP + "userIdPattern", Type.STRING).def("^[0-9]{1,20}$").check("a Java regular expression", v -> {
      try {
        Pattern.compile((String) v);
        return null;
      } catch (PatternSyntaxException e) {
        return "a Java regular expression (" + e.getDescription() + ")";
      }
    }).doc("Legacy-sign apps only: the user ids accepted.");
    key(APP + "signTtlSeconds", Type.INT).def(300).min(1).doc("Largest age of a connect sign; older: 401.");
    key(APP + "heartbeatSeconds", Type.INT).def(30).min(1).doc("Heartbeat interval the client is told to use.");
    key(APP + "idleTimeoutSeconds", Type.INT).def(90).min(1)
      .doc("A socket with no inbound frame or ping for this long is closed 1001.");
    key(APP + "maxDevices", Type.INT).def(5).min(1).doc("Devices per user; one more replaces the oldest (4001).");
    key(APP + "allowedOrigins", Type.STRINGS).def(new JsonArray())
      .doc("Browser `Origin`s allowed to connect; empty = any.");
    key(APP + "requireChatSign", Type.BOOLEAN).def(true).doc("`false` skips the chat permission step of 130.");
    key(APP + "chatSignTtlSeconds", Type.INT).def(120).min(1).doc("Largest age of a chat sign; older: 132.");
    key(APP + "chatPermissionMinutes", Type.INT).def(120).min(0).doc("How long a granted chat permission is cached.");
    key(APP + "retractSeconds", Type.INT).def(120).min(0).doc("Window for retracting a message; after: `RETRACT_EXPIRED`.");
    key(APP + "sensitivePolicy", Type.STRING).def(AppConfig.POLICY_REJECT).oneOf(AppConfig.POLICY_REJECT, AppConfig.POLICY_MASK)
      .doc("`reject` (133 / 422) or `mask` (`*`) a message with a sensitive word.");
    key(APP + "revealSensitiveWords", Type.BOOLEAN).def(false).doc("133 carries the matched `words`.");
    key(APP + "sensitiveWords", Type.STRINGS).def(new JsonArray())
      .doc("Initial sensitive-word list (replaced by `PUT /api/v1/sensitive-words`).");
    key(APP + "presencePublic", Type.BOOLEAN).def(false).doc("101 shows everyone's status, not only contacts'.");
    key(APP + "presenceGraceSeconds", Type.INT).def(10).min(0).doc("Offline is announced this long after the last device left.");
    key(APP + "conversationHeads", Type.INT).def(100).min(0).doc("Conversation heads (1170) sent on connect.");
    key(APP + "replayMax", Type.INT).def(200).min(0).doc("Undelivered 140s replayed on connect; the rest via 102 / 161.");
    key(APP + "htmlEscapeContent", Type.BOOLEAN).def(false)
      .doc("`& < > \" '` are HTML-escaped in delivered and listed content (the stored text stays raw).");
    key(APP + "legacyFields", Type.BOOLEAN).def(false).doc("140 and items also carry `content`, `sendUserId`, `serverTime`.");
    key(APP + "queues", Type.OBJECTS).def(new JsonArray().add(new JsonObject().put("id", AppConfig.DEFAULT_QUEUE).put("agents", "all")))
      .doc("The customer-service queues and who serves them.");
    key(APP + "queues[].id", Type.STRING).mandatory()
      .check("an id (1-64 characters of [A-Za-z0-9_.@:-])", v -> Frames.isValidId((String) v) ? null : "an id")
      .doc("The queue's id.");
    key(APP + "queues[].agents", Type.AGENTS).def("all").doc("`\"all\"` or the agent ids that serve the queue.");
    key(APP + "queues[].maxWaitSeconds", Type.INT).def(0).range(0, 86_400)
      .doc("A customer waiting longer is removed with 620 QUEUE_TIMEOUT (protocol §14.3); 0: no limit.");
    key(APP + "dynamicQueues", Type.BOOLEAN).computed("`false` (`true` in dev mode)")
      .doc("Any well-formed `queueId` is a queue served by all agents.");
    key(APP + "maxQueueLength", Type.INT).def(10000).min(1).doc("Waiters per queue; beyond: `QUEUE_FULL`.");
    key(APP + "queueGraceSeconds", Type.INT).def(30).min(0).doc("A waiter's place is kept this long without a device.");
    key(APP + "leftMessageReplyDays", Type.INT).def(7).range(1, 365)
      .doc("Taking a left message (640) grants the agent chat permission with the customer and access to its records "
        + "for this many days (protocol §14.4).");
    key(APP + "maxLeftMessagesPerUser", Type.INT).def(5).range(1, 100)
      .doc("Left messages (630) a customer may have waiting, not yet taken; beyond: `RATE_LIMITED`.");
    key(APP + "maxRoomsPerAgent", Type.INT).def(1).min(1).doc("Rooms an agent serves at once; beyond: `AGENT_BUSY`.");
    key(APP + "roomGraceSeconds", Type.INT).def(30).min(0)
      .doc("A room is kept this long without a member's device; then teardown `disconnect`.");
    key(APP + "roomIdleSeconds", Type.INT).def(600).min(1).doc("A room without a call is torn down (`timeout`) after this.");
    key(APP + "ringTimeoutSeconds", Type.INT).def(60).min(1).doc("A ringing call ends (321 `timeout`) after this.");
    key(APP + "timeZone", Type.STRING).def("Asia/Shanghai").check("a time-zone id such as UTC or Asia/Shanghai", v -> {
      try {
        ZoneId.of((String) v);
        return null;
      } catch (DateTimeException e) {
        return "a time-zone id such as UTC or Asia/Shanghai";
      }
    }).doc("Zone of `sendTimeDate`.");
    key(APP + "messageRetentionDays", Type.INT).def(0).range(0, AppConfig.MAX_RETENTION_DAYS)
      .doc("Messages older than this many days are deleted by `seedim purge`; 0 keeps them forever.");
    key(APP + "serviceRecordRetentionDays", Type.INT).def(0).range(0, AppConfig.MAX_RETENTION_DAYS)
      .doc("Ended queue entries, closed rooms, ended calls and taken left messages older than this many days are deleted"
        + " by `seedim purge`; 0 keeps them forever.");
    key(APP + "framesPerSecond", Type.INT).def(30).min(1)
      .doc("Frames per second per connection (20, 31, 141 not counted); beyond: `RATE_LIMITED`.");
    key(APP + "framesBurst", Type.INT).def(100).min(1).doc("Burst of `framesPerSecond`.");
    key(APP + "webhooks", Type.OBJECT).computed("(none: no events recorded)")
      .doc("Events this app records and the receivers they are posted to, signed like API calls (docs/webhooks.md). An"
        + " app that only wants the `beforeMessage` hook sets `events` to `[]`: nothing is recorded.");
    key(APP + "webhooks.events", Type.STRINGS).computed("every type but `presence.changed`")
      .check("event types (docs/webhooks.md)", WebhookConfig::typesProblem)
      .doc("The event types recorded (kept for replay, delivered to the endpoints that take them).");
    key(APP + "webhooks.retentionHours", Type.INT).def(WebhookConfig.DEFAULT_RETENTION_HOURS)
      .range(1, WebhookConfig.MAX_RETENTION_HOURS)
      .doc("Recorded events are kept this long: the window of `GET /api/v1/events` and of delivery to a receiver that"
        + " is down.");
    key(APP + "webhooks.endpoints", Type.OBJECTS).def(new JsonArray())
      .doc("The receivers of the recorded events (at most " + WebhookConfig.MAX_ENDPOINTS + ").");
    key(APP + "webhooks.endpoints[].name", Type.STRING).computed("`default` when it is the only endpoint")
      .check("1-64 characters of [A-Za-z0-9_.-]", v -> ((String) v).matches("[A-Za-z0-9_.-]{1,64}") ? null
        : "1-64 characters of [A-Za-z0-9_.-]")
      .doc("The endpoint's name (its delivery state and metrics are kept by name).");
    key(APP + "webhooks.endpoints[].url", Type.STRING).mandatory()
      .check("an http:// or https:// URL", WebhookConfig::urlProblem)
      .doc("Where batches of events are POSTed.");
    key(APP + "webhooks.endpoints[].events", Type.STRINGS).computed("every recorded type")
      .check("event types (docs/webhooks.md)", WebhookConfig::typesProblem)
      .doc("The recorded types this endpoint gets.");
    key(APP + "webhooks.endpoints[].maxBatch", Type.INT).def(WebhookConfig.DEFAULT_MAX_BATCH).range(1, WebhookConfig.MAX_BATCH)
      .doc("Events per POST at most.");
    key(APP + "webhooks.endpoints[].timeoutMs", Type.INT).def(WebhookConfig.DEFAULT_TIMEOUT_MS).range(100, 60_000)
      .doc("A POST not answered within this long failed (it is retried).");
    key(APP + "webhooks.beforeMessage", Type.OBJECT).computed("(none)")
      .doc("A synchronous moderation hook asked before each client's 130 is stored: allow, reject or rewrite"
        + " (protocol §6.2, docs/webhooks.md).");
    key(APP + "webhooks.beforeMessage.url", Type.STRING).mandatory()
      .check("an http:// or https:// URL", WebhookConfig::urlProblem).doc("Where the hook is POSTed.");
    key(APP + "webhooks.beforeMessage.timeoutMs", Type.INT).def(WebhookConfig.DEFAULT_BEFORE_TIMEOUT_MS).range(50, 2500)
      .doc("The hook's answer is awaited this long (well under the bus timeout); then `failOpen` decides.");
    key(APP + "webhooks.beforeMessage.failOpen", Type.BOOLEAN).def(true)
      .doc("When the hook fails or times out: `true` stores the message as sent, `false` answers 10 `UNAVAILABLE`.");
  }

  private ConfigKeys() {
  }

  /** Every key, in registry (and documentation) order. */
  public static List<Key> all() {
    return Collections.unmodifiableList(new ArrayList<>(KEYS.values()));
  }

  /** The key at a schema path ({@code apps[].maxDevices}), or null. */
  public static Key get(String path) {
    return KEYS.get(path);
  }

  /** The keys directly inside the object at schema path {@code parent} ("" = top level, {@code apps[]} = an app). */
  public static List<Key> children(String parent) {
    List<Key> out = new ArrayList<>();
    for (Key k : KEYS.values()) {
      if (k.parent().equals(parent)) {
        out.add(k);
      }
    }
    return out;
  }

  /** Keys that an environment variable overrides. */
  public static List<Key> withEnv() {
    List<Key> out = new ArrayList<>();
    for (Key k : KEYS.values()) {
      if (k.env() != null) {
        out.add(k);
      }
    }
    return out;
  }

  /**
   * A complete config with every key at its default ({@code null} where the default is computed at start), one
   * example app with {@code secret} (the example queues of the default), for {@code seedim print-defaults}.
   */
  public static JsonObject defaults(boolean dev, String appId, String secret) {
    JsonObject root = new JsonObject().put("mode", dev ? ServerConfig.MODE_DEV : ServerConfig.MODE_PROD);
    fill(root, "", dev);
    JsonObject app = new JsonObject().put("appId", appId).put("secret", secret);
    fill(app, "apps[]", dev);
    root.put("apps", new JsonArray().add(app));
    return root;
  }

  private static void fill(JsonObject o, String parent, boolean dev) {
    for (Key k : children(parent)) {
      if (k.type() == Type.OBJECT && k.defaultValue() != null) {
        JsonObject sub = new JsonObject();
        fill(sub, k.path(), dev);
        o.put(k.name(), sub);
      } else if (k.path().equals(APP + "dynamicQueues")) {
        o.put(k.name(), dev);
      } else if (k.defaultValue() instanceof JsonArray a) {
        o.put(k.name(), a.copy());
      } else if (k.defaultValue() != null || k.nullable()) {
        o.put(k.name(), k.defaultValue());
      }
    }
  }

  private static String notEmpty(Object v) {
    return ((String) v).isBlank() ? "not empty" : null;
  }

  private static String redisUri(Object v) {
    return v instanceof String s && (s.startsWith("redis://") || s.startsWith("rediss://")) ? null
      : "a redis:// or rediss:// URI";
  }
}
