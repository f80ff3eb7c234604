package dev.bulwark.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bulwark.store.AccountStore;
import dev.bulwark.store.OrganisationStore;
import dev.bulwark.store.StoreConfig;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.KeyringTable;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sealed.SealRefused;
import dev.bulwark.store.sql.SqlAccountStore;
import dev.bulwark.store.sql.SqlDialect;
import dev.bulwark.store.sql.SqlOrganisationStore;
import dev.bulwark.store.sql.SqlRunner;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Accounts, organisations and memberships in PostgreSQL: a HikariCP pool of {@code pool.size}
 * connections, used only by as many threads of this store's own behind a bounded queue (so blocking
 * JDBC never runs on an event loop, and a flood of operations fails fast instead of queueing
 * without end); the schema migrated by Flyway at start; values sealed under the data keys in the
 * schema's {@code data_keys} table, wrapped by the store's master key.
 */
public final class PostgresStore implements SqlRunner, AutoCloseable {
  /** Operations waiting for a thread beyond this many per connection are refused. */
  static final int QUEUED_PER_CONNECTION = 64;

  private final StoreConfig.Postgres config;
  private final HikariDataSource pool;
  private final ThreadPoolExecutor executor;
  private final StoreHealth health;
  private final SqlAccountStore accounts;
  private final SqlOrganisationStore organisations;
  private final Keyring keyring;

  private PostgresStore(
      StoreConfig.Postgres config, HikariDataSource pool, Keyring keyring, StoreHealth health) {
    this.config = config;
    this.pool = pool;
    this.health = health;
    this.executor = newExecutor(config.poolSize());
    this.keyring = keyring;
    this.accounts = new SqlAccountStore(this, keyring, SqlDialect.POSTGRESQL);
    this.organisations = new SqlOrganisationStore(this, accounts, SqlDialect.POSTGRESQL);
  }

  /**
   * Connects, migrates the schema and unwraps the data keys (blocking: start-up only).
   *
   * @throws StoreUnavailable with one line naming the server and what to do
   */
  public static PostgresStore open(
      StoreConfig.Postgres config, MasterKey master, StoreHealth health) {
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hikari(config));
    } catch (RuntimeException e) {
      throw PostgresFailures.opening(config.address(), config.user(), e);
    }
    try {
      migrate(config, pool);
      Keyring keyring = keyring(config, pool, master);
      return new PostgresStore(config, pool, keyring, health);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  private static HikariConfig hikari(StoreConfig.Postgres config) {
    HikariConfig h = new HikariConfig();
    h.setPoolName("bulwark-postgres");
    h.setJdbcUrl(config.jdbcUrl());
    if (config.user() != null) {
      h.setUsername(config.user());
    }
    if (config.password() != null) {
      h.setPassword(config.password());
    }
    h.setMaximumPoolSize(config.poolSize());
    h.setMinimumIdle(1);
    long timeout = Math.max(250, config.poolTimeout().toMillis());
    h.setConnectionTimeout(timeout);
    h.setValidationTimeout(Math.max(250, Math.min(timeout, 5000)));
    h.setInitializationFailTimeout(timeout);
    h.setSchema(config.schema());
    long connectSeconds = Math.max(1, (timeout + 999) / 1000);
    h.addDataSourceProperty("connectTimeout", String.valueOf(connectSeconds));
    // A server that stops answering (not closing) would hold a thread: bound every statement.
    h.addDataSourceProperty("socketTimeout", "30");
    h.addDataSourceProperty("tcpKeepAlive", "true");
    h.addDataSourceProperty("ApplicationName", "bulwark");
    return h;
  }

  private static void migrate(StoreConfig.Postgres config, HikariDataSource pool) {
    try {
      Flyway.configure(PostgresStore.class.getClassLoader())
          .dataSource(pool)
          .schemas(config.schema())
          .defaultSchema(config.schema())
          .createSchemas(true)
          .locations("classpath:db/postgres")
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new StoreUnavailable(
          "store.postgres: PostgreSQL at "
              + config.address()
              + ": schema "
              + config.schema()
              + " cannot be migrated ("
              + PostgresFailures.reason(e)
              + "): check that the user may create it, or restore the schema a newer Bulwark"
              + " wrote");
    }
  }

  private static Keyring keyring(
      StoreConfig.Postgres config, HikariDataSource pool, MasterKey master) {
    String location = "PostgreSQL at " + config.address() + " schema " + config.schema();
    try (Connection c = pool.getConnection()) {
      return SqlRunner.inTransaction(
          c,
          tx -> {
            // Two gateways starting on an empty schema: one creates the first data key, the other
            // waits for it and unwraps it.
            try (Statement s = tx.createStatement()) {
              s.execute("LOCK TABLE data_keys IN SHARE ROW EXCLUSIVE MODE");
            }
            return KeyringTable.open(tx, master, location);
          });
    } catch (SealRefused e) {
      throw new StoreUnavailable("store.postgres: " + e.getMessage());
    } catch (SQLException | RuntimeException e) {
      if (e instanceof StoreUnavailable u) {
        throw u;
      }
      throw PostgresFailures.opening(config.address(), config.user(), e);
    }
  }

  private static ThreadPoolExecutor newExecutor(int threads) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(
        threads,
        threads,
        0,
        TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(threads * QUEUED_PER_CONNECTION),
        r -> {
          Thread t = new Thread(r, "bulwark-postgres-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /** Returns the accounts kept in this database. */
  public AccountStore accounts() {
    return accounts;
  }

  /** Returns the organisations and memberships kept in this database. */
  public OrganisationStore organisations() {
    return organisations;
  }

  /** Returns the data keys of this schema, for other records sealed here (the audit trail). */
  public Keyring keyring() {
    return keyring;
  }

  /** Returns where this store is: address and schema, for messages. */
  public String location() {
    return "PostgreSQL at " + config.address() + " schema " + config.schema();
  }

  /** Returns the health of this backend. */
  public StoreHealth health() {
    return health;
  }

  @Override
  public <T> CompletionStage<T> run(String operation, Work<T> work) {
    CompletableFuture<T> done = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            try (Connection c = pool.getConnection()) {
              T value = work.run(c);
              health.ok();
              done.complete(value);
            } catch (SealRefused e) {
              health.failed(operation, e);
              done.completeExceptionally(e);
            } catch (SQLException | RuntimeException e) {
              health.failed(operation, e);
              done.completeExceptionally(
                  PostgresFailures.operation(config.address(), operation, e));
            }
          });
    } catch (RejectedExecutionException e) {
      health.failed(operation, e);
      done.completeExceptionally(
          new StoreUnavailable(
              "PostgreSQL at "
                  + config.address()
                  + ": "
                  + operation
                  + " refused ("
                  + executor.getQueue().size()
                  + " operations waiting for "
                  + config.poolSize()
                  + " connections): raise store.postgres.pool.size or find what is slow"));
    }
    return done;
  }

  /** Finishes the queued operations (for up to 10 seconds) and closes the pool. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.close();
  }
}
