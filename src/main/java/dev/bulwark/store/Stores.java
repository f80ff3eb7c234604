package dev.bulwark.store;

import dev.bulwark.store.memory.MemoryStores;
import dev.bulwark.store.postgres.PostgresStore;
import dev.bulwark.store.postgres.PostgresStores;
import dev.bulwark.store.redis.RedisStore;
import dev.bulwark.store.sqlite.SqliteStores;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/**
 * The capability stores that the {@code store:} section yields: one per kind of shared state, all
 * from the same backend, with its health. {@link #open} is the one place where a backend is chosen;
 * nothing else in the gateway knows which one it runs on.
 *
 * <p>Adding a capability (sessions, nonces, idempotency records, accounts, audit records):
 *
 * <ol>
 *   <li>declare its interface in this package, following the package's async convention, with every
 *       bound and lifetime a parameter or a value passed to {@link #open} by the caller (a store
 *       never reads a policy's defaults);
 *   <li>implement it in {@code memory/} (bounded) and in the cluster backend: {@code redis/} for
 *       short-lived shared state (counters, nonces, idempotency records, sessions, revocations), a
 *       {@code postgres/} backend for durable records (accounts, the audit trail) composed here
 *       beside Redis;
 *   <li>add its accessor below and to both backends' {@code Stores};
 *   <li>run the same contract test against both implementations (real Redis in the test suite).
 * </ol>
 */
public interface Stores extends AutoCloseable {
  /** The ban bound of an embedded store opened only to compile a configuration. */
  long COMPILE_ONLY_MAX_BANS = 100_000;

  /**
   * Opens the configured backend, holding at most {@code maxBans} bans (the caller's bound); a
   * cluster store connects in the background (never blocks); an embedded store with a data
   * directory opens its file and loads it before returning, and {@code store.postgres} connects,
   * migrates its schema and unwraps its data keys before returning (start-up only).
   *
   * @throws StoreUnavailable when the data directory or PostgreSQL cannot be opened (one line: path
   *     or address, what to do)
   */
  static Stores open(StoreConfig config, long maxBans, MeterRegistry registry) {
    Stores base = openBase(config, maxBans, registry);
    StoreConfig.Postgres postgres = config.postgres();
    StoreConfig.MasterKeyReference master = config.masterKey();
    if (postgres == null) {
      return base;
    }
    try {
      if (master == null) {
        throw new StoreUnavailable(
            "store.postgres: no store.master-key (expected: a secret reference; accounts are"
                + " sealed under it)");
      }
      return new PostgresStores(
          base, PostgresStore.open(postgres, master.key(), new StoreHealth("postgres", registry)));
    } catch (RuntimeException e) {
      base.close();
      throw e;
    }
  }

  private static Stores openBase(StoreConfig config, long maxBans, MeterRegistry registry) {
    if (config.cluster()) {
      return RedisStore.connect(config, maxBans, new StoreHealth("redis", registry));
    }
    Path dataDir = config.dataDir();
    StoreConfig.MasterKeyReference master = config.masterKey();
    if (dataDir != null && master != null) {
      return SqliteStores.open(
          dataDir,
          master.key(),
          config.maxKeys(),
          maxBans,
          new StoreHealth("embedded", registry),
          config.backup());
    }
    return new MemoryStores(config.maxKeys(), maxBans);
  }

  /**
   * An embedded store for compiling without running (check-config, tests). Nothing is banned while
   * compiling, so its ban bound is the store's own, not a policy's default.
   */
  static Stores embedded() {
    return new MemoryStores(StoreConfig.EMBEDDED.maxKeys(), COMPILE_ONLY_MAX_BANS);
  }

  /** Returns the token buckets of rate limits. */
  RateLimitStore rateLimits();

  /** Returns bans and strike counters. */
  BanStore bans();

  /** Returns the nonces of signed requests seen recently. */
  NonceStore nonces();

  /** Returns idempotency records: in-flight claims and completed responses to replay. */
  IdempotencyStore idempotency();

  /** Returns refresh-token families and recently revoked sessions. */
  RefreshTokenStore refreshTokens();

  /** Returns the keys the gateway signs its own tokens with. */
  SigningKeyStore signingKeys();

  /** Returns the connection counts of other gateway processes (none when embedded). */
  ConnectionCounts connections();

  /**
   * Returns accounts: in memory (embedded, bounded by {@code max-keys}), in the data directory's
   * file (embedded with {@code data-dir}), or in PostgreSQL ({@code store.postgres}); a Redis store
   * without PostgreSQL has none (every operation fails with {@link StoreUnavailable}).
   */
  AccountStore accounts();

  /** Returns organisations and memberships, kept where {@link #accounts} are. */
  OrganisationStore organisations();

  /** Returns the backend's health: whether it answers, and its failures so far. */
  StoreHealth health();

  /** Returns the backend's name: {@code embedded} or {@code redis}. */
  String kind();

  /** Stops background work and closes connections; an embedded store has none. */
  @Override
  void close();
}
