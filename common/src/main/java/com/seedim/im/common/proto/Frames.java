package com.seedim.im.common.proto;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Field parsing and validation of PROTOCOL.md §1: ids, numbers given as integers or strings,
 * {@code unique}, {@code contentType}. All methods throw {@link ProtocolException} with the right code.
 */
public final class Frames {
  public static final String MSG_TYPE = "msgType";
  public static final String UNIQUE = "unique";
  public static final String MARK = "mark";
  public static final String CODE = "code";
  public static final String MESSAGE = "message";
  public static final String RECEIVE_MSG_TYPE = "receiveMsgType";
  public static final String TIMESTAMP = "timestamp";

  private static final Pattern NUMBER = Pattern.compile("-?[0-9]{1,16}");
  private static final Pattern UNIQUE_PATTERN = Pattern.compile("[\\x20-\\x7E]{1,64}");
  private static final Pattern CONTENT_TYPE = Pattern.compile("[a-z0-9_]{1,32}");

  private Frames() {
  }

  /** {@code [A-Za-z0-9_.@:-]{1,64}} (checked by hand: it runs for every id of every frame). */
  public static boolean isValidId(String s) {
    if (s == null || s.isEmpty() || s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '_' || c == '.' || c == '@' || c == ':' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** An id field (§1), JSON integers taken in decimal form; null when absent or JSON null. */
  public static String optId(JsonObject f, String field) {
    Object v = f.getValue(field);
    if (v == null) {
      return null;
    }
    String s = idString(v, field);
    if (!isValidId(s)) {
      throw ProtocolException.invalid(field, "ids are 1-64 characters of [A-Za-z0-9_.@:-]");
    }
    return s;
  }

  public static String reqId(JsonObject f, String field) {
    String s = optId(f, field);
    if (s == null) {
      throw ProtocolException.missing(field);
    }
    return s;
  }

  private static String idString(Object v, String field) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return String.valueOf(((Number) v).longValue());
    }
    if (v instanceof BigInteger b) {
      return b.toString();
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.007199254740992E15) {
        return String.valueOf((long) d);
      }
    }
    throw ProtocolException.invalid(field, "expected a string id");
  }

  /** A §1 number: JSON integer or string {@code ^-?[0-9]{1,16}$}; null when absent. */
  public static Long optLong(JsonObject f, String field) {
    Object v = f.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof String s) {
      if (NUMBER.matcher(s).matches()) {
        return Long.parseLong(s);
      }
      throw ProtocolException.invalid(field, "expected an integer");
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 1e16) {
        return (long) d;
      }
    }
    throw ProtocolException.invalid(field, "expected an integer");
  }

  public static long reqLong(JsonObject f, String field) {
    Long v = optLong(f, field);
    if (v == null) {
      throw ProtocolException.missing(field);
    }
    return v;
  }

  public static int optInt(JsonObject f, String field, int def, int min, int max) {
    Long v = optLong(f, field);
    if (v == null) {
      return def;
    }
    if (v < min || v > max) {
      throw ProtocolException.invalid(field, "must be between " + min + " and " + max);
    }
    return v.intValue();
  }

  /** The message id of §1: a decimal string (or integer) of a positive integer below 2^53. */
  public static Long optMessageId(JsonObject f, String field) {
    Long v = optLong(f, field);
    if (v != null && (v <= 0 || v >= (1L << 53))) {
      throw ProtocolException.invalid(field, "not a message id");
    }
    return v;
  }

  public static long reqMessageId(JsonObject f, String field) {
    Long v = optMessageId(f, field);
    if (v == null) {
      throw ProtocolException.missing(field);
    }
    return v;
  }

  /** A list of message ids ({@code messageIds}), at most {@code max}. */
  public static List<Long> messageIds(JsonArray a, String field, int max) {
    if (a.size() > max) {
      throw ProtocolException.invalid(field, "at most " + max + " entries");
    }
    List<Long> out = new ArrayList<>(a.size());
    JsonObject tmp = new JsonObject();
    for (Object o : a) {
      tmp.put(field, o);
      out.add(reqMessageId(tmp, field));
    }
    return out;
  }

  /** A list of ids, e.g. {@code userIds}, at most {@code max}. */
  public static List<String> ids(JsonObject f, String field, int max) {
    Object v = f.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonArray a)) {
      throw ProtocolException.invalid(field, "expected an array");
    }
    if (a.size() > max) {
      throw ProtocolException.invalid(field, "at most " + max + " entries");
    }
    List<String> out = new ArrayList<>(a.size());
    JsonObject tmp = new JsonObject();
    for (Object o : a) {
      tmp.put(field, o);
      out.add(reqId(tmp, field));
    }
    return out;
  }

  /** Optional string of a field; non-strings are refused. */
  public static String optString(JsonObject f, String field) {
    Object v = f.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      return s;
    }
    throw ProtocolException.invalid(field, "expected a string");
  }

  /** {@code unique}: 1-64 printable ASCII; integers taken as decimal. Null when absent. */
  public static String unique(JsonObject f) {
    Object v = f.getValue(UNIQUE);
    if (v == null) {
      return null;
    }
    String s;
    if (v instanceof String str) {
      s = str;
    } else if (v instanceof Number) {
      s = idString(v, UNIQUE);
    } else {
      throw ProtocolException.invalid(UNIQUE, "expected a string");
    }
    if (!UNIQUE_PATTERN.matcher(s).matches()) {
      throw ProtocolException.invalid(UNIQUE, "1-64 printable ASCII characters");
    }
    return s;
  }

  /** {@code contentType}, default {@code text}. */
  public static String contentType(JsonObject f) {
    Object v = f.getValue("contentType");
    if (v == null) {
      return "text";
    }
    if (!(v instanceof String s) || !CONTENT_TYPE.matcher(s).matches()) {
      throw ProtocolException.invalid("contentType", "1-32 of [a-z0-9_]");
    }
    return s;
  }

  /**
   * The msgType of a client frame: a §1 number (strings of at most 16 digits) within the int range. Values outside
   * it are INVALID_FIELD, never truncated ({@code 4294967426} would otherwise be handled as 130).
   */
  public static int msgType(JsonObject f) {
    Long v = optLong(f, MSG_TYPE);
    if (v == null) {
      throw ProtocolException.missing(MSG_TYPE);
    }
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw ProtocolException.invalid(MSG_TYPE, "out of range");
    }
    return v.intValue();
  }

  /** Starts a server frame of a type. */
  public static JsonObject frame(MsgType t) {
    return new JsonObject().put(MSG_TYPE, t.code());
  }

  /** Copies {@code unique} and {@code mark} of the client frame onto a reply. */
  public static JsonObject echo(JsonObject reply, JsonObject request) {
    Object u = request.getValue(UNIQUE);
    if (u != null) {
      reply.put(UNIQUE, u);
    }
    if (request.containsKey(MARK)) {
      reply.put(MARK, request.getValue(MARK));
    }
    return reply;
  }

  /** A 10 error frame. */
  public static JsonObject error(ErrorCode code, String message, int receiveMsgType) {
    return frame(MsgType.ERROR).put(CODE, code.name()).put(MESSAGE, message).put(RECEIVE_MSG_TYPE, receiveMsgType);
  }

  /**
   * A required text field: a non-empty string of at most {@code maxChars} code points. Absent → MISSING_FIELD, not a
   * string or empty → INVALID_FIELD, longer → TOO_LARGE ({@code what} names it in the message, e.g. "a message").
   */
  public static String reqText(JsonObject frame, String field, int maxChars, String what) {
    Object raw = frame.getValue(field);
    if (raw == null) {
      throw ProtocolException.missing(field);
    }
    if (!(raw instanceof String text)) {
      throw ProtocolException.invalid(field, "expected a string");
    }
    if (text.isEmpty()) {
      throw ProtocolException.invalid(field, "must not be empty");
    }
    if (codePoints(text) > maxChars) {
      throw new ProtocolException(ErrorCode.TOO_LARGE, what + " has at most " + maxChars + " characters");
    }
    return text;
  }

  /** Number of Unicode code points. */
  public static int codePoints(String s) {
    return s.codePointCount(0, s.length());
  }
}
