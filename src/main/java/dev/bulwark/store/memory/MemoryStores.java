package dev.bulwark.store.memory;

import dev.bulwark.store.AccountStore;
import dev.bulwark.store.BanStore;
import dev.bulwark.store.ConnectionCounts;
import dev.bulwark.store.IdempotencyStore;
import dev.bulwark.store.NonceStore;
import dev.bulwark.store.OrganisationStore;
import dev.bulwark.store.RateLimitStore;
import dev.bulwark.store.RefreshTokenStore;
import dev.bulwark.store.SigningKeyStore;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.Stores;

/**
 * The embedded backend: every capability in this process's memory, each bounded, answering before
 * it returns. Nothing to connect, so it is always up and closing it does nothing.
 */
public final class MemoryStores implements Stores {
  /**
   * The bytes of completed idempotency records (stored responses) kept in memory at most: 64 MiB,
   * or an eighth of the heap when that is less. A larger share of a small heap keeps the old
   * generation nearly full of live records, and the collector then runs back to back (measured with
   * -Xmx160m: 11.5 s of pauses in a 20 s run of first executions at 64 MiB).
   */
  public static final long IDEMPOTENCY_BYTES =
      Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8);

  private final MemoryRateLimitStore rateLimits;
  private final MemoryBanStore bans;
  private final ConnectionCounts connections = new MemoryConnectionCounts();
  private final MemoryNonceStore nonces;
  private final MemoryIdempotencyStore idempotency;
  private final StoreHealth health = StoreHealth.unmetered("embedded");
  private final MemoryOrganisationStore organisations;
  private final MemoryAccountStore accounts;
  private final MemoryRefreshTokenStore refreshTokens;
  private final MemorySigningKeyStore signingKeys = new MemorySigningKeyStore();

  /** Keeps at most {@code maxKeys} buckets and strike counters, and {@code maxBans} bans. */
  public MemoryStores(long maxKeys, long maxBans) {
    this(maxKeys, new MemoryBanStore(maxKeys, maxBans));
  }

  /** Keeps at most {@code maxKeys} buckets, with the given ban store (a durable store's cache). */
  public MemoryStores(long maxKeys, MemoryBanStore bans) {
    this.rateLimits = new MemoryRateLimitStore(maxKeys);
    this.bans = bans;
    this.organisations = new MemoryOrganisationStore(maxKeys);
    this.accounts = new MemoryAccountStore(maxKeys, organisations);
    this.nonces = new MemoryNonceStore(maxKeys);
    this.idempotency = new MemoryIdempotencyStore(maxKeys, IDEMPOTENCY_BYTES);
    this.refreshTokens = new MemoryRefreshTokenStore(maxKeys);
  }

  @Override
  public RateLimitStore rateLimits() {
    return rateLimits;
  }

  @Override
  public BanStore bans() {
    return bans;
  }

  @Override
  public NonceStore nonces() {
    return nonces;
  }

  @Override
  public IdempotencyStore idempotency() {
    return idempotency;
  }

  @Override
  public RefreshTokenStore refreshTokens() {
    return refreshTokens;
  }

  @Override
  public SigningKeyStore signingKeys() {
    return signingKeys;
  }

  @Override
  public ConnectionCounts connections() {
    return connections;
  }

  /** Returns accounts, at most {@code max-keys} of them, kept until this process exits. */
  @Override
  public AccountStore accounts() {
    return accounts;
  }

  /** Returns organisations and memberships, at most {@code max-keys} of each. */
  @Override
  public OrganisationStore organisations() {
    return organisations;
  }

  @Override
  public StoreHealth health() {
    return health;
  }

  @Override
  public String kind() {
    return "embedded";
  }

  @Override
  public void close() {}
}
