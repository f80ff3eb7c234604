package dev.bulwark.config;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One finding about a configuration file: an error that refuses the file, or a warning. Its path
 * and message are kept on one printable line: control characters quoted into them from the file
 * (CR, LF, ANSI escapes, bidi overrides) are written as escapes.
 */
public record Problem(Severity severity, String path, String message) {

  /** How serious a finding is. */
  public enum Severity {
    ERROR,
    WARNING
  }

  public Problem {
    requireNonNull(severity, "severity");
    requireNonNull(path, "path");
    requireNonNull(message, "message");
    path = printable(path);
    message = printable(message);
  }

  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }

  /**
   * Returns {@code s} with each control, format or line-separator character written as a backslash
   * escape ({@code \r}, {@code \n}, {@code \t}, else {@code \\u} and four hex digits); other text,
   * backslashes included, is kept.
   */
  static String printable(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!unprintable(s, i, c)) {
        if (sb != null) {
          sb.append(c);
        }
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      switch (c) {
        case '\r' -> sb.append("\\r");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      }
    }
    return sb == null ? s : sb.toString();
  }

  private static boolean unprintable(String s, int i, char c) {
    if (Character.isSurrogate(c)) {
      // A pair is judged as its code point (tag characters are format characters); a lone half is
      // escaped.
      int cp = s.codePointAt(Character.isHighSurrogate(c) ? i : Math.max(0, i - 1));
      return !Character.isSupplementaryCodePoint(cp) || unprintableType(Character.getType(cp));
    }
    return unprintableType(Character.getType(c));
  }

  private static boolean unprintableType(int type) {
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
