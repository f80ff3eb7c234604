package dev.bulwark.identity.login;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The login throttle's settings ({@code identity.login-throttle}).
 *
 * @param window how long failures are counted (fixed windows from the first failure)
 * @param freeFailures password failures of one address against one login name before delays
 * @param mfaFreeFailures second-factor failures of one address against one login name before delays
 * @param addressFreeFailures failures of one address, whatever the login names, before delays
 * @param baseDelay the first delay; each further failure doubles it
 * @param maxDelay the longest delay (the cap of the doubling; there is no lockout beyond it)
 * @param holdLimit delays up to this long are served by holding the answer ({@code delay}); longer
 *     ones are refused with {@code Retry-After}
 * @param namesPerAddress distinct login names failing from one address within the window that count
 *     as credential stuffing (the address then waits {@code maxDelay} for every name)
 * @param addressesPerName distinct addresses failing against one login name within the window that
 *     count as a distributed attack on it (its attempts are then held {@code holdLimit} each)
 * @param maxTracked the most delays and marks remembered by this process
 */
public record ThrottleSettings(
    Duration window,
    int freeFailures,
    int mfaFreeFailures,
    int addressFreeFailures,
    Duration baseDelay,
    Duration maxDelay,
    Duration holdLimit,
    int namesPerAddress,
    int addressesPerName,
    int maxTracked) {
  /** The defaults. */
  public static final ThrottleSettings DEFAULTS =
      new ThrottleSettings(
          Duration.ofMinutes(15),
          5,
          3,
          30,
          Duration.ofSeconds(1),
          Duration.ofMinutes(5),
          Duration.ofSeconds(2),
          20,
          10,
          100_000);

  public ThrottleSettings {
    requireNonNull(window, "window");
    requireNonNull(baseDelay, "baseDelay");
    requireNonNull(maxDelay, "maxDelay");
    requireNonNull(holdLimit, "holdLimit");
    positive("window", window);
    positive("baseDelay", baseDelay);
    if (maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay: " + maxDelay + " (expected: >= baseDelay " + baseDelay + ")");
    }
    if (holdLimit.isNegative() || holdLimit.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new IllegalArgumentException("holdLimit: " + holdLimit + " (expected: 0s..10s)");
    }
    atLeast("freeFailures", freeFailures, 1);
    atLeast("mfaFreeFailures", mfaFreeFailures, 1);
    atLeast("addressFreeFailures", addressFreeFailures, 1);
    atLeast("namesPerAddress", namesPerAddress, 2);
    atLeast("addressesPerName", addressesPerName, 2);
    atLeast("maxTracked", maxTracked, 1000);
  }

  private static void positive(String name, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
    }
  }

  private static void atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
    }
  }
}
