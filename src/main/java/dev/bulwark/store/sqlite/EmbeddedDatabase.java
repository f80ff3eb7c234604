package dev.bulwark.store.sqlite;

import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.KeyringTable;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sealed.SealRefused;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The embedded SQLite database of a data directory, with its keyring: one connection, used only by
 * one thread of its own behind a bounded queue, so blocking JDBC never runs on an event loop and
 * writes reach the file in the order they were asked for.
 */
final class EmbeddedDatabase implements AutoCloseable {
  /** Writes waiting for the database beyond this are refused (the store reports a failure). */
  static final int MAX_QUEUED = 1024;

  /** One unit of blocking work on the connection. */
  @FunctionalInterface
  public interface Work<T> {
    /** Runs with the connection, on the database's own thread. */
    T run(Connection c) throws SQLException;
  }

  private final DataDirectory dir;
  private final Connection connection;
  private final Keyring keyring;
  private final ThreadPoolExecutor executor;

  private EmbeddedDatabase(
      DataDirectory dir, Connection connection, Keyring keyring, ThreadPoolExecutor executor) {
    this.dir = dir;
    this.connection = connection;
    this.keyring = keyring;
    this.executor = executor;
  }

  /**
   * Opens (creating when missing) the database of {@code dataDir}, locked for this process, its
   * schema migrated and its data keys unwrapped under {@code master}.
   *
   * @throws StoreUnavailable with one line naming the path and what to do
   */
  public static EmbeddedDatabase open(Path dataDir, MasterKey master) {
    DataDirectory dir = DataDirectory.prepare(dataDir);
    dir.lock();
    try {
      Connection c = connect(dir.database());
      try {
        String location = dir.database().toString();
        SchemaMigrations.apply(c, location);
        Keyring keyring = KeyringTable.open(c, master, location);
        return new EmbeddedDatabase(dir, c, keyring, newExecutor());
      } catch (SQLException | RuntimeException e) {
        c.close();
        throw e;
      }
    } catch (SQLException e) {
      dir.close();
      throw cannotOpen(dir.database(), e);
    } catch (SealRefused e) {
      dir.close();
      throw new StoreUnavailable(e.getMessage());
    } catch (StoreUnavailable e) {
      dir.close();
      throw e;
    } catch (RuntimeException e) {
      dir.close();
      throw e;
    }
  }

  /** Connects to a database file with the settings every connection here uses. */
  static Connection connect(Path database) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 5000");
      // Reads the file's header: a file that is not a database fails here, before anything else.
      s.execute("PRAGMA journal_mode = WAL");
      s.execute("PRAGMA synchronous = FULL");
      s.execute("PRAGMA secure_delete = ON");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Returns the one-line error for a database file that does not open. */
  static StoreUnavailable cannotOpen(Path database, SQLException e) {
    String why = e.getMessage() == null ? "unknown reason" : e.getMessage().strip();
    return new StoreUnavailable(
        database
            + " cannot be opened ("
            + why
            + "): move it aside and restore the latest backup with 'bulwark restore --from FILE',"
            + " or point store.data-dir at an empty directory");
  }

  private static ThreadPoolExecutor newExecutor() {
    return new ThreadPoolExecutor(
        1,
        1,
        0,
        TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(MAX_QUEUED),
        r -> {
          Thread t = new Thread(r, "bulwark-embedded-store");
          t.setDaemon(true);
          return t;
        });
  }

  /** Returns the data directory. */
  DataDirectory directory() {
    return dir;
  }

  /** Returns the unwrapped data keys. */
  Keyring keyring() {
    return keyring;
  }

  /**
   * Runs {@code work} on the database's thread; the stage completes there, or exceptionally when
   * the work failed or the queue was full.
   */
  public <T> CompletionStage<T> submit(Work<T> work) {
    CompletableFuture<T> done = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            try {
              done.complete(work.run(connection));
            } catch (SQLException | RuntimeException e) {
              done.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(
          new IllegalStateException(
              "embedded store busy (" + MAX_QUEUED + " writes waiting for " + dir.path() + ")"));
    }
    return done;
  }

  /** Runs {@code work} on the database's thread and waits for it (start-up and commands only). */
  public <T> T await(Work<T> work) throws SQLException {
    try {
      return submit(work).toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException s) {
        throw s;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the embedded store", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the embedded store did not answer within 60 s", e);
    }
  }

  /** Finishes the queued writes (for up to 10 seconds), closes the file and releases the lock. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      connection.close();
    } catch (SQLException e) {
      // Closing at shutdown: the WAL is checkpointed on the next open if this one could not.
    }
    dir.close();
  }
}
