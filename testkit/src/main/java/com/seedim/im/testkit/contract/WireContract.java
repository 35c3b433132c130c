package com.seedim.im.testkit.contract;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The WebSocket half of the machine-readable contract: {@code docs/asyncapi.yaml}. Every server frame a test client
 * receives is checked against the schema of its msgType (the messages of the {@code sendServerFrames} operation), so
 * the document cannot drift from what the server sends. Client frame schemas ({@code receiveClientFrames}) are
 * available for clients that want to check what they send.
 */
public final class WireContract {
  /** The document's id for $ref resolution; nothing is fetched from it. */
  private static final String BASE = "https://seedim.invalid/docs/asyncapi.yaml";
  private static final String SERVER_OPERATION = "sendServerFrames";
  private static final String CLIENT_OPERATION = "receiveClientFrames";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static volatile WireContract shared;

  private final JsonNode document;
  private final Map<Integer, Schema> serverFrames;
  private final Map<Integer, Schema> clientFrames;

  private WireContract(Path document) {
    JsonNode doc;
    String json;
    try {
      doc = new YAMLMapper().readTree(Files.readString(document));
      json = JSON.writeValueAsString(doc);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7,
      b -> b.schemas(Map.of(BASE, json)));
    this.document = doc;
    this.serverFrames = index(doc, registry, SERVER_OPERATION);
    this.clientFrames = index(doc, registry, CLIENT_OPERATION);
  }

  /** The contract of this repository ({@code docs/asyncapi.yaml}), loaded once. */
  public static WireContract get() {
    WireContract c = shared;
    if (c == null) {
      synchronized (WireContract.class) {
        c = shared;
        if (c == null) {
          c = new WireContract(RepoDocs.file("asyncapi.yaml"));
          shared = c;
        }
      }
    }
    return c;
  }

  /** The msgTypes the server may send, per the document. */
  public java.util.Set<Integer> serverMsgTypes() {
    return Collections.unmodifiableSet(serverFrames.keySet());
  }

  /** The msgTypes a client may send, per the document. */
  public java.util.Set<Integer> clientMsgTypes() {
    return Collections.unmodifiableSet(clientFrames.keySet());
  }

  /**
   * Every example payload of the document's messages, with its message's name: server messages under
   * {@code sendServerFrames}, client ones under {@code receiveClientFrames} ({@code server} picks which).
   */
  public java.util.Map<String, String> examples(boolean server) {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    JsonNode refs = document.path("operations").path(server ? SERVER_OPERATION : CLIENT_OPERATION).path("messages");
    for (JsonNode ref : refs) {
      String channelRef = ref.path("$ref").asText();
      JsonNode message = at(document, at(document, channelRef).path("$ref").asText());
      int i = 0;
      for (JsonNode example : message.path("examples")) {
        out.put(channelRef.substring(channelRef.lastIndexOf('/') + 1) + "#" + i++, example.path("payload").toString());
      }
    }
    return out;
  }

  /** What is wrong with a frame the server sent (empty: it matches the contract). */
  public List<String> checkServerFrame(String text) {
    return check(serverFrames, text, "server");
  }

  /** What is wrong with a frame a client sends (the client schemas are open: unknown fields pass). */
  public List<String> checkClientFrame(String text) {
    return check(clientFrames, text, "client");
  }

  private static List<String> check(Map<Integer, Schema> schemas, String text, String side) {
    JsonNode frame;
    try {
      frame = JSON.readTree(text);
    } catch (IOException | RuntimeException e) {
      return List.of("not JSON: " + e.getMessage());
    }
    if (!frame.isObject() || !frame.path("msgType").isInt()) {
      return List.of("not an object with an integer msgType");
    }
    Schema schema = schemas.get(frame.get("msgType").intValue());
    if (schema == null) {
      return List.of("msgType " + frame.get("msgType").intValue() + " is not a documented " + side + " frame");
    }
    List<Error> errors = schema.validate(frame);
    return errors.stream().map(Error::toString).collect(Collectors.toList());
  }

  /** msgType → payload schema, for the messages of one operation (the msgType is the payload's {@code const}). */
  private static Map<Integer, Schema> index(JsonNode doc, SchemaRegistry registry, String operation) {
    Map<Integer, Schema> out = new TreeMap<>();
    JsonNode refs = doc.path("operations").path(operation).path("messages");
    if (!refs.isArray() || refs.isEmpty()) {
      throw new IllegalStateException("docs/asyncapi.yaml: operation " + operation + " lists no messages");
    }
    for (JsonNode ref : refs) {
      JsonNode channelMessage = at(doc, ref.path("$ref").asText());
      JsonNode message = at(doc, channelMessage.path("$ref").asText());
      String payloadRef = message.path("payload").path("$ref").asText();
      JsonNode payload = at(doc, payloadRef);
      List<Integer> types = msgTypes(payload);
      if (types.isEmpty()) {
        throw new IllegalStateException("docs/asyncapi.yaml: " + payloadRef + " fixes no msgType");
      }
      Schema schema = registry.getSchema(SchemaLocation.of(BASE + payloadRef));
      for (int t : types) {
        if (out.put(t, schema) != null) {
          throw new IllegalStateException("docs/asyncapi.yaml: msgType " + t + " appears twice in " + operation);
        }
      }
    }
    return out;
  }

  /** The msgType(s) a payload schema fixes: {@code properties.msgType.const|enum}, or those of its oneOf branches. */
  private static List<Integer> msgTypes(JsonNode payload) {
    List<Integer> out = new ArrayList<>();
    JsonNode t = payload.path("properties").path("msgType");
    if (t.has("const")) {
      out.add(t.get("const").intValue());
    } else if (t.has("enum")) {
      t.get("enum").forEach(v -> out.add(v.intValue()));
    } else if (payload.has("oneOf")) {
      for (JsonNode branch : payload.get("oneOf")) {
        for (int v : msgTypes(branch)) {
          if (!out.contains(v)) {
            out.add(v);
          }
        }
      }
    }
    return out;
  }

  private static JsonNode at(JsonNode doc, String ref) {
    if (ref == null || !ref.startsWith("#/")) {
      throw new IllegalStateException("docs/asyncapi.yaml: expected a local $ref, got " + ref);
    }
    JsonNode n = doc.at(ref.substring(1));
    if (n.isMissingNode()) {
      throw new IllegalStateException("docs/asyncapi.yaml: unresolved $ref " + ref);
    }
    return n;
  }
}
