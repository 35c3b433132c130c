package com.seedim.im.server.observe;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, parsed loosely: label matchers ({@code {...}}), range and subquery
 * selectors ({@code [...]}), strings, numbers with units, grouping clauses ({@code by (..)}, {@code on (..)}, ...)
 * are removed; of the identifiers left, those that are not a function call, a keyword or an aggregation are
 * metric names.
 */
final class PromQlNames {
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
    "offset", "bool", "and", "or", "unless", "atan2", "inf", "nan");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENT = Pattern.compile("(?<![\\w:$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

  private PromQlNames() {
  }

  static Set<String> of(String expr) {
    String s = STRING.matcher(expr).replaceAll("\"\"");
    s = stripBalanced(s, '{', '}');
    s = stripBalanced(s, '[', ']');
    s = GROUPING.matcher(s).replaceAll(" ");
    s = s.replaceAll("\\b\\d+(\\.\\d+)?(e[+-]?\\d+)?([smhdwy]|ms)?\\b", " ");
    Set<String> names = new LinkedHashSet<>();
    Matcher m = IDENT.matcher(s);
    while (m.find()) {
      String id = m.group(1);
      boolean call = m.group(2) != null;
      if (!call && !KEYWORDS.contains(id.toLowerCase())) {
        names.add(id);
      }
    }
    return names;
  }

  private static String stripBalanced(String s, char open, char close) {
    StringBuilder out = new StringBuilder(s.length());
    int depth = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == open) {
        if (depth == 0) {
          out.append(open).append(close);
        }
        depth++;
      } else if (c == close && depth > 0) {
        depth--;
      } else if (depth == 0) {
        out.append(c);
      }
    }
    return out.toString();
  }
}
