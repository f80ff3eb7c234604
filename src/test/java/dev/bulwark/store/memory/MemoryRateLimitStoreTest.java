package dev.bulwark.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.store.BucketShape;
import dev.bulwark.store.Consumption;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The embedded token buckets: exact boundaries, clock jumps, and a bounded key table. */
class MemoryRateLimitStoreTest {
  private static final BucketShape TEN_PER_MINUTE = new BucketShape(10, 10, Duration.ofMinutes(1));

  /** A clock the test moves by hand, including backwards. */
  private static final class HandClock implements TimeMeter {
    final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

    @Override
    public long currentTimeNanos() {
      return nanos.get();
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }
  }

  private static Consumption take(MemoryRateLimitStore store, String key, BucketShape shape) {
    CompletableFuture<Consumption> answer = store.consume(key, shape).toCompletableFuture();
    assertThat(answer).as("the embedded store answers synchronously").isDone();
    return answer.join();
  }

  @Test
  void aBurstAtExactlyTheLimitPassesAndTheNextRequestIsRefused() {
    HandClock clock = new HandClock();
    MemoryRateLimitStore store = new MemoryRateLimitStore(1000, clock);
    for (int i = 0; i < 10; i++) {
      Consumption c = take(store, "k", TEN_PER_MINUTE);
      assertThat(c.allowed()).as("request %d", i + 1).isTrue();
      assertThat(c.remaining()).isEqualTo(9 - i);
    }
    Consumption refused = take(store, "k", TEN_PER_MINUTE);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.nanosToRefill()).isEqualTo(Duration.ofSeconds(6).toNanos());
    // Other keys have their own bucket.
    assertThat(take(store, "other", TEN_PER_MINUTE).allowed()).isTrue();
  }

  @Test
  void aClockJumpingBackNeverRefillsAndAJumpForwardFillsAtMostToCapacity() {
    HandClock clock = new HandClock();
    MemoryRateLimitStore store = new MemoryRateLimitStore(1000, clock);
    for (int i = 0; i < 10; i++) {
      take(store, "k", TEN_PER_MINUTE);
    }
    clock.nanos.addAndGet(-Duration.ofHours(5).toNanos());
    assertThat(take(store, "k", TEN_PER_MINUTE).allowed()).isFalse();
    clock.nanos.addAndGet(Duration.ofDays(400).toNanos());
    int allowed = 0;
    for (int i = 0; i < 30; i++) {
      if (take(store, "k", TEN_PER_MINUTE).allowed()) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(10);
  }

  @Test
  void aMillionDistinctClientKeysKeepTheTableBounded() {
    MemoryRateLimitStore store = new MemoryRateLimitStore(10_000);
    Runtime rt = Runtime.getRuntime();
    // What the rest of the test JVM holds (other tests' gateways) is measured first, not counted.
    System.gc();
    long before = rt.totalMemory() - rt.freeMemory();
    for (int i = 0; i < 1_000_000; i++) {
      take(
          store,
          "rl|api|ip|ip=10." + (i >>> 16) + "." + ((i >>> 8) & 255) + "." + (i & 255),
          TEN_PER_MINUTE);
    }
    assertThat(store.size()).isLessThanOrEqualTo(10_000);
    System.gc();
    long grown = rt.totalMemory() - rt.freeMemory() - before;
    // A million kept entries take well over 100 MiB; ten thousand take a few.
    assertThat(grown).as("heap grown by a million keys").isLessThan(64L << 20);
  }
}
