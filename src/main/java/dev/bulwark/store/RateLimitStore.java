package dev.bulwark.store;

import java.util.function.Consumer;

/** Token buckets by key, shared by every gateway process that uses the same store. */
public interface RateLimitStore {
  /**
   * Takes one token from the bucket {@code key} of the given shape (created full when new) and
   * hands the outcome to {@code done}: synchronously when the store is in memory, else later on a
   * store thread. A store failure is reported as {@link Consumption#STORE_FAILED}, never thrown.
   */
  void consume(String key, BucketShape shape, Consumer<Consumption> done);
}
