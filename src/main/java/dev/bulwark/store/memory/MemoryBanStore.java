package dev.bulwark.store.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.bulwark.store.Ban;
import dev.bulwark.store.BanStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Bans and strikes in this process's memory. Strike counters and ban repeat counts are bounded
 * (least recently used forgotten first); the ban list holds at most {@code maxBans}, beyond which
 * automatic bans are refused (and logged by the caller) rather than growing without end.
 */
public final class MemoryBanStore implements BanStore {
  private final ConcurrentMap<String, Ban> bans = new ConcurrentHashMap<>();
  private final Cache<String, Window> strikes;
  private final Cache<String, Window> repeats;
  private final long maxBans;
  private final LongSupplier wallClock;

  /** A fixed window that began at {@code startNanos} (monotonic) and has {@code count} strikes. */
  private record Window(long startNanos, long lengthNanos, long count) {}

  public MemoryBanStore(long maxKeys, long maxBans) {
    this(maxKeys, maxBans, System::currentTimeMillis);
  }

  MemoryBanStore(long maxKeys, long maxBans, LongSupplier wallClock) {
    this.maxBans = maxBans;
    this.wallClock = wallClock;
    this.strikes = windows(maxKeys);
    this.repeats = windows(maxKeys);
  }

  private static Cache<String, Window> windows(long maxKeys) {
    return Caffeine.newBuilder()
        .maximumSize(maxKeys)
        .executor(Runnable::run)
        .expireAfter(
            new Expiry<String, Window>() {
              @Override
              public long expireAfterCreate(String key, Window value, long currentTime) {
                return value.lengthNanos();
              }

              @Override
              public long expireAfterUpdate(
                  String key, Window value, long currentTime, long currentDuration) {
                return Math.max(0, value.startNanos() + value.lengthNanos() - System.nanoTime());
              }

              @Override
              public long expireAfterRead(
                  String key, Window value, long currentTime, long currentDuration) {
                return currentDuration;
              }
            })
        .build();
  }

  @Override
  public @Nullable Ban active(String address) {
    Ban b = bans.get(address);
    if (b == null) {
      return null;
    }
    if (!b.activeAt(wallClock.getAsLong())) {
      bans.remove(address, b);
      return null;
    }
    return b;
  }

  @Override
  public CompletionStage<Ban> ban(
      String address,
      Duration base,
      Duration max,
      Duration repeatMemory,
      String reason,
      String by) {
    long earlier = count(repeats, address, repeatMemory) - 1;
    Ban ban = banFor(address, base, max, earlier, reason, by, wallClock.getAsLong());
    if (bans.size() >= maxBans && !bans.containsKey(address)) {
      purgeExpired();
      if (bans.size() >= maxBans) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("ban list full (" + maxBans + " bans)"));
      }
    }
    bans.put(address, ban);
    return CompletableFuture.completedFuture(ban);
  }

  /** Computes a ban: {@code base} doubled per earlier ban, capped at {@code max}. */
  public static Ban banFor(
      String address,
      Duration base,
      Duration max,
      long earlier,
      String reason,
      String by,
      long nowMillis) {
    long millis = base.toMillis();
    for (long i = 0; i < earlier && millis < max.toMillis(); i++) {
      millis *= 2;
    }
    millis = Math.min(millis, max.toMillis());
    return new Ban(address, nowMillis + millis, reason, (int) Math.min(earlier, 1000), by);
  }

  /**
   * Puts back a ban read from durable storage as it was made (its end, repeat count and author),
   * unless it has ended; the bound was applied when it was made.
   */
  public void restore(Ban ban) {
    if (ban.activeAt(wallClock.getAsLong())) {
      bans.put(ban.address(), ban);
    }
  }

  /** Lifts exactly this ban (not a later one for the same address); returns whether it was. */
  public boolean lift(Ban ban) {
    return bans.remove(ban.address(), ban);
  }

  @Override
  public CompletionStage<Boolean> unban(String address) {
    return CompletableFuture.completedFuture(bans.remove(address) != null);
  }

  @Override
  public List<Ban> list() {
    purgeExpired();
    return new ArrayList<>(bans.values());
  }

  @Override
  public CompletionStage<Long> strike(String rule, String address, Duration window) {
    return CompletableFuture.completedFuture(count(strikes, rule + '|' + address, window));
  }

  @Override
  public CompletionStage<Void> forgetStrikes(String rule, String address) {
    strikes.invalidate(rule + '|' + address);
    return CompletableFuture.completedFuture(null);
  }

  private static long count(Cache<String, Window> cache, String key, Duration length) {
    long now = System.nanoTime();
    long lengthNanos = length.toNanos();
    Window w =
        cache
            .asMap()
            .compute(
                key,
                (k, old) ->
                    old == null || now - old.startNanos() >= old.lengthNanos()
                        ? new Window(now, lengthNanos, 1)
                        : new Window(old.startNanos(), old.lengthNanos(), old.count() + 1));
    return w == null ? 1 : w.count();
  }

  private void purgeExpired() {
    long now = wallClock.getAsLong();
    bans.values().removeIf(b -> !b.activeAt(now));
  }
}
