package dev.bulwark.policy.contract;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One declared media type of a request or response body ({@code application/json}, {@code
 * application/*+json}, {@code text/*}, ...), with its compiled schema when it is JSON.
 */
record MediaType(String type, String subtype, @Nullable Schema schema) {
  /** Returns whether bodies of this type are parsed as JSON and validated. */
  boolean json() {
    return isJson(subtype);
  }

  static boolean isJson(String subtype) {
    return subtype.equals("json") || subtype.endsWith("+json");
  }

  /** Parses {@code type/subtype} (parameters dropped, lower-cased), or null when malformed. */
  static String @Nullable [] split(String value) {
    int semi = value.indexOf(';');
    String v = (semi < 0 ? value : value.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    int slash = v.indexOf('/');
    if (slash <= 0 || slash == v.length() - 1 || v.indexOf('/', slash + 1) >= 0) {
      return null;
    }
    return new String[] {v.substring(0, slash), v.substring(slash + 1)};
  }

  /** Returns the most specific declared type matching a concrete one, or null. */
  static @Nullable MediaType select(List<MediaType> declared, String type, String subtype) {
    MediaType best = null;
    int bestScore = -1;
    for (MediaType m : declared) {
      int score;
      if (m.type.equals(type) && m.subtype.equals(subtype)) {
        score = 3;
      } else if (m.type.equals(type) && m.subtype.equals("*")) {
        score = 2;
      } else if (m.type.equals(type)
          && m.subtype.startsWith("*+")
          && subtype.endsWith(m.subtype.substring(1))) {
        score = 2;
      } else if (m.type.equals("*") && m.subtype.equals("*")) {
        score = 1;
      } else {
        continue;
      }
      if (score > bestScore) {
        best = m;
        bestScore = score;
      }
    }
    return best;
  }
}
