package com.seedim.im.testkit.contract;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP API contract of docs/openapi.yaml, checked on real exchanges (docs/protocol.md §10).
 *
 * <p>For every exchange: the operation is found by matching the document's path templates; the response must be a
 * status documented for that operation, with a documented content type, a body valid against its schema (OpenAPI
 * 3.1 dialect, so draft 2020-12 with the OAS keywords) and its required headers. For a request the caller means to
 * be valid (a <em>well-formed</em> call: for {@code /api/v1} the four signature headers present and well formed, a
 * fresh timestamp and a JSON content type on a body; unsigned operations always), the request is checked too: the
 * path and method exist, the required query, path and header parameters are there and valid, and the body is valid
 * against the requestBody schema. A request the document refuses must not be answered 2xx; a request the document
 * allows but the server refuses with a 400 is recorded as a {@linkplain #notes() note} (some rules, such as "not
 * yourself", are beyond a schema). A malformed (hostile) request to an undocumented {@code /api/} path must still be
 * answered with a valid problem body; paths outside the API (the WebSocket paths, the demo page) are not covered.
 *
 * <p>Violations are collected (thread-safe) and returned by {@link #check}; the caller decides to fail.
 */
public final class HttpContract {
  /** Where the document is registered with the schema registry (a name only: nothing is fetched). */
  static final String DOC_URI = "https://seedim.invalid/docs/openapi.json";
  private static final long CLOCK_SKEW_MS = 300_000;
  private static final int BODY_CUT = 500;
  private static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
  private static final JsonMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static volatile HttpContract shared;

  private final JsonNode doc;
  private final SchemaRegistry registry;
  private final List<Template> templates = new ArrayList<>();
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
  private final List<Violation> violations = new CopyOnWriteArrayList<>();
  private final List<String> notes = new CopyOnWriteArrayList<>();
  private final Set<String> uncovered = ConcurrentHashMap.newKeySet();
  private final Set<String> exercised = ConcurrentHashMap.newKeySet();

  /** One exchange as seen by a client. Header maps are case-insensitive for lookups made here. */
  public record Exchange(String method, String target, Map<String, List<String>> requestHeaders, String requestBody,
                         int status, Map<String, List<String>> responseHeaders, String responseBody) {
    /** {@code METHOD target}. */
    public String requestLine() {
      return method + " " + target;
    }
  }

  /** A contract violation: the request line, the status, the body (cut) and the validator's messages. */
  public record Violation(String request, int status, String body, List<String> messages) {
    @Override
    public String toString() {
      return request + " → " + status + " " + body + "\n  - " + String.join("\n  - ", messages);
    }
  }

  /** A path template of the document, e.g. {@code /api/v1/rooms/{roomId}/info}, as a pattern. */
  private record Template(String path, Pattern pattern, List<String> names) {
  }

  private HttpContract(String yaml) {
    String json;
    try {
      this.doc = new YAMLMapper().readTree(yaml);
      json = JSON.writeValueAsString(doc);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    this.registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), b -> b.schemas(Map.of(DOC_URI, json)));
    JsonNode paths = doc.path("paths");
    for (String p : names(paths)) {
      List<String> names = new ArrayList<>();
      StringBuilder re = new StringBuilder("^");
      Matcher m = Pattern.compile("\\{([^}/]+)}").matcher(p);
      int last = 0;
      while (m.find()) {
        re.append(Pattern.quote(p.substring(last, m.start()))).append("([^/]+)");
        names.add(m.group(1));
        last = m.end();
      }
      re.append(Pattern.quote(p.substring(last))).append('$');
      templates.add(new Template(p, Pattern.compile(re.toString()), names));
    }
    // literal paths first, so that a template never shadows a fixed path
    templates.sort((a, b) -> Integer.compare(a.names().size(), b.names().size()));
  }

  /** Loads a document. */
  public static HttpContract load(Path file) {
    try {
      return new HttpContract(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A contract from YAML text (the negative tests change a copy of the document). */
  public static HttpContract parse(String yaml) {
    return new HttpContract(yaml);
  }

  /** The repository's docs/openapi.yaml, loaded once per JVM. */
  public static HttpContract shared() {
    HttpContract c = shared;
    if (c == null) {
      synchronized (HttpContract.class) {
        c = shared;
        if (c == null) {
          c = load(RepoDocs.file("openapi.yaml"));
          shared = c;
        }
      }
    }
    return c;
  }

  /** The parsed document. */
  public JsonNode document() {
    return doc;
  }

  /** Every violation found so far. */
  public List<Violation> violations() {
    return List.copyOf(violations);
  }

  /** Requests the document allows that the server refused with a 400 (not violations; see the class comment). */
  public List<String> notes() {
    return List.copyOf(notes);
  }

  /** Request lines outside the documented paths (not checked). */
  public Set<String> uncovered() {
    return Set.copyOf(uncovered);
  }

  /** {@code "METHOD /template STATUS"} of every exchange that met a documented response. */
  public Set<String> exercised() {
    return Set.copyOf(exercised);
  }

  /** {@code "METHOD /template"} of every documented operation. */
  public List<String> operations() {
    List<String> out = new ArrayList<>();
    for (String p : names(doc.path("paths"))) {
      for (String m : names(doc.path("paths").path(p))) {
        if (METHODS.contains(m)) {
          out.add(m.toUpperCase(Locale.ROOT) + " " + p);
        }
      }
    }
    return out;
  }

  /** {@code "METHOD /template STATUS"} of every documented response. */
  public List<String> responses() {
    List<String> out = new ArrayList<>();
    for (String op : operations()) {
      String[] mp = op.split(" ", 2);
      JsonNode responses = doc.path("paths").path(mp[1]).path(mp[0].toLowerCase(Locale.ROOT)).path("responses");
      for (String status : names(responses)) {
        out.add(op + " " + status);
      }
    }
    return out;
  }

  /** The validator's messages for {@code node} against the schema at a JSON pointer of the document ($refs followed). */
  public List<String> validate(String pointer, JsonNode node) {
    List<String> out = new ArrayList<>();
    validate(pointer, node, "value", out);
    return out;
  }

  // ---- checking ----------------------------------------------------------------------------------------------------

  /** Checks one exchange made with java.net.http; returns (and records) the violation, if any. */
  public Optional<Violation> check(HttpRequest req, HttpResponse<String> resp) {
    String target = req.uri().getRawPath() + (req.uri().getRawQuery() == null ? "" : "?" + req.uri().getRawQuery());
    return check(new Exchange(req.method(), target, headers(req.headers()), bodyOf(req), resp.statusCode(),
      headers(resp.headers()), resp.body()));
  }

  /** Checks one exchange; returns (and records) the violation, if any. */
  public Optional<Violation> check(Exchange x) {
    List<String> problems = new ArrayList<>();
    Map<String, List<String>> reqHeaders = caseInsensitive(x.requestHeaders());
    Map<String, List<String>> respHeaders = caseInsensitive(x.responseHeaders());
    String rawPath = x.target().contains("?") ? x.target().substring(0, x.target().indexOf('?')) : x.target();
    String rawQuery = x.target().contains("?") ? x.target().substring(x.target().indexOf('?') + 1) : null;
    Template t = null;
    Matcher m = null;
    String routed = routedPath(rawPath);
    for (Template c : templates) {
      Matcher cm = c.pattern().matcher(routed);
      if (cm.matches()) {
        t = c;
        m = cm;
        break;
      }
    }
    String method = x.method().toLowerCase(Locale.ROOT);
    JsonNode pathItem = t == null ? null : doc.path("paths").path(t.path());
    JsonNode op = pathItem == null || !pathItem.has(method) ? null : pathItem.get(method);
    boolean api = routed.startsWith("/api/");
    if (op == null) {
      if (!api && t == null) {
        uncovered.add(x.requestLine());
        return Optional.empty();
      }
      boolean wellFormed = api && signedWellFormed(reqHeaders, x.requestBody());
      if (!api) {
        problems.add("method " + x.method() + " is not documented for " + t.path());
      } else if (wellFormed && (x.status() != 404 || !x.responseBody().contains("\"code\":\"NOT_FOUND\""))) {
        // the document's rule for a signed call to a path or method it does not list: 404 NOT_FOUND
        problems.add((t == null ? "no path of the document matches " + rawPath
          : "method " + x.method() + " is not documented for " + t.path()) + ", and the answer is not 404 NOT_FOUND");
      }
      // whatever the request, an answer under /api/ is a problem body
      if (api && !isProblem(x, respHeaders)) {
        problems.add("the answer to an undocumented request under /api/ is not a valid application/problem+json body");
      }
      return record(x, problems);
    }
    String opPointer = "/paths/" + escape(t.path()) + "/" + method;
    boolean secured = !(op.has("security") && op.get("security").isArray() && op.get("security").isEmpty());
    boolean wellFormed = !secured || signedWellFormed(reqHeaders, x.requestBody());

    checkResponse(x, op, opPointer, respHeaders, t, problems);

    if (wellFormed) {
      List<String> req = new ArrayList<>();
      checkRequest(x, pathItem, op, opPointer, t, m, rawQuery, reqHeaders, req);
      boolean accepted = x.status() >= 200 && x.status() < 300;
      if (accepted) {
        for (String r : req) {
          problems.add("accepted although the document refuses the request: " + r);
        }
      } else if (req.isEmpty() && x.status() == 400) {
        notes.add(x.requestLine() + " " + cut(x.requestBody()) + " → 400 " + cut(x.responseBody())
          + " (the document allows this request)");
      }
    }
    return record(x, problems);
  }

  private Optional<Violation> record(Exchange x, List<String> problems) {
    if (problems.isEmpty()) {
      return Optional.empty();
    }
    Violation v = new Violation(x.requestLine(), x.status(), cut(x.responseBody()), List.copyOf(problems));
    violations.add(v);
    return Optional.of(v);
  }

  private void checkResponse(Exchange x, JsonNode op, String opPointer, Map<String, List<String>> respHeaders, Template t,
                             List<String> problems) {
    String status = Integer.toString(x.status());
    JsonNode responses = op.path("responses");
    String pointer;
    if (responses.has(status)) {
      pointer = opPointer + "/responses/" + status;
    } else if (responses.has(status.charAt(0) + "XX")) {
      pointer = opPointer + "/responses/" + status.charAt(0) + "XX";
    } else if (responses.has("default")) {
      pointer = opPointer + "/responses/default";
    } else {
      problems.add("status " + status + " is not documented for " + x.method() + " " + t.path() + " (documented: "
        + String.join(", ", names(responses)) + ")");
      return;
    }
    exercised.add(x.method().toUpperCase(Locale.ROOT) + " " + t.path() + " " + pointer.substring(pointer.lastIndexOf('/') + 1));
    pointer = deref(pointer);
    JsonNode response = doc.at(pointer);
    JsonNode headers = response.path("headers");
    for (String name : names(headers)) {
      String hp = deref(pointer + "/headers/" + escape(name));
      JsonNode h = doc.at(hp);
      String value = first(respHeaders, name);
      if (value == null) {
        if (h.path("required").asBoolean(false)) {
          problems.add("response header " + name + " is missing");
        }
      } else if (h.has("schema")) {
        validate(hp + "/schema", TextNode.valueOf(value), "response header " + name, problems);
      }
    }
    JsonNode content = response.path("content");
    String body = x.responseBody() == null ? "" : x.responseBody();
    if (content.isMissingNode() || content.isEmpty()) {
      if (!body.isEmpty()) {
        problems.add("a body is not documented for this response");
      }
      return;
    }
    String type = mediaType(first(respHeaders, "content-type"));
    if (type == null || !content.has(type)) {
      problems.add("content type " + first(respHeaders, "content-type") + " is not documented (documented: "
        + String.join(", ", names(content)) + ")");
      return;
    }
    String schemaPointer = pointer + "/content/" + escape(type) + "/schema";
    if (isJson(type)) {
      JsonNode node;
      try {
        node = JSON.readTree(body);
      } catch (java.io.IOException | RuntimeException e) {
        problems.add("the " + type + " body is not strict JSON: " + e.getMessage().lines().findFirst().orElse(""));
        return;
      }
      validate(schemaPointer, node, "response body", problems);
    } else if (!doc.at(schemaPointer).isMissingNode()) {
      validate(schemaPointer, TextNode.valueOf(body), "response body", problems);
    }
  }

  private void checkRequest(Exchange x, JsonNode pathItem, JsonNode op, String opPointer, Template t, Matcher m,
                            String rawQuery, Map<String, List<String>> reqHeaders, List<String> problems) {
    Map<String, String> query = query(rawQuery);
    Map<String, String> pathParams = new LinkedHashMap<>();
    for (int i = 0; i < t.names().size(); i++) {
      pathParams.put(t.names().get(i), URLDecoder.decode(m.group(i + 1).replace("+", "%2B"), StandardCharsets.UTF_8));
    }
    List<String> pointers = new ArrayList<>();
    String itemPointer = "/paths/" + escape(t.path());
    for (int i = 0; i < pathItem.path("parameters").size(); i++) {
      pointers.add(deref(itemPointer + "/parameters/" + i));
    }
    for (int i = 0; i < op.path("parameters").size(); i++) {
      pointers.add(deref(opPointer + "/parameters/" + i));
    }
    for (String pp : pointers) {
      JsonNode p = doc.at(pp);
      String name = p.path("name").asText();
      String in = p.path("in").asText();
      String value = switch (in) {
        case "query" -> query.get(name);
        case "header" -> first(reqHeaders, name);
        case "path" -> pathParams.get(name);
        default -> null;
      };
      if (value == null) {
        if (p.path("required").asBoolean(false)) {
          problems.add("required " + in + " parameter " + name + " is missing");
        }
        continue;
      }
      if (p.has("schema")) {
        validate(pp + "/schema", TextNode.valueOf(value), in + " parameter " + name, problems);
      }
    }
    String body = x.requestBody() == null ? "" : x.requestBody();
    String rbPointer = op.has("requestBody") ? deref(opPointer + "/requestBody") : null;
    if (rbPointer == null) {
      if (!body.isEmpty()) {
        problems.add("a request body is not documented for this operation");
      }
      return;
    }
    JsonNode rb = doc.at(rbPointer);
    if (body.isEmpty()) {
      if (rb.path("required").asBoolean(false)) {
        problems.add("the request body is required");
      }
      return;
    }
    String type = mediaType(first(reqHeaders, "content-type"));
    if (type == null || !rb.path("content").has(type)) {
      problems.add("request content type " + first(reqHeaders, "content-type") + " is not documented");
      return;
    }
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (java.io.IOException | RuntimeException e) {
      problems.add("the request body is not strict JSON");
      return;
    }
    validate(rbPointer + "/content/" + escape(type) + "/schema", node, "request body", problems);
  }

  /**
   * Whether a request to {@code /api/v1} is a well-formed signed call: the four signature headers present and as
   * §10.1 describes them, a timestamp within ±300 s, and a body (if any) announced as JSON and not encoded. The
   * signature itself is not recomputed (the secret is the server's): a wrong one is a documented 401.
   */
  public static boolean signedWellFormed(Map<String, List<String>> headers, String body) {
    Map<String, List<String>> h = caseInsensitive(headers);
    String app = first(h, "X-App-Id");
    String ts = first(h, "X-Timestamp");
    String nonce = first(h, "X-Nonce");
    String sig = first(h, "X-Signature");
    if (app == null || ts == null || nonce == null || sig == null || !app.matches("[A-Za-z0-9_.@-]{1,64}")
      || !ts.matches("-?[0-9]{1,16}") || !nonce.matches("[\\x21-\\x7E]{1,64}") || !sig.matches("[0-9a-fA-F]{64}")) {
      return false;
    }
    if (Math.abs(System.currentTimeMillis() - Long.parseLong(ts)) > CLOCK_SKEW_MS - 5_000) {
      return false;
    }
    if (body != null && !body.isEmpty()) {
      String type = first(h, "Content-Type");
      String encoding = first(h, "Content-Encoding");
      return type != null && type.trim().toLowerCase(Locale.ROOT).matches("application/json(\\s*;\\s*charset=\"?utf-?8\"?)?\\s*")
        && (encoding == null || encoding.trim().equalsIgnoreCase("identity"));
    }
    return true;
  }

  private boolean isProblem(Exchange x, Map<String, List<String>> respHeaders) {
    if (!"application/problem+json".equals(mediaType(first(respHeaders, "content-type")))) {
      return false;
    }
    try {
      List<String> p = new ArrayList<>();
      validate("/components/schemas/Problem", JSON.readTree(x.responseBody()), "problem", p);
      return p.isEmpty();
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  private void validate(String at, JsonNode node, String what, List<String> problems) {
    String pointer = deref(at); // a named schema when the document refers to one (no '{' of a path in the URI)
    Schema schema = schemas.computeIfAbsent(pointer, p -> registry.getSchema(SchemaLocation.of(DOC_URI + "#" + p)));
    List<Error> errors = schema.validate(node);
    for (Error e : errors) {
      problems.add(what + " at " + e.getInstanceLocation() + ": " + e.getMessage() + " (schema " + pointer + ")");
    }
  }

  /** Follows local {@code $ref}s from a pointer to the object it names. */
  private String deref(String pointer) {
    String p = pointer;
    for (int i = 0; i < 10; i++) {
      JsonNode n = doc.at(JsonPointer.compile(p));
      if (n.isObject() && n.has("$ref") && n.get("$ref").asText().startsWith("#")) {
        p = n.get("$ref").asText().substring(1);
      } else {
        return p;
      }
    }
    throw new IllegalStateException("$ref loop at " + pointer);
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  /** The body text of a java.net.http request (its publisher is read again; bodies here are small strings). */
  public static String bodyOf(HttpRequest req) {
    Optional<HttpRequest.BodyPublisher> p = req.bodyPublisher();
    if (p.isEmpty() || p.get().contentLength() == 0) {
      return "";
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    p.get().subscribe(new Flow.Subscriber<>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(ByteBuffer item) {
        byte[] b = new byte[item.remaining()];
        item.get(b);
        out.write(b, 0, b.length);
      }

      @Override
      public void onError(Throwable throwable) {
        done.completeExceptionally(throwable);
      }

      @Override
      public void onComplete() {
        done.complete(null);
      }
    });
    try {
      done.get(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the request body back", e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static Map<String, List<String>> headers(HttpHeaders h) {
    return h.map();
  }

  private static Map<String, List<String>> caseInsensitive(Map<String, List<String>> in) {
    Map<String, List<String>> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (in != null) {
      in.forEach((k, v) -> out.merge(k, v, (a, b) -> {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
      }));
    }
    return out;
  }

  private static String first(Map<String, List<String>> h, String name) {
    List<String> v = h.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** The query parameters, percent-decoded; the first value of a repeated name counts (as on the server). */
  private static Map<String, String> query(String raw) {
    if (raw == null || raw.isEmpty()) {
      return Collections.emptyMap();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  /**
   * The path as the gateway's router matches it: dot segments removed, repeated slashes collapsed, a trailing slash
   * dropped (Vert.x Web routes {@code /api/v1/sign/} and {@code /api/v1//sign} to {@code /api/v1/sign}).
   */
  static String routedPath(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String seg : rawPath.split("/")) {
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        }
        continue;
      }
      out.add(seg);
    }
    return "/" + String.join("/", out);
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  private static boolean isJson(String mediaType) {
    return mediaType.equals("application/json") || mediaType.endsWith("+json");
  }

  private static String escape(String pointerToken) {
    return pointerToken.replace("~", "~0").replace("/", "~1");
  }

  private static String cut(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= BODY_CUT ? s : s.substring(0, BODY_CUT) + "…(" + s.length() + " chars)";
  }

  /** The field names of an object node, in document order (empty for anything else). */
  private static List<String> names(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
