package dev.bulwark.store;

import java.util.concurrent.CompletionStage;

/** Token buckets by key, shared by every gateway process that uses the same store. */
public interface RateLimitStore {
  /**
   * Takes one token from the bucket {@code key} of the given shape (created full when new) and
   * completes with what it found: at once when the store is in memory, else later on the thread the
   * answer arrives on. A store failure (unreachable, timed out) completes it exceptionally; the
   * caller's on-store-failure decides.
   */
  CompletionStage<Consumption> consume(String key, BucketShape shape);
}
