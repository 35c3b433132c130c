package com.seedim.im.chat.rules;

import com.seedim.im.common.proto.Frames;
import com.seedim.im.common.proto.ProtocolException;
import io.vertx.core.json.JsonObject;

/**
 * The paging of a 161 history request (PROTOCOL.md §5): page 1 = the newest {@code pageSize} messages,
 * or with {@code beforeMessageId} the {@code pageSize} messages just older than it (reply {@code pageIndex} 0).
 *
 * @param pageIndex       1-based page, or 0 when {@code beforeMessageId} is used
 * @param beforeMessageId the cursor, or null
 */
public record HistoryPaging(int pageIndex, int pageSize, Long beforeMessageId) {
  public static final String PAGE_INDEX = "pageIndex";
  public static final String PAGE_SIZE = "pageSize";
  public static final String BEFORE_MESSAGE_ID = "beforeMessageId";
  public static final int DEFAULT_PAGE_SIZE = 20;
  public static final int MAX_PAGE_SIZE = 100;
  /** The deepest message reachable by page number: {@code pageIndex * pageSize} may not exceed it. */
  public static final int MAX_DEPTH = 10_000;

  /** Reads and validates the paging fields of a 161. */
  public static HistoryPaging of(JsonObject frame) {
    int size = Frames.optInt(frame, PAGE_SIZE, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
    Long before = Frames.optMessageId(frame, BEFORE_MESSAGE_ID);
    if (before != null) {
      return of(0, size, before);
    }
    return of(Frames.optInt(frame, PAGE_INDEX, 1, 1, Integer.MAX_VALUE), size, null);
  }

  public static HistoryPaging of(int pageIndex, int pageSize, Long beforeMessageId) {
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw ProtocolException.invalid(PAGE_SIZE, "must be between 1 and " + MAX_PAGE_SIZE);
    }
    if (beforeMessageId != null) {
      return new HistoryPaging(0, pageSize, beforeMessageId);
    }
    if (pageIndex < 1) {
      throw ProtocolException.invalid(PAGE_INDEX, "pages start at 1");
    }
    if ((long) pageIndex * pageSize > MAX_DEPTH) {
      throw ProtocolException.invalid(PAGE_INDEX, "pageIndex x pageSize must not exceed " + MAX_DEPTH
        + "; use beforeMessageId to go further back");
    }
    return new HistoryPaging(pageIndex, pageSize, null);
  }

  /** How many of the newest messages (below the cursor, if any) to skip. */
  public int offset() {
    return beforeMessageId != null ? 0 : (pageIndex - 1) * pageSize;
  }
}
