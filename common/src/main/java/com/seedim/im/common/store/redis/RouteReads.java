package com.seedim.im.common.store.redis;

import com.seedim.im.common.store.RedisKeys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a batch of route lookups is split into Redis calls. A standalone Redis takes the whole batch in calls of at most
 * {@code max} keys. A Redis Cluster refuses a script whose keys are in different hash slots (CROSSSLOT; the Vert.x
 * client fails it before sending), so there the keys are grouped by slot first; users' tags spread their keys over
 * every slot, so most groups hold one key.
 */
final class RouteReads {
  private RouteReads() {
  }

  /** Groups of indexes into {@code keys}, in first-seen order; each group is one call. */
  static List<List<Integer>> groups(List<String> keys, boolean cluster, int max) {
    Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
    List<List<Integer>> out = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      int slot = cluster ? RedisKeys.slot(keys.get(i)) : 0;
      List<Integer> g = bySlot.get(slot);
      if (g == null || g.size() >= max) {
        g = new ArrayList<>();
        bySlot.put(slot, g);
        out.add(g);
      }
      g.add(i);
    }
    return out;
  }
}
