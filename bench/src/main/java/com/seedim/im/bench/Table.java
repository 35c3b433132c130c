package com.seedim.im.bench;

import java.util.ArrayList;
import java.util.List;

/** A small table printed to the console and rendered as Markdown. */
final class Table {
  final String title;
  final List<String> header;
  final List<List<String>> rows = new ArrayList<>();

  Table(String title, String... header) {
    this.title = title;
    this.header = List.of(header);
  }

  Table row(Object... cells) {
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(fmt(c));
    }
    rows.add(r);
    return this;
  }

  static String fmt(Object c) {
    if (c == null) {
      return "–";
    }
    if (c instanceof Double d) {
      if (d.isNaN()) {
        return "–";
      }
      double a = Math.abs(d);
      if (d == Math.rint(d) && a < 1e15) {
        return String.format("%,d", (long) (double) d);
      }
      return a >= 100 ? String.format("%,.0f", d) : a >= 10 ? String.format("%.1f", d) : String.format("%.2f", d);
    }
    if (c instanceof Float f) {
      return fmt(f.doubleValue());
    }
    if (c instanceof Long || c instanceof Integer) {
      return String.format("%,d", ((Number) c).longValue());
    }
    return c.toString();
  }

  void print() {
    int[] w = new int[header.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = header.get(i).length();
      for (List<String> r : rows) {
        w[i] = Math.max(w[i], i < r.size() ? r.get(i).length() : 0);
      }
    }
    StringBuilder sb = new StringBuilder("\n== ").append(title).append(" ==\n");
    line(sb, header, w);
    for (int i = 0; i < w.length; i++) {
      sb.append("-".repeat(w[i])).append(i + 1 < w.length ? "-+-" : "\n");
    }
    for (List<String> r : rows) {
      line(sb, r, w);
    }
    System.out.print(sb);
    System.out.flush();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] w) {
    for (int i = 0; i < w.length; i++) {
      String c = i < cells.size() ? cells.get(i) : "";
      sb.append(c).append(" ".repeat(w[i] - c.length())).append(i + 1 < w.length ? " | " : "\n");
    }
  }

  String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("| ").append(String.join(" | ", header)).append(" |\n|");
    for (int i = 0; i < header.size(); i++) {
      sb.append("---|");
    }
    sb.append('\n');
    for (List<String> r : rows) {
      sb.append("| ").append(String.join(" | ", r).replace("\n", " ")).append(" |\n");
    }
    return sb.toString();
  }
}
