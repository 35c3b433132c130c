package com.seedim.im.common.store.redis;

import com.seedim.im.common.store.RedisKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The masters of a Redis Cluster and the slot ranges each serves, read with {@code CLUSTER SLOTS}. Used to place one
 * key on every master (e.g. the per-master clocks of {@link com.seedim.im.common.infra.RedisResets}): for each master
 * the first hash tag {@code c0, c1, ...} whose slot that master serves. Every node computes the same tags from the same
 * slot map, so all nodes share one key per master.
 */
public final class ClusterMasters {
  /** Candidate tags tried per master before giving up (a master serving a single slot needs up to ~16384 on average). */
  static final int MAX_TAG_TRIES = 1 << 20;

  /** One master: its id ({@code host:port} when the server gives no id), address, and served slot ranges. */
  public record Master(String id, String address, List<int[]> ranges) {
    boolean serves(int slot) {
      for (int[] r : ranges) {
        if (slot >= r[0] && slot <= r[1]) {
          return true;
        }
      }
      return false;
    }

    /** A hash tag (without braces) whose slot this master serves, the same on every node. */
    public String tag() {
      for (int i = 0; i < MAX_TAG_TRIES; i++) {
        String t = "c" + i;
        if (serves(RedisKeys.slot(t))) {
          return t;
        }
      }
      throw new IllegalStateException("no hash tag found for the slots of master " + address);
    }
  }

  private ClusterMasters() {
  }

  /** The cluster's masters, ordered by id. */
  public static Future<List<Master>> read(RedisAPI api) {
    return api.cluster(List.of("SLOTS")).map(ClusterMasters::parse);
  }

  /** Parses a {@code CLUSTER SLOTS} reply: {@code [[start, end, [host, port, id, ...], replicas...], ...]}. */
  static List<Master> parse(Response r) {
    Map<String, String> address = new TreeMap<>();
    Map<String, List<int[]>> ranges = new TreeMap<>();
    for (Response e : r) {
      int start = e.get(0).toInteger();
      int end = e.get(1).toInteger();
      Response m = e.get(2);
      String addr = m.get(0).toString() + ":" + m.get(1).toInteger();
      String id = m.size() > 2 && m.get(2) != null ? m.get(2).toString() : addr;
      address.put(id, addr);
      ranges.computeIfAbsent(id, k -> new ArrayList<>()).add(new int[] {start, end});
    }
    List<Master> out = new ArrayList<>();
    ranges.forEach((id, rs) -> out.add(new Master(id, address.get(id), List.copyOf(rs))));
    return out;
  }
}
