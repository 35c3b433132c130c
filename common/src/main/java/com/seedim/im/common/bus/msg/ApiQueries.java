package com.seedim.im.common.bus.msg;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The HTTP API's requests to the services (PROTOCOL.md §7), built by the gateway's API after the signature checked
 * out; the app comes from the signature, never from the body. Replies are the JSON the API answers with.
 */
public final class ApiQueries {
  private ApiQueries() {
  }

  /** DELETE /api/v1/chat-permission → {@code Addresses.CHAT_API_REVOKE}. */
  public record PermissionRevoke(String appId, String userId, String receiveUserId) implements BusMessage {
    public JsonObject toJson() {
      return new JsonObject().put("appId", appId).put("userId", userId).put("receiveUserId", receiveUserId);
    }

    public static PermissionRevoke fromJson(JsonObject j) {
      return new PermissionRevoke(j.getString("appId"), j.getString("userId"), j.getString("receiveUserId"));
    }
  }

  /** GET /api/v1/presence → {@code Addresses.CHAT_API_PRESENCE}: ids already checked by the gateway. */
  public record PresenceQuery(String appId, List<String> userIds) implements BusMessage {
    public JsonObject toJson() {
      return new JsonObject().put("appId", appId).put("userIds", Json.array(userIds));
    }

    public static PresenceQuery fromJson(JsonObject j) {
      return new PresenceQuery(j.getString("appId"), Json.strings(j.getJsonArray("userIds")));
    }
  }

  /** PUT /api/v1/sensitive-words → {@code Addresses.CHAT_API_WORDS}: the app's whole list, replaced. */
  public record WordsUpdate(String appId, List<String> words) implements BusMessage {
    public JsonObject toJson() {
      return new JsonObject().put("appId", appId).put("words", Json.array(words));
    }

    public static WordsUpdate fromJson(JsonObject j) {
      return new WordsUpdate(j.getString("appId"), Json.strings(j.getJsonArray("words")));
    }
  }

  /** Published by the chat node that stored new words ({@code Addresses.CHAT_WORDS_CHANGED}): every chat node reloads. */
  public record WordsChanged(String appId) implements BusMessage {
    public JsonObject toJson() {
      return new JsonObject().put("appId", appId);
    }

    public static WordsChanged fromJson(JsonObject j) {
      return new WordsChanged(j.getString("appId"));
    }
  }

  /** GET /api/v1/rooms → {@code Addresses.ROOM_API_LIST}: the raw query parameters, checked by the room service. */
  public record RoomListQuery(String appId, String pageIndex, String pageSize, String state) implements BusMessage {
    public JsonObject toJson() {
      return new JsonObject().put("appId", appId).put("pageIndex", pageIndex).put("pageSize", pageSize).put("state", state);
    }

    public static RoomListQuery fromJson(JsonObject j) {
      return new RoomListQuery(j.getString("appId"), j.getString("pageIndex"), j.getString("pageSize"), j.getString("state"));
    }
  }

  /** PUT /api/v1/rooms/{roomId}/info → {@code Addresses.ROOM_API_INFO}: any JSON value, checked by the room service. */
  public record RoomInfoUpdate(String appId, String roomId, Object info) implements BusMessage {
    public JsonObject toJson() {
      return new JsonObject().put("appId", appId).put("roomId", roomId).put("info", info);
    }

    public static RoomInfoUpdate fromJson(JsonObject j) {
      return new RoomInfoUpdate(j.getString("appId"), j.getString("roomId"), j.getValue("info"));
    }
  }

  /** GET /api/v1/queues/{queueId} → {@code Addresses.QUEUE_API_STATS}. */
  public record QueueStatsQuery(String appId, String queueId) implements BusMessage {
    public JsonObject toJson() {
      return new JsonObject().put("appId", appId).put("queueId", queueId);
    }

    public static QueueStatsQuery fromJson(JsonObject j) {
      return new QueueStatsQuery(j.getString("appId"), j.getString("queueId"));
    }
  }

  /** GET /api/v1/rooms/{roomId}/transcript → {@code Addresses.ROOM_API_TRANSCRIPT}: the 653 document of §14.5. */
  public record TranscriptRequest(String appId, String roomId) implements BusMessage {
    public JsonObject toJson() {
      return new JsonObject().put("appId", appId).put("roomId", roomId);
    }

    public static TranscriptRequest fromJson(JsonObject j) {
      return new TranscriptRequest(j.getString("appId"), j.getString("roomId"));
    }
  }

  /**
   * GET /api/v1/events → {@code Addresses.EVENTS_API_REPLAY}: recorded events of the app after {@code after} (0: from
   * the oldest kept), at most {@code limit}, of {@code types} only when not empty (docs/webhooks.md, "Replay").
   */
  public record EventsReplay(String appId, long after, int limit, List<String> types) implements BusMessage {
    public JsonObject toJson() {
      return new JsonObject().put("appId", appId).put("after", after).put("limit", limit)
        .put("types", new JsonArray(new ArrayList<>(types)));
    }

    public static EventsReplay fromJson(JsonObject j) {
      List<String> types = new ArrayList<>();
      j.getJsonArray("types", new JsonArray()).forEach(o -> types.add(String.valueOf(o)));
      return new EventsReplay(j.getString("appId"), j.getLong("after", 0L), j.getInteger("limit", 100), List.copyOf(types));
    }
  }
}
