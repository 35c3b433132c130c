package com.seedim.im.common.bus.msg;

import io.vertx.core.json.JsonObject;

/**
 * An internal event-bus message: a record defined once here and used by the sender and the receiver. Inside one JVM
 * the record itself is delivered (no copy; records and the JSON they carry are not changed after sending); between
 * nodes it travels as its {@link #toJson()} so that nodes of two releases still understand each other during a
 * rolling upgrade (unknown keys are ignored, missing keys take the documented default). See {@link BusMessages}.
 */
public interface BusMessage {
  JsonObject toJson();
}
