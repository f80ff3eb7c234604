package dev.bulwark.store;

import dev.bulwark.store.memory.MemoryBanStore;
import dev.bulwark.store.memory.MemoryRateLimitStore;
import dev.bulwark.store.redis.RedisStore;
import io.micrometer.core.instrument.MeterRegistry;

/** The gateway's shared state, opened once at start from the configured store. */
public final class Stores implements AutoCloseable {
  /** The ban bound of an embedded store opened only to compile a configuration. */
  private static final long COMPILE_ONLY_MAX_BANS = 100_000;

  private final RateLimitStore rateLimits;
  private final BanStore bans;
  private final ConnectionCounts connections;
  private final AutoCloseable closer;
  private final String kind;

  private Stores(
      RateLimitStore rateLimits,
      BanStore bans,
      ConnectionCounts connections,
      AutoCloseable closer,
      String kind) {
    this.rateLimits = rateLimits;
    this.bans = bans;
    this.connections = connections;
    this.closer = closer;
    this.kind = kind;
  }

  /**
   * Opens the configured store, holding at most {@code maxBans} bans; a cluster store connects in
   * the background (never blocks).
   */
  public static Stores open(StoreConfig config, long maxBans, MeterRegistry registry) {
    if (config.redis() != null) {
      RedisStore redis = RedisStore.connect(config, maxBans, new StoreHealth("redis", registry));
      return new Stores(redis.rateLimits(), redis.bans(), redis.connections(), redis, "redis");
    }
    return new Stores(
        new MemoryRateLimitStore(config.maxKeys()),
        new MemoryBanStore(config.maxKeys(), maxBans),
        ConnectionCounts.NONE,
        () -> {},
        "embedded");
  }

  /**
   * An embedded store for compiling without running (check-config, tests). Nothing is banned while
   * compiling, so its ban bound is the store's own, not a policy's default.
   */
  public static Stores embedded() {
    return open(
        StoreConfig.EMBEDDED,
        COMPILE_ONLY_MAX_BANS,
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  public RateLimitStore rateLimits() {
    return rateLimits;
  }

  public BanStore bans() {
    return bans;
  }

  /** Returns the connection counts of other gateway processes (none when embedded). */
  public ConnectionCounts connections() {
    return connections;
  }

  /** Returns {@code embedded} or {@code redis}. */
  public String kind() {
    return kind;
  }

  @Override
  public void close() throws Exception {
    closer.close();
  }
}
