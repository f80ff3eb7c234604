package dev.bulwark.store;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import java.time.Duration;

/**
 * The shape of one token bucket: it holds up to {@code capacity} tokens and gains {@code refill}
 * tokens every {@code period}, greedily (a token as soon as its share of the period has passed).
 */
public final class BucketShape {
  private final long capacity;
  private final long refill;
  private final Duration period;
  private final BucketConfiguration configuration;
  private final String periodMicros;

  public BucketShape(long capacity, long refill, Duration period) {
    if (capacity < 1 || refill < 1 || period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("a bucket needs capacity, refill and period above zero");
    }
    this.capacity = capacity;
    this.refill = refill;
    this.period = period;
    this.configuration =
        BucketConfiguration.builder()
            .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(refill, period).build())
            .build();
    this.periodMicros = String.valueOf(period.toNanos() / 1000);
  }

  /** Returns the refill period in microseconds as text (an argument of the Redis script). */
  public String periodMicros() {
    return periodMicros;
  }

  public long capacity() {
    return capacity;
  }

  public long refill() {
    return refill;
  }

  public Duration period() {
    return period;
  }

  /** Returns how long an untouched bucket takes to fill up from empty (how long to remember it). */
  public Duration timeToFill() {
    long nanos;
    try {
      nanos = Math.multiplyExact(period.toNanos(), capacity) / refill;
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE;
    }
    return Duration.ofNanos(Math.max(nanos, period.toNanos()));
  }

  /** Returns the Bucket4j form of the shape. */
  public BucketConfiguration configuration() {
    return configuration;
  }
}
