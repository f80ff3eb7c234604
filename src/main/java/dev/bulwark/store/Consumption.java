package dev.bulwark.store;

/**
 * What taking a token from a bucket found: whether it was allowed, the tokens left, and how long
 * until the next token and until the bucket is full again.
 */
public record Consumption(boolean allowed, long remaining, long nanosToRefill, long nanosToFull) {
  /**
   * Stands for an answer the store could not give (its {@link RateLimitStore#consume} completed
   * exceptionally), for a caller that keeps the outcome as a value: the policy's on-store-failure
   * decides.
   */
  public static final Consumption STORE_FAILED = new Consumption(false, -1, 0, 0);

  /** Returns whether this stands for a store failure. */
  public boolean failed() {
    return remaining < 0;
  }
}
