package dev.bulwark.store.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.bulwark.store.IdempotencyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Idempotency records in this process's memory, on the monotonic clock. In-flight claims are never
 * evicted to make room (evicting one would let a retry execute twice): at most {@code maxClaims}
 * are held, expired leases are swept when that bound is reached, and a claim beyond it fails as a
 * store failure. Completed records are kept for their retention within {@code maxBytes} (their size
 * plus a fixed overhead each); beyond it the least recently used are forgotten first, so a retry of
 * a forgotten key executes again.
 */
public final class MemoryIdempotencyStore implements IdempotencyStore {
  /** What one record costs beyond its bytes (key, entry, timers), as the byte bound counts it. */
  static final int OVERHEAD = 256;

  private final long maxClaims;
  private final Ticker ticker;
  private final Map<String, InFlight> inFlight = new HashMap<>();
  private final Cache<String, Done> done;

  private record InFlight(byte[] record, long expiresNanos) {}

  private record Done(byte[] record, long keepNanos) {}

  public MemoryIdempotencyStore(long maxClaims, long maxBytes) {
    this(maxClaims, maxBytes, Ticker.systemTicker());
  }

  /** A store on the given clock (tests let leases and retentions run out with it). */
  public MemoryIdempotencyStore(long maxClaims, long maxBytes, Ticker ticker) {
    this.maxClaims = maxClaims;
    this.ticker = ticker;
    this.done =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher(
                (String k, Done v) ->
                    (int) Math.min(Integer.MAX_VALUE, v.record().length + OVERHEAD))
            .ticker(ticker)
            .executor(Runnable::run)
            .expireAfter(
                new Expiry<String, Done>() {
                  @Override
                  public long expireAfterCreate(String key, Done value, long currentTime) {
                    return value.keepNanos();
                  }

                  @Override
                  public long expireAfterUpdate(
                      String key, Done value, long currentTime, long currentDuration) {
                    return value.keepNanos();
                  }

                  @Override
                  public long expireAfterRead(
                      String key, Done value, long currentTime, long currentDuration) {
                    return currentDuration;
                  }
                })
            .build();
  }

  @Override
  public synchronized CompletionStage<Claim> claim(String key, byte[] record, Duration lease) {
    Done d = done.getIfPresent(key);
    if (d != null) {
      return CompletableFuture.completedFuture(Claim.found(d.record()));
    }
    long now = ticker.read();
    InFlight f = inFlight.get(key);
    if (f != null && f.expiresNanos() - now > 0) {
      return CompletableFuture.completedFuture(Claim.found(f.record()));
    }
    if (f == null && inFlight.size() >= maxClaims) {
      sweep(now);
      if (inFlight.size() >= maxClaims) {
        return CompletableFuture.failedFuture(
            new IllegalStateException(
                "idempotency store full: " + maxClaims + " requests in flight"));
      }
    }
    inFlight.put(key, new InFlight(record.clone(), now + lease.toNanos()));
    return CompletableFuture.completedFuture(Claim.CLAIMED);
  }

  @Override
  public synchronized CompletionStage<Boolean> complete(
      String key, byte[] record, byte[] finished, Duration retention) {
    if (!holds(key, record)) {
      return CompletableFuture.completedFuture(false);
    }
    inFlight.remove(key);
    done.put(key, new Done(finished.clone(), retention.toNanos()));
    return CompletableFuture.completedFuture(true);
  }

  @Override
  public synchronized CompletionStage<Boolean> release(String key, byte[] record) {
    if (!holds(key, record)) {
      return CompletableFuture.completedFuture(false);
    }
    inFlight.remove(key);
    return CompletableFuture.completedFuture(true);
  }

  private boolean holds(String key, byte[] record) {
    InFlight f = inFlight.get(key);
    return f != null && f.expiresNanos() - ticker.read() > 0 && Arrays.equals(f.record(), record);
  }

  private void sweep(long now) {
    Iterator<InFlight> it = inFlight.values().iterator();
    while (it.hasNext()) {
      if (it.next().expiresNanos() - now <= 0) {
        it.remove();
      }
    }
  }

  /** Returns how many requests hold a claim now (expired leases included until swept). */
  public synchronized int claims() {
    return inFlight.size();
  }

  /** Returns the completed record under {@code key}, or null, for tests. */
  byte @Nullable [] completed(String key) {
    Done d = done.getIfPresent(key);
    return d == null ? null : d.record();
  }
}
