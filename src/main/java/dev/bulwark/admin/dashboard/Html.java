package dev.bulwark.admin.dashboard;

import org.jspecify.annotations.Nullable;

/**
 * Text made safe for a page: {@link #visible} shows control and bidirectional-override characters
 * as escapes (a newline, an ANSI sequence or a right-to-left override in an attacker's user agent
 * cannot reshape what an operator reads), and {@link #escape} makes any text inert in an element's
 * content or in a quoted attribute value.
 */
final class Html {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Html() {}

  /**
   * Returns {@code text} with every control and bidi-override character as {@code \xNN}/{@code
   * \\uNNNN}.
   */
  static String visible(@Nullable String text) {
    if (text == null) {
      return "";
    }
    StringBuilder sb = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean hide =
          c < 0x20
              || (c >= 0x7f && c < 0xa0)
              || isBidiControl(c)
              || c == 0x2028
              || c == 0x2029
              || c == 0xfeff;
      if (hide) {
        if (sb == null) {
          sb = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        if (c < 0x100) {
          sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
        } else {
          sb.append("\\u")
              .append(HEX[c >> 12])
              .append(HEX[(c >> 8) & 0xf])
              .append(HEX[(c >> 4) & 0xf])
              .append(HEX[c & 0xf]);
        }
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? text : sb.toString();
  }

  private static boolean isBidiControl(char c) {
    return (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069)
        || c == 0x200e
        || c == 0x200f
        || c == 0x061c;
  }

  /** Returns {@code text} (made {@link #visible}) escaped for element content and attributes. */
  static String escape(@Nullable String text) {
    String v = visible(text);
    StringBuilder sb = null;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      String r =
          switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            case '"' -> "&quot;";
            case '\'' -> "&#39;";
            case '`' -> "&#96;";
            default -> null;
          };
      if (r != null) {
        if (sb == null) {
          sb = new StringBuilder(v.length() + 16).append(v, 0, i);
        }
        sb.append(r);
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? v : sb.toString();
  }
}
