package dev.bulwark.routing;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A compiled route path: exact ({@code /api/health}), with templates ({@code /api/orgs/{org}}), or
 * ending in {@code /**} (any rest, including none). Ordered by specificity: at the first differing
 * segment a literal beats a template, a template beats the end of the pattern, and the end beats
 * {@code **}.
 */
public final class RoutePattern {
  /** Orders more specific patterns first. */
  public static final java.util.Comparator<RoutePattern> SPECIFICITY =
      RoutePattern::compareSpecificity;

  private static final int WILDCARD = 1;
  private static final int END = 2;
  private static final int PARAM = 3;
  private static final int LITERAL = 4;

  private final String source;
  private final @Nullable String[] literals; // null entry for a template segment
  private final String[] paramNames;
  private final boolean wildcard;

  private RoutePattern(
      String source, @Nullable String[] literals, String[] paramNames, boolean wildcard) {
    this.source = source;
    this.literals = literals;
    this.paramNames = paramNames;
    this.wildcard = wildcard;
  }

  /** Returns why a pattern is malformed, or null when it is well formed. */
  public static @Nullable String problem(String pattern) {
    try {
      parse(pattern);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /** Compiles a pattern; throws {@link IllegalArgumentException} saying what was expected. */
  public static RoutePattern parse(String pattern) {
    if (!pattern.startsWith("/")) {
      throw new IllegalArgumentException("expected: a path starting with /");
    }
    if (pattern.equals("/**")) {
      return new RoutePattern(pattern, new String[0], new String[0], true);
    }
    if (pattern.equals("/")) {
      return new RoutePattern(pattern, new String[] {""}, new String[0], false);
    }
    String[] parts = pattern.substring(1).split("/", -1);
    List<@Nullable String> lits = new ArrayList<>();
    List<String> names = new ArrayList<>();
    boolean wildcard = false;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.equals("**")) {
        if (i != parts.length - 1) {
          throw new IllegalArgumentException("expected: ** only as the last segment");
        }
        wildcard = true;
      } else if (p.startsWith("{") && p.endsWith("}")) {
        String name = p.substring(1, p.length() - 1);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_-]{0,63}")) {
          throw new IllegalArgumentException("expected: {name} with a letter first");
        }
        if (names.contains(name)) {
          throw new IllegalArgumentException(
              "expected: template names used once ({" + name + "} twice)");
        }
        lits.add(null);
        names.add(name);
      } else if (p.isEmpty() && i != parts.length - 1) {
        throw new IllegalArgumentException("expected: no empty segment (//)");
      } else if (p.contains("{") || p.contains("}") || p.contains("*")) {
        throw new IllegalArgumentException(
            "expected: a segment that is a literal, {name} or a final **");
      } else if (!("/" + p).equals(PathNormalizer.normalize("/" + p))) {
        throw new IllegalArgumentException(
            "expected: a normalised path (no dot segments, escapes only where needed)");
      } else {
        lits.add(p);
      }
    }
    return new RoutePattern(
        pattern, lits.toArray(new @Nullable String[0]), names.toArray(new String[0]), wildcard);
  }

  /** Returns the template names in order. */
  public List<String> paramNames() {
    return List.of(paramNames);
  }

  /** Returns the pattern as written. */
  public String source() {
    return source;
  }

  /**
   * Matches a normalised path; returns null when it does not match, else the template values in
   * order (an empty array when there are none).
   */
  public String @Nullable [] match(String path) {
    return match(path, false);
  }

  /**
   * Matches a normalised path comparing literal segments without regard to ASCII letter case;
   * returns the template values as written in the path.
   */
  public String @Nullable [] matchIgnoringCase(String path) {
    return match(path, true);
  }

  /** Whether some literal segment has an upper-case letter. */
  public boolean hasUpperCaseLiteral() {
    for (String lit : literals) {
      if (lit != null && !lit.equals(lit.toLowerCase(java.util.Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  private String @Nullable [] match(String path, boolean ignoreCase) {
    int pos = 1;
    int n = path.length();
    String[] values = paramNames.length == 0 ? NO_VALUES : new String[paramNames.length];
    int v = 0;
    for (int i = 0; i < literals.length; i++) {
      if (pos > n) {
        return null;
      }
      int end = path.indexOf('/', pos);
      if (end < 0) {
        end = n;
      }
      String lit = literals[i];
      if (lit == null) {
        if (end == pos) {
          return null;
        }
        values[v++] = path.substring(pos, end);
      } else if (lit.length() != end - pos
          || !path.regionMatches(ignoreCase, pos, lit, 0, lit.length())) {
        return null;
      }
      pos = end + 1;
    }
    if (wildcard) {
      return values;
    }
    return pos == n + 1 ? values : null;
  }

  private static final String[] NO_VALUES = new String[0];

  private int rank(int i) {
    if (i < literals.length) {
      return literals[i] == null ? PARAM : LITERAL;
    }
    return wildcard ? WILDCARD : END;
  }

  /** Returns whether two patterns match exactly the same paths. */
  public boolean sameShape(RoutePattern other) {
    if (wildcard != other.wildcard || literals.length != other.literals.length) {
      return false;
    }
    for (int i = 0; i < literals.length; i++) {
      String a = literals[i];
      String b = other.literals[i];
      if (a == null ? b != null : !a.equals(b)) {
        return false;
      }
    }
    return true;
  }

  /** Returns whether this pattern matches every path that {@code other} matches. */
  public boolean covers(RoutePattern other) {
    if (!wildcard) {
      return sameShape(other);
    }
    for (int i = 0; i < literals.length; i++) {
      if (i >= other.literals.length) {
        return false;
      }
      String a = literals[i];
      if (a != null && !a.equals(other.literals[i])) {
        return false;
      }
    }
    return true;
  }

  private int compareSpecificity(RoutePattern o) {
    int len = Math.max(literals.length, o.literals.length) + 1;
    for (int i = 0; i < len; i++) {
      int a = rank(i);
      int b = o.rank(i);
      if (a != b) {
        return Integer.compare(b, a);
      }
      String x = i < literals.length ? literals[i] : null;
      String y = i < o.literals.length ? o.literals[i] : null;
      if (x != null && y != null) {
        int c = x.compareTo(y);
        if (c != 0) {
          return c;
        }
      }
      if (a == END || a == WILDCARD) {
        return 0;
      }
    }
    return 0;
  }

  @Override
  public String toString() {
    return source;
  }
}
