package dev.bulwark.identity.password;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The optional k-anonymity range lookup of a new password against a Pwned-Passwords-compatible
 * service ({@code identity.passwords.pwned-range}): off unless {@code url} is set.
 *
 * @param url the service's base; {@code GET {url}/range/{first five hex digits of the SHA-1}}, or
 *     null when off
 * @param timeout how long one lookup may take before it counts as failed
 * @param onFailure what a failed lookup (timeout, error, unreadable answer) does to the password
 */
public record PwnedRangeSettings(@Nullable URI url, Duration timeout, OnFailure onFailure) {
  /** No lookup. */
  public static final PwnedRangeSettings OFF =
      new PwnedRangeSettings(null, Duration.ofSeconds(2), OnFailure.ALLOW);

  /** What a failed lookup does. */
  public enum OnFailure {
    /** The password is accepted on the local checks alone, and the failure is recorded. */
    ALLOW,
    /** The password is refused with a reason asking to try again later. */
    REFUSE
  }

  public PwnedRangeSettings {
    requireNonNull(timeout, "timeout");
    requireNonNull(onFailure, "onFailure");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
  }

  /** Returns whether lookups are made. */
  public boolean enabled() {
    return url != null;
  }
}
