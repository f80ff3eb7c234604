package dev.bulwark.exchange;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes request ids (20 characters, 100 random bits) and checks ids handed in by trusted proxies.
 */
public final class RequestIds {
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuv".toCharArray();

  private RequestIds() {}

  /** Returns a fresh random id. */
  public static String next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long a = r.nextLong();
    long b = r.nextLong();
    char[] c = new char[20];
    for (int i = 0; i < 12; i++) {
      c[i] = ALPHABET[(int) (a & 31)];
      a >>>= 5;
    }
    for (int i = 12; i < 20; i++) {
      c[i] = ALPHABET[(int) (b & 31)];
      b >>>= 5;
    }
    return new String(c);
  }

  /** Returns whether an incoming id is well formed: 1-64 of letters, digits, '-', '_', '.'. */
  public static boolean isWellFormed(String id) {
    int n = id.length();
    if (n == 0 || n > 64) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
