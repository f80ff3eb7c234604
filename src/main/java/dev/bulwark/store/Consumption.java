package dev.bulwark.store;

/**
 * What taking a token from a bucket found: whether it was allowed, the tokens left, and how long
 * until the next token and until the bucket is full again.
 */
public record Consumption(boolean allowed, long remaining, long nanosToRefill, long nanosToFull) {
  /** The store could not answer (unreachable, timed out): the policy's on-store-failure decides. */
  public static final Consumption STORE_FAILED = new Consumption(false, -1, 0, 0);

  /** Returns whether the store failed to answer. */
  public boolean failed() {
    return remaining < 0;
  }
}
