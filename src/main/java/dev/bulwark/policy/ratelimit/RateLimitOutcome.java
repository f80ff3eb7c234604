package dev.bulwark.policy.ratelimit;

/**
 * The most constrained limit a request met, kept on the exchange for the response headers: its
 * name, the tokens left, the seconds until the bucket is full again, and for a refusal the seconds
 * until a request may succeed.
 */
record RateLimitOutcome(String name, long remaining, long resetSeconds, long retryAfterSeconds) {
  boolean denied() {
    return retryAfterSeconds > 0;
  }

  /** Returns the more constrained of two outcomes (a refusal wins, then fewer tokens left). */
  static RateLimitOutcome tighter(RateLimitOutcome a, RateLimitOutcome b) {
    if (a.denied() != b.denied()) {
      return a.denied() ? a : b;
    }
    return b.remaining < a.remaining ? b : a;
  }

  static long seconds(long nanos) {
    return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
  }
}
