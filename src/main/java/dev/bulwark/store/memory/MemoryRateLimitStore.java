package dev.bulwark.store.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.bulwark.store.BucketShape;
import dev.bulwark.store.Consumption;
import dev.bulwark.store.RateLimitStore;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Token buckets in this process's memory, on the monotonic clock (a wall-clock jump neither refills
 * nor drains them). At most {@code maxKeys} buckets are kept: a bucket untouched for the time it
 * takes to fill up is forgotten (a new one is the same), and beyond the cap the least recently used
 * go first, so a flood of distinct client keys cannot exhaust memory.
 */
public final class MemoryRateLimitStore implements RateLimitStore {
  private final Cache<String, Entry> buckets;
  private final TimeMeter clock;

  private record Entry(Bucket bucket, long keepNanos) {}

  public MemoryRateLimitStore(long maxKeys) {
    this(maxKeys, TimeMeter.SYSTEM_NANOTIME);
  }

  /** A store on the given clock (tests simulate clock jumps with it). */
  public MemoryRateLimitStore(long maxKeys, TimeMeter clock) {
    this.clock = clock;
    this.buckets =
        Caffeine.newBuilder()
            .maximumSize(maxKeys)
            .executor(Runnable::run)
            .expireAfter(
                new Expiry<String, Entry>() {
                  @Override
                  public long expireAfterCreate(String key, Entry value, long currentTime) {
                    return value.keepNanos();
                  }

                  @Override
                  public long expireAfterUpdate(
                      String key, Entry value, long currentTime, long currentDuration) {
                    return value.keepNanos();
                  }

                  @Override
                  public long expireAfterRead(
                      String key, Entry value, long currentTime, long currentDuration) {
                    return value.keepNanos();
                  }
                })
            .build();
  }

  @Override
  public CompletionStage<Consumption> consume(String key, BucketShape shape) {
    Entry e = buckets.get(key, k -> newEntry(shape));
    ConsumptionProbe probe = e.bucket().tryConsumeAndReturnRemaining(1);
    return CompletableFuture.completedFuture(
        new Consumption(
            probe.isConsumed(),
            probe.getRemainingTokens(),
            probe.getNanosToWaitForRefill(),
            probe.getNanosToWaitForReset()));
  }

  private Entry newEntry(BucketShape shape) {
    Bucket bucket =
        Bucket.builder()
            .addLimit(shape.configuration().getBandwidths()[0])
            .withCustomTimePrecision(clock)
            .build();
    return new Entry(bucket, shape.timeToFill().toNanos());
  }

  /** Returns the number of buckets held (after pending evictions), for tests and metrics. */
  public long size() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }
}
