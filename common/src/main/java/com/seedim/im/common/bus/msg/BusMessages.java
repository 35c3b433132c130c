package com.seedim.im.common.bus.msg;

import com.seedim.im.common.bus.ServiceReply;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Function;

/**
 * The registry of internal bus messages: every {@link BusMessage} record gets a default codec on each event bus
 * (called by {@code Infra} for every Vert.x instance that runs SeedIM verticles). docs/architecture.md ("Bus
 * messages") lists who sends which record to which address.
 */
public final class BusMessages {
  private static final Set<EventBus> REGISTERED = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  private BusMessages() {
  }

  /** Registers the codecs of every record on this bus; a second call for the same bus does nothing. */
  public static void register(EventBus bus) {
    if (!REGISTERED.add(bus)) {
      return;
    }
    codec(bus, FrameRequest.class, FrameRequest::fromJson);
    codec(bus, ServiceReply.class, ServiceReply::fromJson);
    codec(bus, SessionOpened.class, SessionOpened::fromJson);
    codec(bus, SessionClosed.class, SessionClosed::fromJson);
    codec(bus, DeliveredAcks.class, DeliveredAcks::fromJson);
    codec(bus, GatewayPush.class, GatewayPush::fromJson);
    codec(bus, GatewayKick.class, GatewayKick::fromJson);
    codec(bus, GatewayBatch.class, GatewayBatch::fromJson);
    codec(bus, TeardownRequest.class, TeardownRequest::fromJson);
    codec(bus, KickNotice.class, KickNotice::fromJson);
    codec(bus, RoomShareQuery.class, RoomShareQuery::fromJson);
    codec(bus, TranscriptQuery.class, TranscriptQuery::fromJson);
    codec(bus, RedisReset.class, RedisReset::fromJson);
    codec(bus, ApiQueries.PermissionRevoke.class, ApiQueries.PermissionRevoke::fromJson);
    codec(bus, ApiQueries.PresenceQuery.class, ApiQueries.PresenceQuery::fromJson);
    codec(bus, ApiQueries.WordsUpdate.class, ApiQueries.WordsUpdate::fromJson);
    codec(bus, ApiQueries.WordsChanged.class, ApiQueries.WordsChanged::fromJson);
    codec(bus, ApiQueries.RoomListQuery.class, ApiQueries.RoomListQuery::fromJson);
    codec(bus, ApiQueries.RoomInfoUpdate.class, ApiQueries.RoomInfoUpdate::fromJson);
    codec(bus, ApiQueries.QueueStatsQuery.class, ApiQueries.QueueStatsQuery::fromJson);
    codec(bus, ApiQueries.TranscriptRequest.class, ApiQueries.TranscriptRequest::fromJson);
    codec(bus, ApiQueries.EventsReplay.class, ApiQueries.EventsReplay::fromJson);
  }

  /**
   * The record in a message body: the record itself when it was sent in this JVM or decoded by its codec, or read from
   * plain JSON (a tool or a test that sends JSON to a SeedIM address).
   */
  public static <T extends BusMessage> T read(Object body, Class<T> type, Function<JsonObject, T> fromJson) {
    if (type.isInstance(body)) {
      return type.cast(body);
    }
    if (body instanceof JsonObject j) {
      return fromJson.apply(j);
    }
    if (body instanceof BusMessage other) {
      return fromJson.apply(other.toJson()); // a sender on a newer record than this receiver: read what it shares
    }
    throw new IllegalArgumentException("expected " + type.getSimpleName() + " or JSON, got "
      + (body == null ? "nothing" : body.getClass().getSimpleName()));
  }

  /** The JSON of a body that is a record or already JSON (e.g. a reply). */
  public static JsonObject json(Object body) {
    return body instanceof BusMessage m ? m.toJson() : (JsonObject) body;
  }

  private static <T extends BusMessage> void codec(EventBus bus, Class<T> type, Function<JsonObject, T> fromJson) {
    bus.registerDefaultCodec(type, new BusCodec<>(type, fromJson));
  }
}
