package com.seedim.im.hostile;

import com.seedim.im.chat.ChatVerticle;
import com.seedim.im.events.EventsVerticle;
import com.seedim.im.common.proto.ErrorCode;
import com.seedim.im.common.security.Signatures;
import com.seedim.im.queue.QueueVerticle;
import com.seedim.im.room.RoomVerticle;
import com.seedim.im.signaling.SignalingVerticle;
import com.seedim.im.testkit.Cs;
import com.seedim.im.testkit.Http;
import com.seedim.im.testkit.TestClient;
import com.seedim.im.testkit.TestServer;
import com.seedim.im.testkit.contract.HttpContract;
import com.seedim.im.testkit.contract.RepoDocs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/openapi.yaml, the contract of the HTTP API (docs/protocol.md §10): (1) the document is well formed and agrees
 * with protocol.md (§10 headings, §3.2 codes) and with the server's {@link ErrorCode}; (2) {@link HttpContract}
 * rejects wrong answers (an extra or missing field, a wrong type, an undocumented status or content type); (3)
 * every operation meets real traffic through {@link Http} (which checks every exchange), with each documented
 * error response that can be provoked from outside: a server with the chat, queue, room and signaling services
 * (on MariaDB and Redis), the same gateway without services (503), a dev-mode server (/dev) and the management port.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiContractTest {
  private static final String MASK_APP = "contract-mask-app";
  private static final String MASK_SECRET = "contract-mask-secret-0123456789-abcdefgh";
  private static final int MAX_MESSAGE_CHARS = 100;
  private static final String BANNED = "forbiddenword";
  /** Documented responses no test can provoke from outside (a bug; a nonce store that fails), by design. */
  private static final Set<String> UNPROVOKED = Set.of(
    "POST /api/v1/sign 503", "POST /api/v1/chat-sign 503", "POST /api/v1/kick 503", "GET /api/v1/ice-servers 503",
    "GET /dev/sign 500", "GET /dev/chat-sign 500");

  static TestServer services;
  static TestServer bare;
  static TestServer dev;
  static final HttpContract CONTRACT = HttpContract.shared();
  static final JsonNode DOC = CONTRACT.document();

  @BeforeAll
  static void start() {
    bare = TestServer.builder().durable(false).start();
    dev = TestServer.builder().durable(false).start();
  }

  /** The server with the services, started on first use. */
  static synchronized TestServer services() {
    if (services == null) {
      services = TestServer.builder().durable(true)
        .verticle(ChatVerticle::new).verticle(QueueVerticle::new).verticle(RoomVerticle::new).verticle(SignalingVerticle::new)
        .verticle(EventsVerticle::new)
        .app(new JsonObject().put("dynamicQueues", false).put("sensitivePolicy", "reject").put("webhooks", new JsonObject())
          .put("queues", new JsonArray().add(new JsonObject().put("id", "default").put("agents", "all"))))
        .extraApp(new JsonObject().put("appId", MASK_APP).put("secret", MASK_SECRET).put("sensitivePolicy", "mask")
          .put("dynamicQueues", true))
        .server(new JsonObject().put("maxMessageChars", MAX_MESSAGE_CHARS)
          .put("events", new JsonObject().put("replaySettleMs", 0))).start();
    }
    return services;
  }

  @AfterAll
  static void stop() {
    for (TestServer s : new TestServer[] {services, bare, dev}) {
      if (s != null) {
        s.close();
      }
    }
    writeNotes();
  }

  // ---- (1) the document ----------------------------------------------------------------------------------------

  @Test
  @Order(1)
  @DisplayName("the document is OpenAPI 3.1.0: every $ref resolves, every operation is described and answers")
  void documentIsWellFormed() {
    assertThat(DOC.path("openapi").asText()).isEqualTo("3.1.0");
    assertThat(DOC.path("info").path("title").asText()).isNotBlank();
    assertThat(DOC.path("info").path("version").asText()).isNotBlank();
    List<String> refs = new ArrayList<>();
    collectRefs(DOC, refs);
    assertThat(refs).isNotEmpty();
    for (String ref : refs) {
      assertThat(ref).as("only local references").startsWith("#/");
      assertThat(DOC.at(ref.substring(1)).isMissingNode()).as("$ref %s resolves", ref).isFalse();
    }
    Set<String> operationIds = new LinkedHashSet<>();
    for (String op : CONTRACT.operations()) {
      String[] mp = op.split(" ", 2);
      JsonNode item = DOC.path("paths").path(mp[1]);
      JsonNode o = item.path(mp[0].toLowerCase());
      assertThat(operationIds.add(o.path("operationId").asText())).as("%s has a unique operationId", op).isTrue();
      assertThat(o.path("summary").asText()).as("%s summary", op).isNotBlank();
      assertThat(o.path("description").asText()).as("%s description points to protocol.md", op).contains("§");
      assertThat(o.path("responses").isEmpty()).as("%s has responses", op).isFalse();
      for (String status : names(o.path("responses"))) {
        JsonNode r = resolve(o.path("responses").path(status));
        assertThat(status).as("%s: explicit status codes", op).matches("[1-5][0-9][0-9]");
        assertThat(r.path("description").asText()).as("%s %s description", op, status).isNotBlank();
        for (String type : names(r.path("content"))) {
          JsonNode media = r.path("content").path(type);
          assertThat(media.has("schema")).as("%s %s %s schema", op, status, type).isTrue();
          assertThat(media.has("example")).as("%s %s %s example", op, status, type).isTrue();
          if (status.charAt(0) != '2' && type.endsWith("json") && !mp[1].equals("/ready")) {
            assertThat(type).as("%s %s: failures are problem details", op, status).isEqualTo("application/problem+json");
          }
        }
      }
      // every path template parameter is a required path parameter
      Matcher m = Pattern.compile("\\{([^}]+)}").matcher(mp[1]);
      while (m.find()) {
        String name = m.group(1);
        boolean declared = false;
        for (JsonNode p : item.path("parameters")) {
          JsonNode r = resolve(p);
          declared |= r.path("in").asText().equals("path") && r.path("name").asText().equals(name)
            && r.path("required").asBoolean(false);
        }
        assertThat(declared).as("%s declares path parameter %s", op, name).isTrue();
      }
      if (mp[1].startsWith("/api/v1/")) {
        Set<String> headers = new TreeSet<>();
        for (JsonNode p : item.path("parameters")) {
          JsonNode r = resolve(p);
          if (r.path("in").asText().equals("header") && r.path("required").asBoolean(false)) {
            headers.add(r.path("name").asText());
          }
        }
        assertThat(headers).as("%s signature headers", op).containsExactlyInAnyOrder("X-App-Id", "X-Timestamp", "X-Nonce", "X-Signature");
        assertThat(o.has("security")).as("%s uses the document's signature scheme", op).isFalse();
        for (String s : List.of("400", "401", "413", "415", "500", "503")) {
          assertThat(o.path("responses").has(s)).as("%s documents the chain's %s", op, s).isTrue();
        }
      } else {
        assertThat(o.path("security").isArray() && o.path("security").isEmpty()).as("%s is unauthenticated", op).isTrue();
      }
    }
    assertThat(DOC.path("security").path(0).has("apiSignature")).isTrue();
    assertThat(DOC.path("components").path("securitySchemes").path("apiSignature").path("description").asText())
      .contains("X-App-Id").contains("X-Timestamp").contains("X-Nonce").contains("body");
  }

  @Test
  @Order(1)
  @DisplayName("the document is valid against the OpenAPI 3.1 schema (spec.openapis.org/oas/3.1/schema/2022-10-07, kept in test resources)")
  void documentIsValidOpenApi31() throws IOException {
    com.networknt.schema.Schema oas;
    try (var in = OpenApiContractTest.class.getResourceAsStream("/oas-3.1-schema-2022-10-07.json")) {
      assertThat(in).as("the OAS 3.1 schema resource").isNotNull();
      oas = com.networknt.schema.SchemaRegistry.withDefaultDialect(com.networknt.schema.SpecificationVersion.DRAFT_2020_12).getSchema(in);
    }
    assertThat(oas.validate(DOC)).as("docs/openapi.yaml against the OAS 3.1 schema").isEmpty();
    // the schema does catch a broken document: an operation without responses, a parameter without "in"
    com.fasterxml.jackson.databind.node.ObjectNode broken = (com.fasterxml.jackson.databind.node.ObjectNode) DOC.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) broken.at("/paths/~1health/get")).remove("responses");
    ((com.fasterxml.jackson.databind.node.ObjectNode) broken.at("/components/parameters/XNonce")).remove("in");
    assertThat(oas.validate(broken)).isNotEmpty();
  }

  @Test
  @Order(2)
  @DisplayName("every example is valid against its schema")
  void examplesMatchTheirSchemas() {
    int checked = 0;
    for (String op : CONTRACT.operations()) {
      String[] mp = op.split(" ", 2);
      String opPointer = "/paths/" + escape(mp[1]) + "/" + mp[0].toLowerCase();
      JsonNode o = DOC.at(opPointer);
      if (o.has("requestBody")) {
        JsonNode media = o.path("requestBody").path("content").path("application/json");
        assertThat(CONTRACT.validate(opPointer + "/requestBody/content/application~1json/schema", media.path("example")))
          .as("%s request example", op).isEmpty();
        checked++;
      }
      for (String status : names(o.path("responses"))) {
        String rp = refOrSelf(opPointer + "/responses/" + status);
        JsonNode r = DOC.at(rp);
        for (String type : names(r.path("content"))) {
          String mediaPointer = rp + "/content/" + escape(type);
          JsonNode example = DOC.at(mediaPointer + "/example");
          if (type.endsWith("json")) {
            assertThat(CONTRACT.validate(mediaPointer + "/schema", example)).as("%s %s example", op, status).isEmpty();
            checked++;
          }
        }
      }
      for (JsonNode p : DOC.at(opPointer).path("parameters")) {
        if (p.has("example")) {
          assertThat(p.path("example").isTextual()).as("%s parameter example is text", op).isTrue();
        }
      }
    }
    assertThat(checked).isGreaterThan(60);
  }

  @Test
  @Order(3)
  @DisplayName("the document and protocol.md agree: the §10 endpoints, the §10.13 endpoints and the §3.2 codes")
  void documentAndProtocolAgree() throws IOException {
    String protocol = Files.readString(RepoDocs.file("protocol.md"), StandardCharsets.UTF_8);
    Set<String> headings = new TreeSet<>();
    Matcher h = Pattern.compile("(?m)^### 10\\.\\d+ (GET|POST|PUT|DELETE) (/api/v1/[^\\s?]+)").matcher(protocol);
    while (h.find()) {
      headings.add(h.group(1) + " " + h.group(2));
    }
    Set<String> documented = CONTRACT.operations().stream().filter(o -> o.contains(" /api/v1/")).collect(Collectors.toCollection(TreeSet::new));
    assertThat(headings).hasSize(13);
    assertThat(documented).isEqualTo(headings);
    String others = section(protocol, "### 10.13");
    Set<String> otherEndpoints = new TreeSet<>();
    Matcher g = Pattern.compile("`GET (/[a-z/-]+)").matcher(others);
    while (g.find()) {
      otherEndpoints.add("GET " + g.group(1));
    }
    assertThat(otherEndpoints).contains("GET /health", "GET /ready", "GET /metrics", "GET /dev/sign", "GET /dev/chat-sign");
    Set<String> nonApi = CONTRACT.operations().stream().filter(o -> !o.contains(" /api/v1/")).collect(Collectors.toCollection(TreeSet::new));
    assertThat(nonApi).isEqualTo(otherEndpoints);

    // §3.2: the code names, the document's ErrorCode enum and the server's ErrorCode are the same set
    String codes = section(protocol, "### 3.2");
    Set<String> table = new TreeSet<>();
    Set<Integer> statuses = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| `([A-Z_]+)` \\| \\d+ \\| (\\d{3}) \\|").matcher(codes);
    while (row.find()) {
      table.add(row.group(1));
      statuses.add(Integer.parseInt(row.group(2)));
    }
    Set<String> enumInDoc = new TreeSet<>();
    DOC.at("/components/schemas/ErrorCode/enum").forEach(n -> enumInDoc.add(n.asText()));
    Set<String> server = Arrays.stream(ErrorCode.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
    assertThat(enumInDoc).isEqualTo(table).isEqualTo(server);
    for (ErrorCode c : ErrorCode.values()) {
      assertThat(codes).as("§3.2 lists %s with its status", c).contains("| `" + c.name() + "` | " + c.busCode() + " | " + c.httpStatus() + " |");
    }
    Set<Integer> problemStatuses = new TreeSet<>();
    DOC.at("/components/schemas/Problem/properties/status/enum").forEach(n -> problemStatuses.add(n.asInt()));
    statuses.add(415); // §10.2: a body of another content type
    assertThat(problemStatuses).isEqualTo(statuses);
  }

  @Test
  @Order(4)
  @DisplayName("every object the server sends is closed (additionalProperties: false) and lists its required fields")
  void responseObjectsAreClosed() {
    List<String> open = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    for (String op : CONTRACT.operations()) {
      String[] mp = op.split(" ", 2);
      String opPointer = "/paths/" + escape(mp[1]) + "/" + mp[0].toLowerCase();
      for (String status : names(DOC.at(opPointer).path("responses"))) {
        String rp = refOrSelf(opPointer + "/responses/" + status);
        for (String type : names(DOC.at(rp).path("content"))) {
          if (type.endsWith("json")) {
            walkClosed(rp + "/content/" + escape(type) + "/schema", open, seen);
          }
        }
      }
    }
    assertThat(seen).as("object schemas reached from responses").hasSizeGreaterThan(15);
    assertThat(open).as("response objects that are not closed or list no required fields").isEmpty();
  }

  // ---- (2) the checker rejects wrong answers --------------------------------------------------------------------

  @Test
  @Order(10)
  @DisplayName("negative: an extra field, a missing field, a wrong type, an undocumented status or content type are rejected")
  void wrongAnswersAreRejected() {
    HttpContract c = HttpContract.load(RepoDocs.file("openapi.yaml")); // its own list of violations
    JsonObject good = new JsonObject().put("receiveSign", "a".repeat(64)).put("timestamp", 1796476250332L).put("expiresAt", 1796476370332L);
    String body = new JsonObject().put("userId", "alice").put("receiveUserId", "bob").encode();
    Function<String, HttpContract.Exchange> ok = resp -> exchange("POST", "/api/v1/chat-sign", body, 200, "application/json", resp);
    assertThat(c.check(ok.apply(good.encode()))).as("the positive control").isEmpty();

    assertRejected(c, ok.apply(good.copy().put("debug", true).encode()), "debug");
    JsonObject missing = good.copy();
    missing.remove("expiresAt");
    assertRejected(c, ok.apply(missing.encode()), "expiresAt");
    assertRejected(c, ok.apply(good.copy().put("timestamp", "1796476250332").encode()), "timestamp");
    assertRejected(c, ok.apply(good.copy().put("receiveSign", "XYZ").encode()), "receiveSign");
    assertRejected(c, ok.apply("{\"receiveSign\":\"a\",\"receiveSign\":\"b\"}"), "not strict JSON");
    assertRejected(c, exchange("POST", "/api/v1/chat-sign", body, 418, "application/json", good.encode()), "status 418 is not documented");
    assertRejected(c, exchange("POST", "/api/v1/chat-sign", body, 404, "application/problem+json",
      problem(404, "NOT_FOUND").encode()), "status 404 is not documented");
    assertRejected(c, exchange("POST", "/api/v1/chat-sign", body, 200, "text/plain", good.encode()), "content type");
    // problems: the wrong media type, an unknown code, a code that does not go with the status, 503 without retryAfterMs
    assertRejected(c, exchange("POST", "/api/v1/chat-sign", body, 400, "application/json", problem(400, "INVALID_FIELD").encode()),
      "content type");
    assertRejected(c, exchange("POST", "/api/v1/chat-sign", body, 400, "application/problem+json",
      problem(400, "INVALID_FIELD").put("code", "BAD").encode()), "code");
    assertRejected(c, exchange("POST", "/api/v1/chat-sign", body, 401, "application/problem+json", problem(401, "INVALID_FIELD").encode()),
      "UNAUTHORIZED");
    assertRejected(c, exchange("POST", "/api/v1/chat-sign", body, 503, "application/problem+json", problem(503, "UNAVAILABLE").encode(),
      "Retry-After", "1"), "retryAfterMs");
    assertRejected(c, exchange("POST", "/api/v1/chat-sign", body, 503, "application/problem+json",
      problem(503, "UNAVAILABLE").put("retryAfterMs", 1000).encode()), "Retry-After");
    assertThat(c.check(exchange("POST", "/api/v1/chat-sign", body, 503, "application/problem+json",
      problem(503, "UNAVAILABLE").put("retryAfterMs", 1000).encode(), "Retry-After", "1"))).isEmpty();
    // a list item with an extra field, deep in a response
    JsonObject page = new JsonObject().put("roomInfoMsgs", new JsonArray().add(new JsonObject().put("roomId", "12").put("creator", "a")
      .put("members", new JsonArray().add("a").add("b")).put("queueId", "q").put("createdAt", 1).put("callState", "idle").putNull("info")
      .put("secret", "x"))).put("total", 1).put("pageIndex", 1).put("pageSize", 20).put("state", "open");
    assertRejected(c, exchange("GET", "/api/v1/rooms", null, 200, "application/json", page.encode()), "secret");
    // a decimal-string id sent as a number
    assertRejected(c, exchange("POST", "/api/v1/messages", new JsonObject().put("userId", "a").put("receiveUserId", "b")
      .put("message", "m").encode(), 200, "application/json", new JsonObject().put("messageId", 757014941491200L).put("sendTime", 1).encode()),
      "messageId");
    // a well-formed request the document refuses must not be accepted; an undocumented path or method is a violation
    assertRejected(c, exchange("POST", "/api/v1/chat-sign", "{\"userId\":\"alice\"}", 200, "application/json", good.encode()),
      "receiveUserId");
    assertRejected(c, exchange("GET", "/api/v1/presence", null, 200, "application/json", "{\"statuses\":{}}"), "userIds");
    assertRejected(c, exchange("GET", "/api/v1/nothing", null, 404, "text/html", "<html></html>"), "no path of the document");
    assertRejected(c, exchange("GET", "/api/v1/sign", null, 405, "text/html", ""), "method GET is not documented");
    // a hostile request (no signature) is not checked itself, only its answer
    HttpContract.Exchange unsigned = new HttpContract.Exchange("POST", "/api/v1/chat-sign", Map.of(), "{}", 401,
      Map.of("Content-Type", List.of("application/problem+json")), problem(401, "UNAUTHORIZED").encode());
    assertThat(c.check(unsigned)).isEmpty();
    // outside the API (the WebSocket path, the demo page) nothing is checked
    assertThat(c.check(new HttpContract.Exchange("GET", "/ws?appId=x", Map.of(), "", 400, Map.of(), "x"))).isEmpty();
    assertThat(c.uncovered()).contains("GET /ws?appId=x");
    assertThat(c.violations()).hasSize(19);
    assertThat(c.violations().get(0).toString()).contains("POST /api/v1/chat-sign → 200").contains("debug");
  }

  // ---- (3) real traffic -----------------------------------------------------------------------------------------

  @Test
  @Order(20)
  @DisplayName("signs: POST /api/v1/sign and /chat-sign answer 200 and their documented refusals")
  void signs() {
    int port = services().port();
    JsonObject sign = Http.api(port, "POST", "/api/v1/sign", new JsonObject().put("userId", "alice").put("deviceId", "web")
      .put("role", "Kefu").encode()).json();
    assertThat(sign.getString("role")).isEqualTo("agent");
    assertThat(Http.api(port, "POST", "/api/v1/sign", "{\"userId\":4711}").json().getString("loginId")).isEqualTo("default");
    assertProblem(Http.api(port, "POST", "/api/v1/sign", "{\"deviceId\":\"web\"}"), 400, "MISSING_FIELD");
    assertProblem(Http.api(port, "POST", "/api/v1/sign", "{\"userId\":\"alice\",\"role\":\"boss\"}"), 400, "INVALID_FIELD");
    JsonObject chat = Http.api(port, "POST", "/api/v1/chat-sign", "{\"userId\":\"alice\",\"receiveUserId\":\"bob\"}").json();
    assertThat(chat.getString("receiveSign")).isEqualTo(Signatures.chat(TestServer.SECRET, TestServer.APP_ID, "alice", "bob",
      chat.getLong("timestamp")));
    assertProblem(Http.api(port, "POST", "/api/v1/chat-sign", "{\"userId\":\"alice\",\"receiveUserId\":\"b b\"}"), 400, "INVALID_FIELD");
    // the mask app is another tenant with its own secret
    assertThat(signed(services(), MASK_APP, MASK_SECRET, "POST", "/api/v1/sign", "{\"userId\":\"carol\"}").json().getString("appId"))
      .isEqualTo(MASK_APP);
  }

  @Test
  @Order(21)
  @DisplayName("every /api/v1 operation: 401 (wrong secret, stale, replayed), 415, 413 and 400 INVALID_JSON from the chain")
  void chainRefusalsOnEveryOperation() {
    int port = services().port();
    List<String[]> ops = List.of(new String[] {"POST", "/api/v1/sign"}, new String[] {"POST", "/api/v1/chat-sign"},
      new String[] {"DELETE", "/api/v1/chat-permission"}, new String[] {"POST", "/api/v1/messages"},
      new String[] {"GET", "/api/v1/presence?userIds=a"}, new String[] {"POST", "/api/v1/kick"},
      new String[] {"GET", "/api/v1/queues/default"}, new String[] {"GET", "/api/v1/rooms"},
      new String[] {"PUT", "/api/v1/rooms/1/info"}, new String[] {"PUT", "/api/v1/sensitive-words"},
      new String[] {"GET", "/api/v1/ice-servers?userId=a"}, new String[] {"GET", "/api/v1/rooms/1/transcript"},
      new String[] {"GET", "/api/v1/events"});
    for (String[] op : ops) {
      String m = op[0];
      String p = op[1];
      boolean get = m.equals("GET");
      String body = get ? null : "{\"userId\":\"a\",\"receiveUserId\":\"b\",\"message\":\"m\",\"words\":[],\"info\":1}";
      assertProblem(Http.api(port, m, p, body, "wrong-secret-0123456789-0123456789-abcdef", System.currentTimeMillis(),
        UUID.randomUUID().toString()), 401, "UNAUTHORIZED");
      assertProblem(Http.api(port, m, p, body, TestServer.SECRET, System.currentTimeMillis() - 400_000, UUID.randomUUID().toString()),
        401, "UNAUTHORIZED");
      String nonce = UUID.randomUUID().toString();
      long now = System.currentTimeMillis();
      Http.Response first = Http.api(port, m, p, body, TestServer.SECRET, now, nonce);
      assertThat(first.status()).as("%s %s: %s", m, p, first.body()).isNotEqualTo(401);
      assertProblem(Http.api(port, m, p, body, TestServer.SECRET, now, nonce), 401, "UNAUTHORIZED");
      assertProblem(Http.api(port, m, p, "{\"userId\":\"a\"}", "text/plain"), 415, "INVALID_JSON");
      String big = "{\"userId\":\"a\",\"pad\":\"" + "x".repeat(p.endsWith("sensitive-words") ? (1 << 20) + 10 : 70_000) + "\"}";
      assertProblem(Http.api(port, m, p, big), 413, "TOO_LARGE");
      assertProblem(Http.api(port, m, p, "{\"userId\":\"a\",}"), 400, "INVALID_JSON");
    }
    // a Content-Length the HTTP decoder accepts but §10.2 does not (19 digits) is 400 INVALID_FIELD (raw: java.net.http
    // computes the length itself)
    Http.RawResponse raw = Http.raw(port, signedHead("POST", "/api/v1/sign", "Content-Length: 1000000000000000000"), new byte[0], -1,
      Duration.ofSeconds(10));
    assertThat(raw.status()).isEqualTo(400);
    assertThat(raw.json().getString("code")).isEqualTo("INVALID_FIELD");
  }

  @Test
  @Order(27)
  @DisplayName("known disagreement: a non-numeric Content-Length gets the HTTP decoder's bare 400, not the §10.2 problem")
  void nonNumericContentLength() {
    // protocol.md §10.2: a malformed Content-Length → 400 INVALID_FIELD, as a problem. The HTTP decoder refuses "12x"
    // before any route; the gateway's invalid-request handler answers it as a problem under /api/.
    Http.RawResponse r = Http.raw(services().port(), signedHead("POST", "/api/v1/sign", "Content-Length: 12x"), new byte[0], -1,
      Duration.ofSeconds(10));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("code")).isEqualTo("INVALID_FIELD");
  }

  @Test
  @Order(28)
  @DisplayName("known disagreement: a signed call to an unknown /api/v1 path or method gets the router's 404/405, not a problem")
  void unknownPathsAreProblems() {
    // protocol.md §10.2: every failure is a problem, also a signed call to a path or method the API does not have
    // (404 NOT_FOUND; the same in dev mode, where the demo's static files would otherwise take every GET).
    for (TestServer s : List.of(services(), dev)) {
      for (String[] r : List.of(new String[] {"GET", "/api/v1/nothing"}, new String[] {"GET", "/api/v1/sign"},
        new String[] {"DELETE", "/api/v1/rooms"})) {
        assertProblem(Http.api(s.port(), r[0], r[1], null), 404, "NOT_FOUND");
      }
    }
  }

  @Test
  @Order(29)
  @DisplayName("what protocol.md leaves open, as the server does it: normalized paths, any rooms state but closed is open, trailing commas")
  void serverChoices() {
    int port = services().port();
    assertThat(Http.api(port, "POST", "/api/v1/sign/", "{\"userId\":\"a\"}").json().getString("userId")).isEqualTo("a");
    assertThat(Http.api(port, "POST", "/api/v1//chat-sign", "{\"userId\":\"a\",\"receiveUserId\":\"b\"}").status()).isEqualTo(200);
    assertProblem(Http.api(port, "GET", "/api/v1/rooms?state=weird", null), 400, "INVALID_FIELD");
    assertThat(Http.api(port, "GET", "/api/v1/rooms?state=open", null).json().getString("state")).isEqualTo("open");
    assertProblem(Http.api(port, "GET", "/api/v1/presence?userIds=a,b,", null), 400, "INVALID_FIELD");
    assertProblem(Http.api(port, "GET", "/api/v1/presence?userIds=,a", null), 400, "INVALID_FIELD");
    assertProblem(Http.api(port, "GET", "/api/v1/presence?userIds=a,,b", null), 400, "INVALID_FIELD");
    assertThat(Http.api(port, "POST", "/api/v1/sign", "{\"userId\":1e2}").json().getString("userId")).as("an integral number is an id")
      .isEqualTo("100");
    assertProblem(Http.api(port, "POST", "/api/v1/sign", "{\"userId\":12.5}"), 400, "INVALID_FIELD");
  }

  private static String signedHead(String method, String path, String extraHeader) {
    String[] sig = Http.signatureHeaders(method, path, "", System.currentTimeMillis(), UUID.randomUUID().toString());
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      + extraHeader + "\r\nConnection: close\r\n");
    for (int i = 0; i < sig.length; i += 2) {
      head.append(sig[i]).append(": ").append(sig[i + 1]).append("\r\n");
    }
    return head.append("\r\n").toString();
  }

  @Test
  @Order(22)
  @DisplayName("chat: DELETE /chat-permission, POST /messages (200, repeat, masked, 400, 413, 422), GET /presence, POST /kick")
  void chat() {
    int port = services().port();
    assertThat(Http.api(port, "DELETE", "/api/v1/chat-permission", "{\"userId\":\"alice\",\"receiveUserId\":\"bob\"}").json()
      .getBoolean("revoked")).isTrue();
    assertProblem(Http.api(port, "DELETE", "/api/v1/chat-permission", "{\"userId\":\"alice\"}"), 400, "MISSING_FIELD");

    TestClient bob = services().connect("bob");
    String msg = new JsonObject().put("userId", "system").put("receiveUserId", "bob").put("message", "Your order shipped")
      .put("contentType", "text").put("unique", "ord-1").encode();
    JsonObject sent = Http.api(port, "POST", "/api/v1/messages", msg).json();
    assertThat(bob.awaitType(140).getString("messageId")).isEqualTo(sent.getString("messageId"));
    assertThat(Http.api(port, "POST", "/api/v1/messages", msg).json().getString("messageId")).as("the same unique")
      .isEqualTo(sent.getString("messageId"));
    assertProblem(Http.api(port, "POST", "/api/v1/messages", "{\"userId\":\"bob\",\"receiveUserId\":\"bob\",\"message\":\"me\"}"),
      400, "INVALID_FIELD");
    assertProblem(Http.api(port, "POST", "/api/v1/messages", "{\"userId\":\"a\",\"receiveUserId\":\"bob\",\"message\":\"\"}"),
      400, "INVALID_FIELD");
    assertProblem(Http.api(port, "POST", "/api/v1/messages", "{\"userId\":\"a\",\"receiveUserId\":\"bob\"}"), 400, "MISSING_FIELD");
    assertProblem(Http.api(port, "POST", "/api/v1/messages", new JsonObject().put("userId", "a").put("receiveUserId", "bob")
      .put("message", "x".repeat(MAX_MESSAGE_CHARS + 1)).encode()), 413, "TOO_LARGE");

    JsonObject words = Http.api(port, "PUT", "/api/v1/sensitive-words", new JsonObject().put("words", new JsonArray().add(BANNED)).encode()).json();
    assertThat(words.getInteger("count")).isEqualTo(1);
    assertProblem(Http.api(port, "PUT", "/api/v1/sensitive-words", "{\"words\":[\"  \"]}"), 400, "INVALID_FIELD");
    assertProblem(Http.api(port, "PUT", "/api/v1/sensitive-words", "{}"), 400, "MISSING_FIELD");
    assertProblem(Http.api(port, "POST", "/api/v1/messages", new JsonObject().put("userId", "a").put("receiveUserId", "bob")
      .put("message", "a " + BANNED + " b").encode()), 422, "SENSITIVE_WORD");
    assertThat(signed(services(), MASK_APP, MASK_SECRET, "PUT", "/api/v1/sensitive-words", new JsonObject()
      .put("words", new JsonArray().add(BANNED)).encode()).json().getString("appId")).isEqualTo(MASK_APP);
    JsonObject masked = signed(services(), MASK_APP, MASK_SECRET, "POST", "/api/v1/messages", new JsonObject().put("userId", "a")
      .put("receiveUserId", "bob").put("message", "a " + BANNED + " b").encode()).json();
    assertThat(masked.getString("message")).as("the masked text is answered").doesNotContain(BANNED);

    JsonObject statuses = Http.api(port, "GET", "/api/v1/presence?userIds=bob,zed", null).json().getJsonObject("statuses");
    assertThat(statuses.getBoolean("bob")).isTrue();
    assertThat(statuses.getBoolean("zed")).isFalse();
    assertProblem(Http.api(port, "GET", "/api/v1/presence", null), 400, "MISSING_FIELD");
    assertProblem(Http.api(port, "GET", "/api/v1/presence?userIds=a,b%20c", null), 400, "INVALID_FIELD");

    // the events recorded meanwhile (§10.16): replayed in id order, by pages
    JsonObject page = Http.api(port, "GET", "/api/v1/events?limit=1&types=message.created", null).json();
    assertThat(page.getJsonArray("events")).hasSize(1);
    assertThat(page.getBoolean("hasMore")).isTrue();
    JsonObject rest = Http.api(port, "GET", "/api/v1/events?after=" + page.getString("next"), null).json();
    assertThat(rest.getJsonArray("events")).isNotEmpty();
    assertProblem(Http.api(port, "GET", "/api/v1/events?after=x", null), 400, "INVALID_FIELD");
    assertProblem(Http.api(port, "GET", "/api/v1/events?types=message.sent", null), 400, "INVALID_FIELD");

    assertThat(Http.api(port, "POST", "/api/v1/kick", "{\"userId\":\"bob\"}").json().getInteger("kicked")).isEqualTo(1);
    assertThat(bob.awaitClose(Duration.ofSeconds(10))).isEqualTo((short) 4001);
    assertThat(Http.api(port, "POST", "/api/v1/kick", "{\"userId\":\"nobody\",\"deviceId\":\"web\"}").json().getInteger("kicked")).isZero();
    assertProblem(Http.api(port, "POST", "/api/v1/kick", "{\"deviceId\":\"web\"}"), 400, "MISSING_FIELD");
  }

  @Test
  @Order(23)
  @DisplayName("customer service: GET /queues/{id} (200, 404, 400), GET /rooms open and closed (200, 400), PUT /rooms/{id}/info (200, 404, 400)")
  void customerService() {
    int port = services().port();
    TestClient agent = services().connect("agent7", "desk", "agent");
    TestClient carol = services().connect("carol");
    TestClient dave = services().connect("dave");
    String roomId = Cs.openRoom(agent, carol);
    Cs.ok(dave, Cs.frame(400));
    dave.awaitType(410);

    // "served" counts the service records, written after the take answered: wait for it
    JsonObject queue = Http.api(port, "GET", "/api/v1/queues/default", null).json();
    for (long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
         queue.getLong("served") < 1 && System.nanoTime() < deadline; ) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      queue = Http.api(port, "GET", "/api/v1/queues/default", null).json();
    }
    assertThat(queue.getInteger("waitTotal")).isEqualTo(1);
    assertThat(queue.getJsonArray("userIdList")).containsExactly("dave");
    assertThat(queue.getLong("served")).isEqualTo(1);
    assertProblem(Http.api(port, "GET", "/api/v1/queues/unknown", null), 404, "NOT_FOUND");
    assertProblem(Http.api(port, "GET", "/api/v1/queues/a%20b", null), 400, "INVALID_FIELD");
    // a dynamic queue of the other app answers zeros
    assertThat(signed(services(), MASK_APP, MASK_SECRET, "GET", "/api/v1/queues/fresh", null).json().getInteger("served")).isZero();

    JsonObject open = Http.api(port, "GET", "/api/v1/rooms", null).json();
    assertThat(open.getJsonArray("roomInfoMsgs")).hasSize(1);
    assertThat(open.getString("state")).isEqualTo("open");
    assertProblem(Http.api(port, "GET", "/api/v1/rooms?pageSize=500", null), 400, "INVALID_FIELD");
    assertProblem(Http.api(port, "GET", "/api/v1/rooms?pageIndex=x", null), 400, "INVALID_FIELD");

    JsonObject info = Http.api(port, "PUT", "/api/v1/rooms/" + roomId + "/info", "{\"info\":{\"orderId\":\"A-1001\"}}").json();
    assertThat(info.getJsonObject("info").getString("orderId")).isEqualTo("A-1001");
    assertThat(info.getString("callState")).isEqualTo("idle");
    assertThat(Http.api(port, "PUT", "/api/v1/rooms/" + roomId + "/info", "[1]").status()).as("not an object").isEqualTo(400);
    assertThat(Http.api(port, "PUT", "/api/v1/rooms/" + roomId + "/info", "{\"note\":\"no info key\"}").json()
      .getJsonObject("info").getString("note")).isEqualTo("no info key");
    assertThat(Http.api(port, "PUT", "/api/v1/rooms/" + roomId + "/info", null).json().getJsonObject("info")).as("no body: {}").isEmpty();
    assertProblem(Http.api(port, "PUT", "/api/v1/rooms/424242/info", "{\"info\":1}"), 404, "NOT_FOUND");
    assertProblem(Http.api(port, "PUT", "/api/v1/rooms/a%20b/info", "{\"info\":1}"), 400, "INVALID_FIELD");

    // a ringing call: 551's caller and callId
    JsonObject call = Cs.ok(agent, Cs.frame(300).put("message", new JsonObject().put("type", "offer").put("sdp", "v=0")));
    carol.awaitType(301);
    JsonObject ringing = Http.api(port, "PUT", "/api/v1/rooms/" + roomId + "/info", "{\"info\":{\"note\":\"no info key\"}}").json();
    assertThat(ringing.getString("callState")).isEqualTo("ringing");
    assertThat(ringing.getString("caller")).isEqualTo("agent7");
    assertThat(ringing.getString("callId")).isEqualTo(call.getString("callId"));
    assertThat(Http.api(port, "GET", "/api/v1/rooms?pageSize=1", null).json().getJsonArray("roomInfoMsgs").getJsonObject(0)
      .getString("callState")).isEqualTo("ringing");

    // the transcript (§10.15): the room's messages while it is open
    Cs.ok(carol, Cs.frame(130).put("receiveUserId", "agent7").put("message", "where is my order?"));
    JsonObject transcript = Http.api(port, "GET", "/api/v1/rooms/" + roomId + "/transcript", null).json();
    assertThat(transcript.getString("customer")).isEqualTo("carol");
    assertThat(transcript.getJsonArray("agents")).containsExactly("agent7");
    assertThat(transcript.getValue("closedAt")).isNull();
    assertThat(transcript.getJsonArray("messages").getJsonObject(0).getString("message")).isEqualTo("where is my order?");
    assertProblem(Http.api(port, "GET", "/api/v1/rooms/424242/transcript", null), 404, "NOT_FOUND");
    assertProblem(Http.api(port, "GET", "/api/v1/rooms/a%20b/transcript", null), 400, "INVALID_FIELD");

    Cs.ok(carol, Cs.frame(420));
    carol.awaitType(560);
    JsonObject closed = awaitClosedRoom(port, roomId);
    JsonObject record = closed.getJsonArray("rooms").getJsonObject(0);
    assertThat(record.getString("reason")).isEqualTo("left");
    assertThat(record.getJsonObject("info").getString("note")).isEqualTo("no info key");
    assertThat(Http.api(port, "GET", "/api/v1/rooms?state=open&pageIndex=2&pageSize=1", null).json().getJsonArray("roomInfoMsgs")).isEmpty();
    assertProblem(Http.api(port, "PUT", "/api/v1/rooms/" + roomId + "/info", "{\"info\":2}"), 404, "NOT_FOUND");
    assertThat(Http.api(port, "GET", "/api/v1/rooms/" + roomId + "/transcript", null).json().getLong("closedAt"))
      .as("a closed room's transcript").isEqualTo(record.getLong("closedAt"));
  }

  @Test
  @Order(23)
  @DisplayName("ice servers: GET /ice-servers (200 with TURN and STUN, 200 empty without, 400 missing and malformed userId)")
  void iceServers() {
    String secret = "contract-turn-secret-0123456789-abcdefghij";
    TestServer turn = TestServer.builder().durable(false).server(new JsonObject().put("turn", new JsonObject()
      .put("urls", new JsonArray().add("turn:127.0.0.1:3478?transport=udp")).put("stunUrls", new JsonArray().add("stun:127.0.0.1:3478"))
      .put("secret", secret).put("ttlSeconds", 600))).start();
    try {
      JsonObject r = Http.api(turn.port(), "GET", "/api/v1/ice-servers?userId=carol", null).json();
      assertThat(r.getInteger("ttlSeconds")).isEqualTo(600);
      JsonArray ice = r.getJsonArray("iceServers");
      assertThat(ice.getJsonObject(0).getJsonArray("urls")).containsExactly("stun:127.0.0.1:3478");
      JsonObject t = ice.getJsonObject(1);
      String username = t.getString("username");
      assertThat(username).endsWith(":carol");
      assertThat(Long.parseLong(username.substring(0, username.indexOf(':')))).isBetween(
        System.currentTimeMillis() / 1000 + 600 - 30, System.currentTimeMillis() / 1000 + 601);
      assertThat(t.getString("credential")).isEqualTo(com.seedim.im.common.turn.IceServers.sign(secret, username));
      assertProblem(Http.api(turn.port(), "GET", "/api/v1/ice-servers", null), 400, "MISSING_FIELD");
      assertProblem(Http.api(turn.port(), "GET", "/api/v1/ice-servers?userId=a%20b", null), 400, "INVALID_FIELD");
    } finally {
      turn.close();
    }
    JsonObject none = Http.api(bare.port(), "GET", "/api/v1/ice-servers?userId=carol", null).json();
    assertThat(none.getJsonArray("iceServers")).isEmpty();
    assertThat(none.getInteger("ttlSeconds")).isEqualTo(86_400);
  }

  @Test
  @Order(24)
  @DisplayName("without the services every service endpoint is 503 UNAVAILABLE with retryAfterMs and Retry-After")
  void servicesDownAre503() {
    int port = bare.port();
    String pair = "{\"userId\":\"a\",\"receiveUserId\":\"b\"}";
    assertProblem(Http.api(port, "DELETE", "/api/v1/chat-permission", pair), 503, "UNAVAILABLE");
    assertProblem(Http.api(port, "POST", "/api/v1/messages", "{\"userId\":\"a\",\"receiveUserId\":\"b\",\"message\":\"m\"}"), 503, "UNAVAILABLE");
    assertProblem(Http.api(port, "GET", "/api/v1/presence?userIds=a", null), 503, "UNAVAILABLE");
    assertProblem(Http.api(port, "GET", "/api/v1/queues/default", null), 503, "UNAVAILABLE");
    assertProblem(Http.api(port, "GET", "/api/v1/rooms?state=closed", null), 503, "UNAVAILABLE");
    assertProblem(Http.api(port, "PUT", "/api/v1/rooms/1/info", "{\"info\":null}"), 503, "UNAVAILABLE");
    assertProblem(Http.api(port, "GET", "/api/v1/rooms/1/transcript", null), 503, "UNAVAILABLE");
    assertProblem(Http.api(port, "GET", "/api/v1/events", null), 503, "UNAVAILABLE");
    Http.Response words = Http.api(port, "PUT", "/api/v1/sensitive-words", "{\"words\":[\"x\"]}");
    assertProblem(words, 503, "UNAVAILABLE");
    assertThat(words.json().getLong("retryAfterMs")).isEqualTo(1000);
    assertThat(words.header("Retry-After")).isEqualTo("1");
  }

  @Test
  @Order(25)
  @DisplayName("operations and dev: /health on both ports, /ready, /metrics; /dev/sign and /dev/chat-sign (200, 400, 403, 404)")
  void operationsAndDev() {
    for (int port : new int[] {services().port(), services().managementPort()}) {
      assertThat(Http.get(port, "/health").json().getString("status")).isEqualTo("UP");
    }
    assertThat(Http.get(services().managementPort(), "/ready").json().getString("status")).isEqualTo("READY");
    assertThat(Http.get(services().managementPort(), "/metrics").body()).contains("im_gateway_connections");
    assertThat(Http.get(dev.port(), "/dev/sign?userId=alice&deviceId=web&role=admin").json().getString("role")).isEqualTo("admin");
    assertThat(Http.get(dev.port(), "/dev/chat-sign?userId=alice&receiveUserId=bob").json().getString("receiveSign")).hasSize(64);
    assertProblem(Http.get(dev.port(), "/dev/sign?deviceId=web"), 400, "MISSING_FIELD");
    assertProblem(Http.get(dev.port(), "/dev/chat-sign?userId=alice"), 400, "MISSING_FIELD");
    for (String path : List.of("/dev/sign?userId=alice", "/dev/chat-sign?userId=alice&receiveUserId=bob")) {
      assertProblem(Http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dev.port() + path)).header("X-Real-IP", "1.2.3.4")
        .GET().build()), 403, "FORBIDDEN");
      assertThat(Http.get(services().port(), path).status()).as("not mounted in production").isEqualTo(404);
    }
  }

  @Test
  @Order(26)
  @DisplayName("GET /ready is 503 NOT_READY while the gateway stops")
  void notReady() {
    TestServer s = TestServer.builder().durable(false).start();
    try {
      s.vertx().undeploy(s.gateway().deploymentID()).await();
      Http.Response r = Http.get(s.managementPort(), "/ready");
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.json().getString("status")).isEqualTo("NOT_READY");
    } finally {
      s.close();
    }
  }

  @Test
  @Order(90)
  @DisplayName("every documented operation and response met real traffic (except the listed ones) without a violation")
  void everyResponseMetTraffic() {
    services();
    Set<String> missing = new TreeSet<>(CONTRACT.responses());
    missing.removeAll(CONTRACT.exercised());
    missing.removeIf(r -> r.endsWith(" 500") && r.contains("/api/v1/"));
    missing.removeAll(UNPROVOKED);
    assertThat(missing).as("documented responses no exchange met").isEmpty();
    assertThat(CONTRACT.violations()).as("contract violations").isEmpty();
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private static void assertProblem(Http.Response r, int status, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().getString("code")).isEqualTo(code);
  }

  private static void assertRejected(HttpContract c, HttpContract.Exchange x, String expected) {
    Optional<HttpContract.Violation> v = c.check(x);
    assertThat(v).as("%s → %d %s", x.requestLine(), x.status(), x.responseBody()).isPresent();
    assertThat(String.join("\n", v.get().messages())).contains(expected);
  }

  private static JsonObject problem(int status, String code) {
    return new JsonObject().put("type", "about:blank").put("title", code).put("status", status).put("detail", "d").put("code", code);
  }

  /** A signed exchange as a client saw it (fresh signature headers; the checker does not recompute the HMAC). */
  private static HttpContract.Exchange exchange(String method, String target, String body, int status, String type, String responseBody,
                                                String... responseHeaders) {
    String[] sig = Http.signatureHeaders(method, target, body, System.currentTimeMillis(), UUID.randomUUID().toString());
    Map<String, List<String>> req = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 0; i < sig.length; i += 2) {
      req.put(sig[i], List.of(sig[i + 1]));
    }
    if (body != null) {
      req.put("Content-Type", List.of("application/json"));
    }
    Map<String, List<String>> resp = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    resp.put("Content-Type", List.of(type));
    for (int i = 0; i < responseHeaders.length; i += 2) {
      resp.put(responseHeaders[i], List.of(responseHeaders[i + 1]));
    }
    return new HttpContract.Exchange(method, target, req, body, status, resp, responseBody);
  }

  /** A call signed for another app of the server (through {@link Http#send}, so it is checked too). */
  private static Http.Response signed(TestServer s, String appId, String secret, String method, String path, String body) {
    String ts = Long.toString(System.currentTimeMillis());
    String nonce = UUID.randomUUID().toString();
    String b = body == null ? "" : body;
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).timeout(Http.REQUEST_TIMEOUT)
      .header("X-App-Id", appId).header("X-Timestamp", ts).header("X-Nonce", nonce)
      .header("X-Signature", Signatures.api(secret, method, appId, path, ts, nonce, b))
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(b));
    if (body != null) {
      r.header("Content-Type", "application/json");
    }
    return Http.send(r.build());
  }

  /** The closed-room record is written after the teardown's pushes: poll briefly. */
  private static JsonObject awaitClosedRoom(int port, String roomId) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      JsonObject page = Http.api(port, "GET", "/api/v1/rooms?state=closed&pageSize=5", null).json();
      if (!page.getJsonArray("rooms").isEmpty() && roomId.equals(page.getJsonArray("rooms").getJsonObject(0).getString("roomId"))) {
        return page;
      }
      assertThat(System.currentTimeMillis()).as("closed room %s listed", roomId).isLessThan(deadline);
      Cs.sleep(100);
    }
  }

  private static String section(String md, String heading) {
    int start = md.indexOf(heading);
    assertThat(start).as(heading).isNotNegative();
    int end = md.indexOf("\n##", start + heading.length());
    return md.substring(start, end < 0 ? md.length() : end);
  }

  private static void collectRefs(JsonNode n, List<String> out) {
    if (n.isObject()) {
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        if (e.getKey().equals("$ref")) {
          out.add(e.getValue().asText());
        } else {
          collectRefs(e.getValue(), out);
        }
      }
    } else if (n.isArray()) {
      n.forEach(c -> collectRefs(c, out));
    }
  }

  private static JsonNode resolve(JsonNode n) {
    return n.has("$ref") ? DOC.at(n.get("$ref").asText().substring(1)) : n;
  }

  private static String refOrSelf(String pointer) {
    JsonNode n = DOC.at(pointer);
    return n.has("$ref") ? n.get("$ref").asText().substring(1) : pointer;
  }

  /** Every object schema reachable from {@code pointer} must be closed and name its required fields. */
  private static void walkClosed(String pointer, List<String> open, Set<String> seen) {
    String p = refOrSelf(pointer);
    if (!p.equals(pointer) && !seen.add(p)) {
      return;
    }
    JsonNode s = DOC.at(p);
    if ("object".equals(s.path("type").asText())) {
      seen.add(p);
      JsonNode ap = s.path("additionalProperties");
      boolean map = ap.isObject(); // a map such as presence statuses: its values are checked instead
      if (!map && !(ap.isBoolean() && !ap.asBoolean())) {
        open.add(p + ": additionalProperties is not false");
      }
      if (!map && s.path("required").isEmpty()) {
        open.add(p + ": no required fields");
      }
      if (map) {
        walkClosed(p + "/additionalProperties", open, seen);
      }
    }
    for (String name : names(s.path("properties"))) {
      walkClosed(p + "/properties/" + escape(name), open, seen);
    }
    if (s.has("items")) {
      walkClosed(p + "/items", open, seen);
    }
    for (String k : List.of("allOf", "oneOf", "anyOf")) {
      for (int i = 0; i < s.path(k).size(); i++) {
        walkClosed(p + "/" + k + "/" + i, open, seen);
      }
    }
  }

  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  /** The notes of the contract (requests the document allows that the server refused) for the report. */
  private static void writeNotes() {
    try {
      Path out = Path.of("target", "openapi-contract-notes.txt");
      Files.createDirectories(out.getParent());
      List<String> lines = new ArrayList<>();
      lines.add("# requests docs/openapi.yaml allows that the server refused with 400");
      lines.addAll(CONTRACT.notes());
      lines.add("# request lines outside the document (not checked)");
      lines.addAll(new TreeSet<>(CONTRACT.uncovered()));
      lines.add("# documented responses met");
      lines.addAll(new TreeSet<>(CONTRACT.exercised()));
      Files.write(out, lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> names(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
