package com.seedim.im.chat.rules;

import org.ahocorasick.trie.Emit;
import org.ahocorasick.trie.Trie;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sensitive-word check of PROTOCOL.md §5 step 3: the app's words matched as substrings of the
 * NFKC-folded, lower-cased text (Aho-Corasick). Immutable and thread-safe.
 */
public final class SensitiveWordFilter {
  /** Replaces each matched code point when the policy is {@code mask}. */
  public static final char MASK = '*';
  private static final SensitiveWordFilter EMPTY = new SensitiveWordFilter(Map.of());

  /** Folded word → the word as configured (the first spelling wins). */
  private final Map<String, String> words;
  private final Trie trie;

  /**
   * Outcome of one check.
   *
   * @param words  the configured spellings of the matched words, in order of first appearance
   * @param masked the original text with each matched code point replaced by {@link #MASK}
   */
  public record Match(List<String> words, String masked) {
    public boolean found() {
      return !words.isEmpty();
    }
  }

  private SensitiveWordFilter(Map<String, String> words) {
    this.words = words;
    this.trie = words.isEmpty() ? null : Trie.builder().addKeywords(words.keySet()).build();
  }

  /** A filter for a word list; blank words (after folding) are ignored. */
  public static SensitiveWordFilter of(Collection<String> list) {
    if (list == null || list.isEmpty()) {
      return EMPTY;
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String w : list) {
      if (w == null) {
        continue;
      }
      String f = FoldedText.fold(w).strip();
      if (!f.isEmpty()) {
        m.putIfAbsent(f, w);
      }
    }
    return new SensitiveWordFilter(Map.copyOf(m));
  }

  public static SensitiveWordFilter empty() {
    return EMPTY;
  }

  public int size() {
    return words.size();
  }

  /** Checks a text; {@link Match#found()} is false when nothing matched (then {@code masked} is the text). */
  public Match check(String text) {
    if (trie == null || text.isEmpty()) {
      return new Match(List.of(), text);
    }
    FoldedText ft = FoldedText.of(text);
    Collection<Emit> emits = trie.parseText(ft.folded());
    if (emits.isEmpty()) {
      return new Match(List.of(), text);
    }
    Set<String> found = new LinkedHashSet<>();
    BitSet maskedChars = new BitSet(text.length());
    for (Emit e : emits) {
      found.add(words.get(e.getKeyword()));
      maskedChars.set(ft.originalStart(e.getStart()), ft.originalEnd(e.getEnd()));
    }
    return new Match(new ArrayList<>(found), mask(text, maskedChars));
  }

  private static String mask(String text, BitSet maskedChars) {
    StringBuilder sb = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      if (maskedChars.get(i)) {
        sb.append(MASK);
      } else {
        sb.appendCodePoint(cp);
      }
      i += Character.charCount(cp);
    }
    return sb.toString();
  }
}
