package dev.bulwark.store.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletionStage;

/**
 * Runs blocking JDBC work off the caller's thread, on a connection of the backend's: the stage
 * completes on the backend's thread, or exceptionally with {@link
 * dev.bulwark.store.StoreUnavailable} (one line: the database and what to do) when the database
 * cannot be reached or the backend's queue is full.
 */
public interface SqlRunner {
  /** One unit of blocking work on a connection. */
  @FunctionalInterface
  interface Work<T> {
    /** Runs with a connection in auto-commit mode, on the backend's thread. */
    T run(Connection c) throws SQLException;
  }

  /** Runs {@code work} on a connection of the backend; see the type's description. */
  <T> CompletionStage<T> run(String operation, Work<T> work);

  /** Runs {@code work} in one transaction on {@code c}: committed when it returns, else undone. */
  static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      T result = work.run(c);
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException lost) {
        e.addSuppressed(lost);
      }
      throw e;
    } finally {
      try {
        c.setAutoCommit(auto);
      } catch (SQLException lost) {
        // The connection is broken; the pool (or the next open) replaces it.
      }
    }
  }
}
