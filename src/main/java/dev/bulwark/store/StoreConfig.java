package dev.bulwark.store;

import dev.bulwark.secret.TransitKey;
import dev.bulwark.secret.VaultSession;
import dev.bulwark.store.sealed.MasterKey;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where shared state lives: {@code embedded} (this process's memory, bounded by {@code max-keys}
 * tracked keys; with {@code data-dir}, what must survive a restart also in an encrypted file there,
 * sealed under {@code master-key}, a secret reference or {@code { vault-transit: { key: NAME } }})
 * or {@code { redis: redis://host:6379 }} (shared by every gateway pointed at it, each operation
 * bounded by {@code timeout}); beside either, {@code postgres} holds accounts and organisations
 * (sealed under {@code master-key}), as {@code config.StoreSection} reads it from the file.
 *
 * @param dataDir the embedded store's data directory, or null to keep nothing across restarts
 * @param masterKey the master key's secret reference and its resolved text (with {@code dataDir})
 */
public record StoreConfig(
    @Nullable String redis,
    Duration timeout,
    long maxKeys,
    @Nullable Path dataDir,
    @Nullable MasterKeyReference masterKey,
    @Nullable BackupSchedule backup,
    @Nullable Postgres postgres) {
  public static final StoreConfig EMBEDDED = new StoreConfig(null, Duration.ofMillis(250), 100_000);

  /** A store that keeps nothing on disk. */
  public StoreConfig(@Nullable String redis, Duration timeout, long maxKeys) {
    this(redis, timeout, maxKeys, null, null, null);
  }

  /** A store without PostgreSQL. */
  public StoreConfig(
      @Nullable String redis,
      Duration timeout,
      long maxKeys,
      @Nullable Path dataDir,
      @Nullable MasterKeyReference masterKey,
      @Nullable BackupSchedule backup) {
    this(redis, timeout, maxKeys, dataDir, masterKey, backup, null);
  }

  /**
   * PostgreSQL for accounts, organisations and memberships ({@code store.postgres}), sealed under
   * the store's {@code master-key}.
   *
   * @param url the URL as configured, {@code postgresql://host:port/database} (for messages)
   * @param jdbcUrl the JDBC URL the driver connects to
   * @param address {@code host:port}, as messages name the server
   * @param user the user to connect as, or null for the driver's default (the OS user)
   * @param password the resolved password (never printed), or null
   * @param poolSize the connections (and threads running JDBC work) at most
   * @param poolTimeout how long an operation waits for a connection before it fails
   * @param schema the schema that holds Bulwark's tables (created when missing)
   */
  public record Postgres(
      String url,
      String jdbcUrl,
      String address,
      @Nullable String user,
      @Nullable String password,
      int poolSize,
      Duration poolTimeout,
      String schema) {
    /** Names the server, never the password. */
    @Override
    public String toString() {
      return "postgres " + address + " schema " + schema;
    }
  }

  /**
   * Returns whether accounts and organisations can be kept: everywhere but on a Redis store without
   * PostgreSQL (Redis holds short-lived state only).
   */
  public boolean holdsAccounts() {
    return redis == null || postgres != null;
  }

  /**
   * Backups of the data directory on a schedule: every {@code every} into the directory {@code to},
   * keeping the newest {@code keep}.
   */
  public record BackupSchedule(Path to, Duration every, int keep) {}

  /**
   * The master key as configured: the reference (for messages) and either the text it resolved to
   * (never printed) or the Vault transit key that holds it.
   *
   * @param text the resolved text of a secret reference, or null for a transit key
   * @param vault the Vault session of a transit key, or null for a secret reference
   * @param transit the transit key, or null for a secret reference
   */
  public record MasterKeyReference(
      String reference,
      @Nullable String text,
      @Nullable VaultSession vault,
      @Nullable TransitKey transit) {
    /** A master key read from a secret reference. */
    public MasterKeyReference(String reference, String text) {
      this(reference, text, null, null);
    }

    /** A master key that Vault's transit engine holds. */
    public static MasterKeyReference transit(VaultSession vault, TransitKey key) {
      return new MasterKeyReference("vault-transit " + key, null, vault, key);
    }

    /**
     * Returns the key; a text that is not a key is a one-line error naming the reference. A transit
     * key is only named here: Vault is asked when data keys are unwrapped.
     */
    public MasterKey key() {
      VaultSession v = vault;
      TransitKey t = transit;
      if (v != null && t != null) {
        return VaultTransitKey.of(v, t);
      }
      try {
        return MasterKey.parse(text == null ? "" : text, reference);
      } catch (IllegalArgumentException e) {
        throw new StoreUnavailable("store.master-key: " + e.getMessage());
      }
    }

    @Override
    public String toString() {
      return reference;
    }
  }

  /** Returns whether the store is shared through Redis. */
  public boolean cluster() {
    return redis != null;
  }

  /** Returns whether state that must survive a restart is kept in an encrypted data directory. */
  public boolean durable() {
    return dataDir != null;
  }
}
