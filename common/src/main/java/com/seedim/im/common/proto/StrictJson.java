package com.seedim.im.common.proto;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one JSON reader for everything a client or business server sends (WebSocket frames, HTTP API bodies):
 * RFC 8259 only, unlike Vert.x's {@code Json.decodeValue}, which accepts comments and lets a duplicate key
 * silently win. Refused with {@link ErrorCode#INVALID_JSON}: comments, duplicate keys, a top level that is
 * not one object, trailing content, nesting deeper than {@link #MAX_DEPTH}, numbers longer than
 * {@link #MAX_NUMBER_CHARS}. Every later step (rate limit, abuse meter, dispatch) sees the object parsed here.
 */
public final class StrictJson {
  /** Deepest nesting of objects and arrays: a frame's own fields are at depth 1, a {@code mark} may nest a little. */
  public static final int MAX_DEPTH = 32;
  /** Longest number literal (a 53-bit id has 16 digits). */
  public static final int MAX_NUMBER_CHARS = 64;

  private static final JsonFactory FACTORY = JsonFactory.builder()
    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
    .streamReadConstraints(StreamReadConstraints.builder()
      .maxNestingDepth(MAX_DEPTH)
      .maxNumberLength(MAX_NUMBER_CHARS)
      .build())
    .build();

  private StrictJson() {
  }

  /**
   * Parses one JSON object.
   *
   * @throws ProtocolException {@code INVALID_JSON} with a short reason that never echoes the input
   */
  public static JsonObject parseObject(String text) {
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new ProtocolException(ErrorCode.INVALID_JSON, first == null ? "empty text; send one JSON object"
          : "the top level must be one JSON object");
      }
      Map<String, Object> map = object(p);
      if (p.nextToken() != null) {
        throw new ProtocolException(ErrorCode.INVALID_JSON, "trailing content after the JSON object");
      }
      return new JsonObject(map);
    } catch (StreamConstraintsException e) {
      throw new ProtocolException(ErrorCode.INVALID_JSON, "JSON nested deeper than " + MAX_DEPTH
        + " levels or a number longer than " + MAX_NUMBER_CHARS + " characters");
    } catch (IOException e) {
      throw new ProtocolException(ErrorCode.INVALID_JSON, reason(e));
    }
  }

  private static String reason(IOException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    if (m.startsWith("Duplicate field")) {
      return "duplicate key in a JSON object";
    }
    if (m.contains("comment")) {
      return "comments are not JSON";
    }
    return "malformed JSON";
  }

  private static Map<String, Object> object(JsonParser p) throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    String name;
    while ((name = p.nextFieldName()) != null) {
      p.nextToken();
      map.put(name, value(p));
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      throw new ProtocolException(ErrorCode.INVALID_JSON, "malformed JSON");
    }
    return map;
  }

  private static List<Object> array(JsonParser p) throws IOException {
    List<Object> list = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) {
        throw new ProtocolException(ErrorCode.INVALID_JSON, "malformed JSON");
      }
      list.add(value(p));
    }
    return list;
  }

  private static Object value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new ProtocolException(ErrorCode.INVALID_JSON, "malformed JSON");
    }
    return switch (t) {
      case START_OBJECT -> object(p);
      case START_ARRAY -> array(p);
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new ProtocolException(ErrorCode.INVALID_JSON, "malformed JSON");
    };
  }
}
