package dev.bulwark.identity.login;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What the login throttle says of an attempt: go ahead, go ahead after holding the answer for a
 * while, or refuse now (answer {@code 429} with {@code Retry-After}) without checking anything.
 *
 * @param action what to do
 * @param after how long to hold ({@code DELAY}) or after how long to retry ({@code REFUSE}); zero
 *     for {@code ALLOW}
 */
public record ThrottleDecision(Action action, Duration after) {
  /** Go ahead at once. */
  public static final ThrottleDecision ALLOW = new ThrottleDecision(Action.ALLOW, Duration.ZERO);

  /** What to do with an attempt. */
  public enum Action {
    /** Check the credentials now. */
    ALLOW,
    /** Hold the attempt for {@link #after}, then check the credentials. */
    DELAY,
    /** Refuse the attempt without checking: retry after {@link #after}. */
    REFUSE
  }

  public ThrottleDecision {
    requireNonNull(action, "action");
    requireNonNull(after, "after");
    if (after.isNegative() || (action == Action.ALLOW) != after.isZero()) {
      throw new IllegalArgumentException(
          "after: " + after + " (expected: zero exactly when the action is ALLOW)");
    }
  }

  /** Returns a hold of {@code hold}. */
  public static ThrottleDecision delay(Duration hold) {
    return new ThrottleDecision(Action.DELAY, hold);
  }

  /** Returns a refusal to retry after {@code retryAfter}. */
  public static ThrottleDecision refuse(Duration retryAfter) {
    return new ThrottleDecision(Action.REFUSE, retryAfter);
  }

  /** Returns the {@code Retry-After} value in whole seconds, rounded up (at least 1). */
  public long retryAfterSeconds() {
    long s = after.getSeconds() + (after.getNano() > 0 ? 1 : 0);
    return Math.max(1, s);
  }
}
