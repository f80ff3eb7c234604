package dev.bulwark.identity.totp;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;

/**
 * Checks TOTP codes within a skew of steps around now, accepting each code once: the caller keeps
 * the last accepted step with the account and passes it in; a code of that step or an earlier one
 * is refused as replayed, and an accepted code returns its step to store in its place. Every step
 * of the window is computed and compared in constant time, whatever matches, so the time taken says
 * nothing of which one did. Stateless and thread-safe.
 */
public final class TotpVerifier {
  /** The last accepted step of an account that never used a code. */
  public static final long NEVER = Long.MIN_VALUE;

  private final int skewSteps;

  /** A verifier that accepts codes up to {@code skewSteps} steps before or after now. */
  public TotpVerifier(TotpSettings settings) {
    this.skewSteps = requireNonNull(settings, "settings").skewSteps();
  }

  /**
   * Checks {@code code} against {@code secret} at {@code now}, given the last accepted step ({@link
   * #NEVER} when none).
   */
  public TotpCheck verify(TotpSecret secret, String code, Instant now, long lastAcceptedStep) {
    requireNonNull(secret, "secret");
    requireNonNull(code, "code");
    requireNonNull(now, "now");
    if (!wellFormed(code)) {
      return new TotpCheck(TotpCheck.Outcome.MALFORMED, lastAcceptedStep);
    }
    byte[] given = code.getBytes(StandardCharsets.US_ASCII);
    byte[] key = secret.bytes();
    long current = Totp.step(now);
    long accepted = NEVER;
    boolean replayed = false;
    for (long step = current - skewSteps; step <= current + skewSteps; step++) {
      byte[] expected = Totp.code(key, step, Totp.DIGITS).getBytes(StandardCharsets.US_ASCII);
      boolean match = MessageDigest.isEqual(expected, given);
      if (match && step > lastAcceptedStep) {
        accepted = Math.max(accepted, step);
      } else if (match) {
        replayed = true;
      }
    }
    if (accepted != NEVER) {
      return new TotpCheck(TotpCheck.Outcome.ACCEPTED, accepted);
    }
    return new TotpCheck(
        replayed ? TotpCheck.Outcome.REPLAYED : TotpCheck.Outcome.WRONG, lastAcceptedStep);
  }

  private static boolean wellFormed(String code) {
    if (code.length() != Totp.DIGITS) {
      return false;
    }
    for (int i = 0; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
