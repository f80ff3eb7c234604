package dev.bulwark.proxy;

import java.util.ArrayList;
import java.util.List;

/**
 * A fixed set of header names, matched in any letter case without allocating: the names are kept in
 * buckets by length, so most lookups end at an empty bucket or one or two comparisons.
 */
final class HeaderNameSet {
  private final String[][] byLength;

  private HeaderNameSet(String[][] byLength) {
    this.byLength = byLength;
  }

  /** Builds the set of {@code names} (lower case). */
  static HeaderNameSet of(List<String> names) {
    int max = 0;
    for (String n : names) {
      max = Math.max(max, n.length());
    }
    List<List<String>> buckets = new ArrayList<>();
    for (int i = 0; i <= max; i++) {
      buckets.add(new ArrayList<>());
    }
    for (String n : names) {
      buckets.get(n.length()).add(n);
    }
    String[][] out = new String[max + 1][];
    for (int i = 0; i <= max; i++) {
      out[i] = buckets.get(i).toArray(new String[0]);
    }
    return new HeaderNameSet(out);
  }

  /** Returns whether {@code name} (any case) is in the set. */
  boolean contains(String name) {
    int len = name.length();
    if (len >= byLength.length) {
      return false;
    }
    for (String n : byLength[len]) {
      if (n.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }
}
