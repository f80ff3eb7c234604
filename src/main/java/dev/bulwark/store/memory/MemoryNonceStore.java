package dev.bulwark.store.memory;

import dev.bulwark.store.NonceStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Nonces in this process's memory, on the monotonic clock, at most {@code maxNonces} at once.
 * Unlike a cache it never evicts a nonce that is still remembered (that would reopen the replay
 * window): when full, expired ones are swept and, if none were, the new nonce is refused as a store
 * failure, which the caller's {@code on-store-failure} decides on.
 */
public final class MemoryNonceStore implements NonceStore {
  private final ConcurrentHashMap<String, Long> until = new ConcurrentHashMap<>();
  private final AtomicLong size = new AtomicLong();
  private final long maxNonces;
  private final LongSupplier nanos;
  private final AtomicLong lastSweep;
  private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;

  /** The two answers, shared: a completed stage of this kind cannot be completed again. */
  private static final CompletionStage<Boolean> FRESH = CompletableFuture.completedStage(true);

  private static final CompletionStage<Boolean> SEEN = CompletableFuture.completedStage(false);

  public MemoryNonceStore(long maxNonces) {
    this(maxNonces, System::nanoTime);
  }

  /** A store on the given monotonic clock (tests move it). */
  public MemoryNonceStore(long maxNonces, LongSupplier nanos) {
    if (maxNonces < 1) {
      throw new IllegalArgumentException("maxNonces: " + maxNonces + " (expected: > 0)");
    }
    this.maxNonces = maxNonces;
    this.nanos = nanos;
    this.lastSweep = new AtomicLong(nanos.getAsLong() - SWEEP_INTERVAL_NANOS);
  }

  @Override
  public CompletionStage<Boolean> remember(String key, Duration lifetime) {
    long now = nanos.getAsLong();
    if (size.get() >= maxNonces && !until.containsKey(key) && sweep(now) == 0) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("nonce store full (" + maxNonces + " nonces remembered)"));
    }
    Long expiry = now + lifetime.toNanos();
    while (true) {
      Long old = until.putIfAbsent(key, expiry);
      if (old == null) {
        size.incrementAndGet();
        return FRESH;
      }
      if (old - now > 0) {
        return SEEN; // still remembered
      }
      if (until.replace(key, old, expiry)) {
        return FRESH; // remembered once, expired since
      }
      // remembered again or swept meanwhile: look again
    }
  }

  /**
   * Forgets the expired nonces; returns how many. A full store of live nonces is swept at most once
   * a second, so a flood cannot make every request walk the whole map.
   */
  private long sweep(long now) {
    long last = lastSweep.get();
    if (now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
      return 0;
    }
    long removed = 0;
    for (Map.Entry<String, Long> e : until.entrySet()) {
      // remove only the value seen: a nonce remembered again meanwhile stays
      if (e.getValue() - now <= 0 && until.remove(e.getKey(), e.getValue())) {
        removed++;
      }
    }
    size.addAndGet(-removed);
    return removed;
  }

  /** Returns how many nonces are held (expired ones included until swept). */
  public long size() {
    return size.get();
  }
}
