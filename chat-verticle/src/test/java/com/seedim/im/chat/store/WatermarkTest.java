package com.seedim.im.chat.store;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Watermark: acks in any order compact into the watermark")
class WatermarkTest {

  private static Watermark of(long delivered, Long... above) {
    return new Watermark(delivered, new TreeSet<>(List.of(above)));
  }

  @Test
  @DisplayName("in order, out of order, repeated and below the mark")
  void acks() {
    Watermark w = Watermark.empty().ack(List.of(3L, 5L));
    assertThat(w).isEqualTo(of(0, 3L, 5L));
    assertThat(w.isDelivered(3)).isTrue();
    assertThat(w.isDelivered(4)).isFalse();
    assertThat(w.ack(List.of(1L))).isEqualTo(of(1, 3L, 5L));
    assertThat(w.ack(List.of(1L, 2L))).isEqualTo(of(3, 5L));
    assertThat(w.ack(List.of(1L, 2L, 4L, 6L))).isEqualTo(of(6));
    assertThat(of(6).ack(List.of(2L, 6L))).as("at or below the mark: nothing changes").isEqualTo(of(6));
    assertThat(of(6).ack(List.of(7L, 7L))).isEqualTo(of(7));
  }

  @Test
  @DisplayName("raiseTo: purged sequences count as delivered, and the acks above them close their gaps")
  void raiseTo() {
    assertThat(of(0, 2L, 3L, 6L).raiseTo(1)).isEqualTo(of(3, 6L));
    assertThat(of(0, 2L, 6L).raiseTo(4)).as("acks below the purge are dropped").isEqualTo(of(4, 6L));
    assertThat(of(5, 7L).raiseTo(3)).as("below the mark: nothing changes").isEqualTo(of(5, 7L));
    assertThat(of(0).raiseTo(9)).isEqualTo(of(9));
  }

  @Test
  @DisplayName("stored form: the acks above as a comma-separated list")
  void storedForm() {
    assertThat(of(1, 3L, 5L).aboveList()).isEqualTo("3,5");
    assertThat(of(1).aboveList()).isEmpty();
    assertThat(Watermark.of(1, "3,5")).isEqualTo(of(1, 3L, 5L));
    assertThat(Watermark.of(4, "")).isEqualTo(of(4));
  }

  @Test
  @DisplayName("never more than MAX_ABOVE acks above the watermark: past it the oldest gaps are given up, newer ones kept")
  void bounded() {
    // sequence 1 never acked, 2..MAX_ABOVE+2 acked: one too many above the mark
    List<Long> acked = new java.util.ArrayList<>();
    for (long s = 2; s <= Watermark.MAX_ABOVE + 2; s++) {
      acked.add(s);
    }
    Watermark w = Watermark.empty().ack(acked);
    assertThat(w.delivered()).as("gap 1 given up, 2.. compacted").isEqualTo(Watermark.MAX_ABOVE + 2);
    assertThat(w.above()).isEmpty();
    // every other sequence acked: gaps everywhere; only the newest MAX_ABOVE acks stay, with their gaps
    List<Long> odd = new java.util.ArrayList<>();
    for (long s = 1; s <= 2L * Watermark.MAX_ABOVE + 10; s += 2) {
      odd.add(s);
    }
    Watermark g = Watermark.empty().ack(odd);
    assertThat(g.above()).hasSize(Watermark.MAX_ABOVE);
    assertThat(g.isDelivered(2L * Watermark.MAX_ABOVE + 9)).isTrue();
    assertThat(g.isDelivered(2L * Watermark.MAX_ABOVE + 8)).as("a recent gap is still undelivered").isFalse();
    assertThat(g.isDelivered(2)).as("an old gap was given up").isTrue();
  }
}
