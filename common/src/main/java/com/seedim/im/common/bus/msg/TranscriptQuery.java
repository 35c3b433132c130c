package com.seedim.im.common.bus.msg;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Asked by the room service of chat ({@code Addresses.CHAT_TRANSCRIPT}) for a room's transcript (protocol §14.5): the
 * messages between the customer and each of the agents, sent from {@code fromMs} until {@code toMs} (inclusive; null:
 * until now), oldest first, at most {@code limit}. Reply: {@code {messages: [history items of §6.7]}}.
 */
public record TranscriptQuery(String appId, String customerId, List<String> agents, long fromMs, Long toMs, int limit)
  implements BusMessage {
  public TranscriptQuery {
    agents = List.copyOf(agents);
  }

  public JsonObject toJson() {
    return new JsonObject().put("appId", appId).put("customerId", customerId).put("agents", Json.array(agents))
      .put("fromMs", fromMs).put("toMs", toMs).put("limit", limit);
  }

  public static TranscriptQuery fromJson(JsonObject j) {
    return new TranscriptQuery(j.getString("appId"), j.getString("customerId"), Json.strings(j.getJsonArray("agents")),
      j.getLong("fromMs"), j.getLong("toMs"), j.getInteger("limit"));
  }
}
