package com.seedim.im.chat.rules;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.Locale;

/**
 * Text folded for sensitive-word matching (NFKC, then lower case), with a map from every folded
 * {@code char} back to the code points of the original it came from, so a match can be masked in the original.
 *
 * <p>The original is cut into segments of one base code point plus its combining marks; each segment is
 * folded on its own. That equals folding the whole string except for rare cross-segment compositions
 * (e.g. Hangul jamo sequences), and it keeps the mapping exact.
 */
public final class FoldedText {
  private final String original;
  private final String folded;
  /** For each folded char: index (in chars) of the first char of its source segment in the original. */
  private final int[] segmentStart;
  /** For each folded char: index (in chars) just past its source segment in the original. */
  private final int[] segmentEnd;

  private FoldedText(String original, String folded, int[] segmentStart, int[] segmentEnd) {
    this.original = original;
    this.folded = folded;
    this.segmentStart = segmentStart;
    this.segmentEnd = segmentEnd;
  }

  /** Folds a string (NFKC, lower case, per segment). */
  public static FoldedText of(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int[] starts = new int[Math.max(1, text.length() * 2)];
    int[] ends = new int[starts.length];
    int i = 0;
    while (i < text.length()) {
      int segStart = i;
      i += Character.charCount(text.codePointAt(i));
      while (i < text.length() && isCombining(text.codePointAt(i))) {
        i += Character.charCount(text.codePointAt(i));
      }
      String f = fold(text.substring(segStart, i));
      for (int k = 0; k < f.length(); k++) {
        int at = out.length();
        if (at >= starts.length) {
          starts = Arrays.copyOf(starts, starts.length * 2);
          ends = Arrays.copyOf(ends, ends.length * 2);
        }
        starts[at] = segStart;
        ends[at] = i;
        out.append(f.charAt(k));
      }
    }
    return new FoldedText(text, out.toString(), starts, ends);
  }

  /** NFKC and lower case of a whole string (used for the word list). */
  public static String fold(String s) {
    return Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
  }

  private static boolean isCombining(int cp) {
    int t = Character.getType(cp);
    return t == Character.NON_SPACING_MARK || t == Character.ENCLOSING_MARK || t == Character.COMBINING_SPACING_MARK;
  }

  public String folded() {
    return folded;
  }

  public String original() {
    return original;
  }

  /** Start (in chars of the original) of the source of folded char {@code i}. */
  public int originalStart(int i) {
    return segmentStart[i];
  }

  /** End (exclusive, in chars of the original) of the source of folded char {@code i}. */
  public int originalEnd(int i) {
    return segmentEnd[i];
  }
}
