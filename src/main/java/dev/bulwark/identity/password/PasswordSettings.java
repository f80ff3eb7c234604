package dev.bulwark.identity.password;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The password settings ({@code identity.passwords}).
 *
 * @param argon2 the cost of new hashes (older hashes are upgraded on the next login)
 * @param minLength the fewest characters (Unicode code points, after NFKC) a new password has
 * @param maxLength the most characters a password has; longer ones are refused, never hashed
 * @param minScore the lowest zxcvbn score (0..4) a new password has
 * @param breachedFile the operator's list of breached passwords (plain lines or SHA-1 hex lines),
 *     or null for none
 * @param pwnedRange the optional range lookup
 */
public record PasswordSettings(
    Argon2Cost argon2,
    int minLength,
    int maxLength,
    int minScore,
    @Nullable Path breachedFile,
    PwnedRangeSettings pwnedRange) {
  /** The defaults: OWASP's cost, 12 to 128 characters, score 3, no file, no lookup. */
  public static final PasswordSettings DEFAULTS =
      new PasswordSettings(Argon2Cost.OWASP, 12, 128, 3, null, PwnedRangeSettings.OFF);

  /** The fewest characters a configuration may ask for (NIST SP 800-63B's floor). */
  public static final int MIN_LENGTH_FLOOR = 8;

  /** The least a configuration may set the longest password to. */
  public static final int MAX_LENGTH_FLOOR = 64;

  public PasswordSettings {
    requireNonNull(argon2, "argon2");
    requireNonNull(pwnedRange, "pwnedRange");
    if (minLength < MIN_LENGTH_FLOOR) {
      throw new IllegalArgumentException(
          "minLength: " + minLength + " (expected: >= " + MIN_LENGTH_FLOOR + ")");
    }
    if (maxLength < Math.max(MAX_LENGTH_FLOOR, minLength) || maxLength > PasswordHasher.MAX_CHARS) {
      throw new IllegalArgumentException(
          "maxLength: "
              + maxLength
              + " (expected: "
              + Math.max(MAX_LENGTH_FLOOR, minLength)
              + ".."
              + PasswordHasher.MAX_CHARS
              + ")");
    }
    if (minScore < 0 || minScore > 4) {
      throw new IllegalArgumentException("minScore: " + minScore + " (expected: 0..4)");
    }
  }
}
