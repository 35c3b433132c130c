package com.seedim.im.common.id;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdGeneratorTest {
  @Test
  @DisplayName("ids are unique, increasing, below 2^53, and carry their time and node")
  void increasingUniqueSafe() {
    IdGenerator g = new IdGenerator(5);
    Set<Long> seen = new HashSet<>();
    long prev = 0;
    long before = System.currentTimeMillis();
    for (int i = 0; i < 200_000; i++) {
      long id = g.next();
      assertThat(id).isGreaterThan(prev).isLessThan(1L << 53);
      prev = id;
      seen.add(id);
    }
    assertThat(seen).hasSize(200_000);
    assertThat(IdGenerator.timeOf(prev)).isBetween(before, System.currentTimeMillis() + 1);
    assertThat((prev >> IdGenerator.SEQ_BITS) & IdGenerator.MAX_NODE).isEqualTo(5);
  }

  @Test
  @DisplayName("two nodes never collide")
  void nodesDiffer() {
    IdGenerator a = new IdGenerator(1);
    IdGenerator b = new IdGenerator(2);
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 50_000; i++) {
      assertThat(seen.add(a.next())).isTrue();
      assertThat(seen.add(b.next())).isTrue();
    }
    assertThatThrownBy(() -> new IdGenerator(IdGenerator.MAX_NODE + 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
