package dev.bulwark.identity.totp;

import java.security.GeneralSecurityException;
import java.time.Instant;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The TOTP function of RFC 6238 over HOTP (RFC 4226) with HMAC-SHA1: the code of a time step, and
 * the step of an instant (30-second steps counted from the epoch).
 */
public final class Totp {
  /** The length of a step, in seconds. */
  public static final int PERIOD_SECONDS = 30;

  /** The number of digits of a code. */
  public static final int DIGITS = 6;

  private static final int[] POWERS = {
    1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000
  };

  private Totp() {}

  /** Returns the time step {@code instant} falls in. */
  public static long step(Instant instant) {
    return Math.floorDiv(instant.getEpochSecond(), PERIOD_SECONDS);
  }

  /** Returns the 6-digit code of {@code step}, zero-padded. */
  public static String code(TotpSecret secret, long step) {
    return code(secret.bytes(), step, DIGITS);
  }

  /** Returns the code of {@code step} with {@code digits} digits (6..8), zero-padded. */
  static String code(byte[] key, long step, int digits) {
    if (digits < 6 || digits > 8) {
      throw new IllegalArgumentException("digits: " + digits + " (expected: 6..8)");
    }
    byte[] counter = new byte[8];
    long c = step;
    for (int i = 7; i >= 0; i--) {
      counter[i] = (byte) c;
      c >>>= 8;
    }
    byte[] h;
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key, "HmacSHA1"));
      h = mac.doFinal(counter);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is missing from this Java runtime", e);
    }
    int offset = h[h.length - 1] & 0x0f;
    int binary =
        ((h[offset] & 0x7f) << 24)
            | ((h[offset + 1] & 0xff) << 16)
            | ((h[offset + 2] & 0xff) << 8)
            | (h[offset + 3] & 0xff);
    int otp = binary % POWERS[digits];
    StringBuilder s = new StringBuilder(Integer.toString(otp));
    while (s.length() < digits) {
      s.insert(0, '0');
    }
    return s.toString();
  }
}
