package com.seedim.im.chat.store;

import java.util.Collection;
import java.util.NavigableSet;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * One receiver inbox's delivered state: every sequence up to {@code delivered} is delivered, and so is each of
 * {@code above} (acked, or retracted, out of order). Acks stay per message (a 141 may ack any subset, PROTOCOL.md §5),
 * so the few acks above the watermark are kept; an ack that closes a gap compacts them into the watermark.
 * Both stores apply acks through {@link #ack}, so they agree on which acks were new.
 *
 * @param delivered the watermark
 * @param above     delivered sequences above the watermark (never containing {@code delivered + 1})
 */
public record Watermark(long delivered, NavigableSet<Long> above) {

  private static final String SEPARATOR = ",";
  /**
   * Most acks kept above the watermark. A receiver that keeps acking later messages but never one below them (a
   * client bug, or a message its app refuses to show) would grow the list without bound; past this many, the oldest
   * gaps are given up: the watermark moves over them, so they are no longer replayed or re-pushed (they stay in the
   * history and in unread counts, which read marks govern).
   */
  public static final int MAX_ABOVE = 1000;

  public static Watermark empty() {
    return new Watermark(0, new TreeSet<>());
  }

  /** From its stored form: the watermark and the acks above it as a comma-separated list ("" when none). */
  public static Watermark of(long delivered, String above) {
    TreeSet<Long> set = new TreeSet<>();
    for (String s : above.split(SEPARATOR)) {
      if (!s.isEmpty()) {
        set.add(Long.parseLong(s));
      }
    }
    return new Watermark(delivered, set);
  }

  /** The acks above the watermark as stored (MariaDB's {@code FIND_IN_SET} reads the same list). */
  public String aboveList() {
    StringJoiner j = new StringJoiner(SEPARATOR);
    above.forEach(s -> j.add(Long.toString(s)));
    return j.toString();
  }

  public boolean isDelivered(long seq) {
    return seq <= delivered || above.contains(seq);
  }

  /** The state after also marking {@code seqs} delivered, compacted: the watermark moves over every closed gap. */
  public Watermark ack(Collection<Long> seqs) {
    TreeSet<Long> all = new TreeSet<>(above);
    for (long s : seqs) {
      if (s > delivered) {
        all.add(s);
      }
    }
    long mark = delivered;
    while (!all.isEmpty() && all.first() == mark + 1) {
      mark = all.pollFirst();
    }
    while (all.size() > MAX_ABOVE) { // give up the oldest gap: jump to the ack above it, then compact again
      mark = all.pollFirst();
      while (!all.isEmpty() && all.first() == mark + 1) {
        mark = all.pollFirst();
      }
    }
    return new Watermark(mark, all);
  }

  /**
   * The state once every sequence up to {@code goneSeq} no longer exists (a retention purge deleted those messages):
   * nobody will ack them, so the watermark moves over them and over the acks that now close a gap.
   */
  public Watermark raiseTo(long goneSeq) {
    if (goneSeq <= delivered) {
      return this;
    }
    TreeSet<Long> all = new TreeSet<>(above.tailSet(goneSeq, false));
    long mark = goneSeq;
    while (!all.isEmpty() && all.first() == mark + 1) {
      mark = all.pollFirst();
    }
    return new Watermark(mark, all);
  }
}
