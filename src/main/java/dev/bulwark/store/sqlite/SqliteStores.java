package dev.bulwark.store.sqlite;

import dev.bulwark.store.AccountStore;
import dev.bulwark.store.BanStore;
import dev.bulwark.store.ConnectionCounts;
import dev.bulwark.store.IdempotencyStore;
import dev.bulwark.store.NonceStore;
import dev.bulwark.store.OrganisationStore;
import dev.bulwark.store.RateLimitStore;
import dev.bulwark.store.RefreshTokenStore;
import dev.bulwark.store.SigningKeyStore;
import dev.bulwark.store.StoreConfig;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.Stores;
import dev.bulwark.store.memory.MemoryBanStore;
import dev.bulwark.store.memory.MemoryStores;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sealed.SealRefused;
import dev.bulwark.store.sql.SqlAccountStore;
import dev.bulwark.store.sql.SqlDialect;
import dev.bulwark.store.sql.SqlOrganisationStore;
import java.nio.file.Path;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * The embedded backend with a data directory: every capability in memory as in {@link
 * MemoryStores}, and what must survive a restart (bans, written through) also in the directory's
 * SQLite file, sealed; accounts, organisations and memberships live only in the file.
 */
public final class SqliteStores implements Stores {
  private final MemoryStores memory;
  private final SqliteBanStore bans;
  private final SqliteRefreshTokenStore refreshTokens;
  private final SqliteSigningKeyStore signingKeys;
  private final EmbeddedDatabase db;
  private final StoreHealth health;
  private final @Nullable ScheduledBackups backups;
  private final SqlAccountStore accounts;
  private final SqlOrganisationStore organisations;

  private SqliteStores(
      MemoryStores memory,
      SqliteBanStore bans,
      SqliteRefreshTokenStore refreshTokens,
      SqliteSigningKeyStore signingKeys,
      EmbeddedDatabase db,
      StoreHealth health,
      @Nullable ScheduledBackups backups) {
    this.memory = memory;
    this.bans = bans;
    this.refreshTokens = refreshTokens;
    this.signingKeys = signingKeys;
    this.db = db;
    this.health = health;
    this.backups = backups;
    EmbeddedSqlRunner runner = new EmbeddedSqlRunner(db, health);
    this.accounts = new SqlAccountStore(runner, db.keyring(), SqlDialect.SQLITE);
    this.organisations = new SqlOrganisationStore(runner, accounts, SqlDialect.SQLITE);
  }

  /**
   * Opens the data directory (blocking: start-up only) and loads what it holds.
   *
   * @throws StoreUnavailable with one line naming the path and what to do
   */
  public static SqliteStores open(
      Path dataDir, MasterKey master, long maxKeys, long maxBans, StoreHealth health) {
    return open(dataDir, master, maxKeys, maxBans, health, null);
  }

  /** Opens the data directory, and backs it up on {@code schedule} when one is given. */
  public static SqliteStores open(
      Path dataDir,
      MasterKey master,
      long maxKeys,
      long maxBans,
      StoreHealth health,
      StoreConfig.@Nullable BackupSchedule schedule) {
    EmbeddedDatabase db = EmbeddedDatabase.open(dataDir, master);
    try {
      MemoryBanStore memoryBans = new MemoryBanStore(maxKeys, maxBans);
      MemoryStores memory = new MemoryStores(maxKeys, memoryBans);
      SqliteBanStore bans = SqliteBanStore.load(memoryBans, db, health);
      SqliteRefreshTokenStore refreshTokens = SqliteRefreshTokenStore.load(db, health, maxKeys);
      SqliteSigningKeyStore signingKeys = SqliteSigningKeyStore.load(db, health);
      ScheduledBackups backups =
          schedule == null
              ? null
              : ScheduledBackups.start(
                  db.directory().path(), master, schedule.to(), schedule.every(), schedule.keep());
      return new SqliteStores(memory, bans, refreshTokens, signingKeys, db, health, backups);
    } catch (SealRefused e) {
      db.close();
      throw new StoreUnavailable(
          db.directory().database()
              + ": "
              + e.getMessage()
              + ": restore the data directory from a backup");
    } catch (SQLException e) {
      db.close();
      throw EmbeddedDatabase.cannotOpen(db.directory().database(), e);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** Returns the keyring the data directory's values are sealed under (the audit trail's too). */
  public Keyring keyring() {
    return db.keyring();
  }

  /** Returns the database behind the durable capabilities. */
  EmbeddedDatabase database() {
    return db;
  }

  @Override
  public RateLimitStore rateLimits() {
    return memory.rateLimits();
  }

  @Override
  public BanStore bans() {
    return bans;
  }

  @Override
  public NonceStore nonces() {
    return memory.nonces(); // short-lived: a restart forgets them (documented)
  }

  @Override
  public IdempotencyStore idempotency() {
    return memory.idempotency();
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
    return memory.connections();
  }

  @Override
  public AccountStore accounts() {
    return accounts;
  }

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

  /** Finishes the queued writes and closes the data file. */
  @Override
  public void close() {
    if (backups != null) {
      backups.close();
    }
    db.close();
  }
}
