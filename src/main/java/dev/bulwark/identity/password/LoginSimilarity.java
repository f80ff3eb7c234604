package dev.bulwark.identity.password;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a password is the login name or close to it. Both are compared case-folded (NFKC, then
 * upper- and lower-cased, so {@code ß} meets {@code ss}) and with common digit and symbol
 * substitutions undone ({@code 4→a 3→e 1→l 0→o 5→s 7→t @→a $→s}). The login name stands for itself
 * and, for an e-mail address, its local part. A password is close when, against either:
 *
 * <ul>
 *   <li>it equals it or its reverse;
 *   <li>it contains it or its reverse, when that is at least {@link #MIN_CONTAINED} characters;
 *   <li>it is within a few edits of it (Levenshtein distance at most a third of the name's length,
 *       at least 1 and at most 3).
 * </ul>
 */
final class LoginSimilarity {
  /** The shortest name whose presence inside a password refuses it. */
  static final int MIN_CONTAINED = 4;

  private LoginSimilarity() {}

  /** Returns whether {@code password} is {@code login} or close to it. */
  static boolean close(String password, String login) {
    String p = fold(password);
    String pl = unleet(p);
    for (String name : names(login)) {
      if (name.isEmpty()) {
        continue;
      }
      String reversed = new StringBuilder(name).reverse().toString();
      for (String candidate : List.of(name, reversed, unleet(name), unleet(reversed))) {
        if (p.equals(candidate) || pl.equals(candidate)) {
          return true;
        }
        if (candidate.codePointCount(0, candidate.length()) >= MIN_CONTAINED
            && (p.contains(candidate) || pl.contains(candidate))) {
          return true;
        }
      }
      int allowed = Math.max(1, Math.min(3, name.length() / 3));
      if (Math.abs(p.length() - name.length()) <= allowed
          && distance(pl, unleet(name)) <= allowed) {
        return true;
      }
    }
    return false;
  }

  /** Returns the folded forms the login name stands for: itself and an address's local part. */
  static List<String> names(String login) {
    String folded = fold(login).strip();
    List<String> out = new ArrayList<>();
    out.add(folded);
    int at = folded.lastIndexOf('@');
    if (at > 0) {
      out.add(folded.substring(0, at));
    }
    return out;
  }

  static String fold(String s) {
    return Normalizer.normalize(s, Normalizer.Form.NFKC)
        .toUpperCase(Locale.ROOT)
        .toLowerCase(Locale.ROOT);
  }

  private static String unleet(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(
          switch (c) {
            case '4', '@' -> 'a';
            case '3' -> 'e';
            case '1', '!', '|' -> 'l';
            case '0' -> 'o';
            case '5', '$' -> 's';
            case '7' -> 't';
            default -> c;
          });
    }
    return b.toString();
  }

  /** Returns the Levenshtein distance of two strings (both bounded by the callers' limits). */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
