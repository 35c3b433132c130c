package com.seedim.im.common.bus.msg;

import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;

/** JSON helpers of the bus records. */
final class Json {
  private Json() {
  }

  static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    if (a != null) {
      for (Object o : a) {
        out.add(String.valueOf(o));
      }
    }
    return List.copyOf(out);
  }

  static JsonArray array(List<String> list) {
    return new JsonArray(new ArrayList<>(list));
  }
}
