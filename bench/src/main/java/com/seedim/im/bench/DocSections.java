package com.seedim.im.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Sections of docs/benchmarks.md written by scenarios that run on their own (the soak, the webhooks scenario): each
 * lies between its own begin and end markers, is replaced in place by its next run, and is kept when the default
 * suite rewrites the rest of the file.
 */
final class DocSections {
  /** Where a section without a place yet goes: before the profile of the throughput run, or before the hotspots. */
  private static final String[] ANCHORS = {"## Profile of the SeedIM throughput run", "## Hotspots found and fixed"};

  private DocSections() {
  }

  /** {@code doc} with the section between {@code begin} and {@code end} replaced, or null when it has none yet. */
  static String replace(String doc, String begin, String end, String section) {
    int b = doc.indexOf(begin);
    int e = doc.indexOf(end);
    return b >= 0 && e > b ? doc.substring(0, b) + section + doc.substring(e + end.length()).replaceFirst("^\n", "") : null;
  }

  /** {@code doc} with {@code section} put before the first anchor it has, or at its end. */
  static String insertBeforeAnchors(String doc, String section) {
    for (String anchor : ANCHORS) {
      int i = doc.indexOf(anchor);
      if (i >= 0) {
        return doc.substring(0, i) + section + "\n" + doc.substring(i);
      }
    }
    return doc + (doc.endsWith("\n") ? "\n" : "\n\n") + section;
  }

  /** Appends a hand-written analysis file (e.g. {@code bench/SOAK-ANALYSIS.md}) when it exists. */
  static void appendAnalysis(StringBuilder md, Path analysis) {
    if (Files.exists(analysis)) {
      try {
        md.append(Files.readString(analysis, StandardCharsets.UTF_8).trim()).append("\n\n");
      } catch (IOException ignored) {
        // optional
      }
    }
  }

  /** Rewrites the docs folder's benchmarks.md (or starts one) with {@code splice} applied to its text. */
  static void write(Path docs, java.util.function.UnaryOperator<String> splice) throws IOException {
    Files.createDirectories(docs);
    Path f = docs.resolve("benchmarks.md");
    String old = Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "# Benchmarks\n\n";
    Files.writeString(f, splice.apply(old), StandardCharsets.UTF_8);
  }

  /** The section between the markers in the docs folder's benchmarks.md (with a newline), or "". */
  static String existing(Path docs, String begin, String end) {
    try {
      String d = Files.readString(docs.resolve("benchmarks.md"), StandardCharsets.UTF_8);
      int b = d.indexOf(begin);
      int e = d.indexOf(end);
      return b >= 0 && e > b ? d.substring(b, e + end.length()) + "\n" : "";
    } catch (IOException e) {
      return "";
    }
  }
}
