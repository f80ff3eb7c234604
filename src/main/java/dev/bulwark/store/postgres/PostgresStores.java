package dev.bulwark.store.postgres;

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
 * A backend for short-lived state (Redis, or the embedded store) with accounts, organisations and
 * memberships in PostgreSQL beside it. Its health is the short-lived backend's (what policies'
 * {@code on-store-failure} is about); PostgreSQL's is {@link #postgres()}'s.
 */
public final class PostgresStores implements Stores {
  private final Stores base;
  private final PostgresStore postgres;

  public PostgresStores(Stores base, PostgresStore postgres) {
    this.base = base;
    this.postgres = postgres;
  }

  /** Returns the backend of short-lived state beside PostgreSQL (Redis, or the embedded store). */
  public Stores base() {
    return base;
  }

  /** Returns the PostgreSQL backend. */
  public PostgresStore postgres() {
    return postgres;
  }

  @Override
  public RateLimitStore rateLimits() {
    return base.rateLimits();
  }

  @Override
  public BanStore bans() {
    return base.bans();
  }

  @Override
  public ConnectionCounts connections() {
    return base.connections();
  }

  @Override
  public NonceStore nonces() {
    return base.nonces();
  }

  @Override
  public IdempotencyStore idempotency() {
    return base.idempotency();
  }

  @Override
  public RefreshTokenStore refreshTokens() {
    return base.refreshTokens();
  }

  @Override
  public SigningKeyStore signingKeys() {
    return base.signingKeys();
  }

  @Override
  public AccountStore accounts() {
    return postgres.accounts();
  }

  @Override
  public OrganisationStore organisations() {
    return postgres.organisations();
  }

  @Override
  public StoreHealth health() {
    return base.health();
  }

  @Override
  public String kind() {
    return base.kind();
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } finally {
      base.close();
    }
  }
}
