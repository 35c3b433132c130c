package com.seedim.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One protocol frame: a JSON object with an integer {@code msgType} (§1). Immutable: {@link #with} returns a
 * copy. Getters read the protocol's lenient formats: ids and message ids as text whether the JSON holds a string
 * or a number (§1.3).
 */
public final class Frame {
  static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode node;

  private Frame(ObjectNode node) {
    this.node = node;
  }

  /** A new client frame of this type. */
  public static Frame of(int msgType) {
    ObjectNode n = JSON.createObjectNode();
    n.put("msgType", msgType);
    return new Frame(n);
  }

  /** Parses one frame; throws {@link IllegalArgumentException} when the text is not one JSON object. */
  public static Frame parse(String text) {
    try {
      JsonNode n = JSON.readTree(text);
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      return new Frame((ObjectNode) n);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** Wraps a copy of a JSON object. */
  public static Frame of(ObjectNode json) {
    return new Frame(json.deepCopy());
  }

  /** A copy with a field set: a String, Number, Boolean, null, a {@link JsonNode}, a Collection or a Map. */
  public Frame with(String field, Object value) {
    ObjectNode copy = node.deepCopy();
    copy.set(field, value instanceof JsonNode ? (JsonNode) value : JSON.valueToTree(value));
    return new Frame(copy);
  }

  /** A copy without a field. */
  public Frame without(String field) {
    ObjectNode copy = node.deepCopy();
    copy.remove(field);
    return new Frame(copy);
  }

  /** The {@code msgType}, or 0 when absent or not a number. */
  public int type() {
    JsonNode n = node.get("msgType");
    if (n == null) {
      return 0;
    }
    if (n.isNumber()) {
      return n.asInt();
    }
    try {
      return Integer.parseInt(n.asText());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The {@code unique} as text, or null. */
  public String unique() {
    return string("unique");
  }

  public boolean has(String field) {
    return node.hasNonNull(field);
  }

  /** A scalar field as text (a number as its decimal form), or null when absent, null or not a scalar. */
  public String string(String field) {
    JsonNode n = node.get(field);
    return n == null || n.isNull() || n.isContainerNode() ? null : n.asText();
  }

  /** A number field (or a numeric string), or {@code dflt}. */
  public long number(String field, long dflt) {
    JsonNode n = node.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (n.isNumber()) {
      return n.asLong();
    }
    try {
      return Long.parseLong(n.asText());
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  public boolean bool(String field) {
    JsonNode n = node.get(field);
    return n != null && n.asBoolean(false);
  }

  /** A list of strings (ids, message ids), empty when absent. */
  public List<String> strings(String field) {
    JsonNode n = node.get(field);
    if (n == null || !n.isArray()) {
      return Collections.emptyList();
    }
    List<String> out = new ArrayList<>();
    n.forEach(e -> out.add(e.asText()));
    return Collections.unmodifiableList(out);
  }

  /** The objects of an array field as frames (e.g. the message items of 102/162, rooms of 541). */
  public List<Frame> frames(String field) {
    JsonNode n = node.get(field);
    if (n == null || !n.isArray()) {
      return Collections.emptyList();
    }
    List<Frame> out = new ArrayList<>();
    n.forEach(e -> {
      if (e.isObject()) {
        out.add(new Frame(((ObjectNode) e).deepCopy()));
      }
    });
    return Collections.unmodifiableList(out);
  }

  /** An object field of scalars as a map of text (e.g. 101 {@code statuses}, 180 {@code unreadCounts}). */
  public Map<String, String> map(String field) {
    JsonNode n = node.get(field);
    if (n == null || !n.isObject()) {
      return Collections.emptyMap();
    }
    Map<String, String> out = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return Collections.unmodifiableMap(out);
  }

  /** A copy of a field as Jackson JSON (e.g. a signaling {@code message}), or null. */
  public JsonNode json(String field) {
    JsonNode n = node.get(field);
    return n == null ? null : n.deepCopy();
  }

  /** A copy of the whole frame as Jackson JSON. */
  public ObjectNode toJson() {
    return node.deepCopy();
  }

  /** The frame as compact JSON text (what goes on the wire). */
  @Override
  public String toString() {
    return node.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Frame && ((Frame) o).node.equals(node);
  }

  @Override
  public int hashCode() {
    return Objects.hash(node);
  }
}
