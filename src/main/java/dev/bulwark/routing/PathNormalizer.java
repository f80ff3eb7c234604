package dev.bulwark.routing;

import org.jspecify.annotations.Nullable;

/**
 * Brings a request path to the one form that routes are matched on and upstreams receive, and
 * refuses paths that different servers would read differently: percent-encoded unreserved
 * characters are decoded (so {@code /%61dmin} is {@code /admin}), other escapes are upper-cased,
 * and dot segments, empty segments, encoded slashes, backslashes, NUL and control or non-ASCII
 * characters are refused.
 */
public final class PathNormalizer {
  private PathNormalizer() {}

  /** Returns the normalised path, or null when the path must be refused. */
  public static @Nullable String normalize(String path) {
    int n = path.length();
    if (n == 0 || path.charAt(0) != '/') {
      return null;
    }
    boolean needsRewrite = false;
    for (int i = 0; i < n; i++) {
      char c = path.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '#') {
        return null;
      }
      if (c == '%') {
        needsRewrite = true;
        if (isDoubleEncodedSeparator(path, i)) {
          return null;
        }
      } else if (c == '/' && i + 1 < n) {
        char next = path.charAt(i + 1);
        if (next == '/') {
          return null;
        }
        if (next == '.' && isDotSegment(path, i + 1)) {
          return null;
        }
      }
    }
    return needsRewrite ? decodeUnreserved(path) : path;
  }

  /**
   * Returns a normalised path without its {@code ;parameters} (each segment cut at its first {@code
   * ;}, as Tomcat and Spring read it), or null when that leaves an empty segment.
   */
  public static @Nullable String withoutParameters(String path) {
    int n = path.length();
    StringBuilder out = new StringBuilder(n);
    int i = 0;
    while (i < n) {
      // path.charAt(i) == '/'
      int end = path.indexOf('/', i + 1);
      if (end < 0) {
        end = n;
      }
      int semicolon = path.indexOf(';', i + 1);
      int cut = semicolon >= 0 && semicolon < end ? semicolon : end;
      if (cut == i + 1 && end < n) {
        return null; // "/;x/" leaves "//"
      }
      if (cut == i + 1 && cut != end && i > 0) {
        return null; // a last segment that is only parameters: "/a/;x"
      }
      out.append(path, i, cut);
      i = end;
    }
    return out.length() == 0 ? "/" : out.toString();
  }

  /**
   * A segment that is {@code .} or {@code ..}, also with parameters ({@code ..;x}, read as {@code
   * ..} by Tomcat).
   */
  private static boolean isDotSegment(String s, int start) {
    int end = s.indexOf('/', start);
    if (end < 0) {
      end = s.length();
    }
    int semicolon = s.indexOf(';', start);
    if (semicolon >= 0 && semicolon < end) {
      end = semicolon;
    }
    int len = end - start;
    return (len == 1) || (len == 2 && s.charAt(start + 1) == '.');
  }

  private static @Nullable String decodeUnreserved(String path) {
    StringBuilder out = new StringBuilder(path.length());
    int n = path.length();
    for (int i = 0; i < n; i++) {
      char c = path.charAt(i);
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (i + 2 >= n) {
        return null;
      }
      int hi = Character.digit(path.charAt(i + 1), 16);
      int lo = Character.digit(path.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      int b = (hi << 4) | lo;
      if (b == '/' || b == '\\' || b == 0 || b < 0x20 || b == 0x7f) {
        return null;
      }
      if (isUnreserved(b)) {
        out.append((char) b);
      } else {
        out.append('%')
            .append(Character.toUpperCase(path.charAt(i + 1)))
            .append(Character.toUpperCase(path.charAt(i + 2)));
      }
      i += 2;
    }
    String decoded = out.toString();
    // Decoding may have produced dot segments such as /%2e%2e/.
    for (int i = 0; i < decoded.length() - 1; i++) {
      if (decoded.charAt(i) == '/'
          && decoded.charAt(i + 1) == '.'
          && isDotSegment(decoded, i + 1)) {
        return null;
      }
    }
    return decoded;
  }

  /**
   * {@code %252e}, {@code %252f}, {@code %255c}: a dot, slash or backslash for a backend that
   * decodes twice.
   */
  private static boolean isDoubleEncodedSeparator(String s, int i) {
    if (i + 4 >= s.length() || s.charAt(i + 1) != '2' || s.charAt(i + 2) != '5') {
      return false;
    }
    String next = s.substring(i + 3, i + 5).toLowerCase(java.util.Locale.ROOT);
    return next.equals("2e") || next.equals("2f") || next.equals("5c") || next.equals("00");
  }

  private static boolean isUnreserved(int b) {
    return (b >= 'A' && b <= 'Z')
        || (b >= 'a' && b <= 'z')
        || (b >= '0' && b <= '9')
        || b == '-'
        || b == '.'
        || b == '_'
        || b == '~';
  }
}
