package dev.bulwark.policy.idempotency;

import org.jspecify.annotations.Nullable;

/**
 * Reads the value of an {@code Idempotency-Key} header: a Structured Field string as the IETF
 * httpapi draft defines it ({@code "..."}, printable ASCII, {@code \"} and {@code \\} escaped), or,
 * for the clients that send keys unquoted (Stripe's and most SDKs), one bare run of visible ASCII
 * without quotes, backslashes, commas or semicolons. Either way the key is 1 to 255 characters;
 * parameters, lists, control characters and anything longer are refused.
 */
final class IdempotencyKeyHeader {
  /** The longest key accepted, in characters. */
  static final int MAX_LENGTH = 255;

  private IdempotencyKeyHeader() {}

  /** Returns the key the header value carries, or null when the value is not a valid key. */
  static @Nullable String parse(String raw) {
    // A quoted key of 255 characters, all escaped, is at most 512 long; anything past that is
    // refused before it is looked at character by character.
    if (raw.length() > 2 * MAX_LENGTH + 2 + 16) {
      return null;
    }
    int start = 0;
    int end = raw.length();
    while (start < end && isOws(raw.charAt(start))) {
      start++;
    }
    while (end > start && isOws(raw.charAt(end - 1))) {
      end--;
    }
    if (start == end) {
      return null;
    }
    String key = raw.charAt(start) == '"' ? quoted(raw, start, end) : bare(raw, start, end);
    return key == null || key.isEmpty() || key.length() > MAX_LENGTH ? null : key;
  }

  private static @Nullable String quoted(String raw, int start, int end) {
    StringBuilder sb = new StringBuilder(end - start);
    int i = start + 1;
    while (i < end) {
      char c = raw.charAt(i);
      if (c == '\\') {
        if (i + 1 >= end) {
          return null;
        }
        char next = raw.charAt(i + 1);
        if (next != '"' && next != '\\') {
          return null;
        }
        sb.append(next);
        i += 2;
      } else if (c == '"') {
        return i == end - 1 ? sb.toString() : null; // nothing (no parameters) after the string
      } else if (c < 0x20 || c > 0x7e) {
        return null;
      } else {
        sb.append(c);
        i++;
      }
    }
    return null; // no closing quote
  }

  private static @Nullable String bare(String raw, int start, int end) {
    for (int i = start; i < end; i++) {
      char c = raw.charAt(i);
      if (c <= 0x20 || c > 0x7e || c == '"' || c == '\\' || c == ',' || c == ';') {
        return null;
      }
    }
    return raw.substring(start, end);
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }
}
