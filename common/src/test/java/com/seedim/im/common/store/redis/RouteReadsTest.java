package com.seedim.im.common.store.redis;

import com.seedim.im.common.store.RedisKeys;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How batched route lookups are split into Redis calls. */
class RouteReadsTest {
  private static List<String> keys(int n) {
    List<String> k = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      k.add(RedisKeys.user("im:", "r", "app", "u" + i));
    }
    return k;
  }

  @Test
  @DisplayName("standalone: the whole batch in calls of at most max keys, in order")
  void standaloneChunks() {
    List<List<Integer>> g = RouteReads.groups(keys(600), false, 256);
    assertThat(g).extracting(List::size).containsExactly(256, 256, 88);
    assertThat(g.get(1).get(0)).isEqualTo(256);
  }

  @Test
  @DisplayName("cluster: one group per hash slot, each index exactly once")
  void clusterBySlot() {
    List<String> k = keys(300);
    k.add(k.get(5)); // the same user twice shares a group
    List<List<Integer>> g = RouteReads.groups(k, true, 256);
    List<Integer> seen = new ArrayList<>();
    for (List<Integer> group : g) {
      int slot = RedisKeys.slot(k.get(group.get(0)));
      for (int i : group) {
        assertThat(RedisKeys.slot(k.get(i))).isEqualTo(slot);
      }
      seen.addAll(group);
    }
    assertThat(seen).hasSize(301).doesNotHaveDuplicates();
    assertThat(g.size()).isGreaterThan(250);
  }
}
