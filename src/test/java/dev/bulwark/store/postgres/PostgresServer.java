package dev.bulwark.store.postgres;

import dev.bulwark.store.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared PostgreSQL server of the test machine (127.0.0.1:5432, database {@code test}, trust
 * authentication, user {@code postgres}), with a schema of its own per test so that parallel runs
 * never meet. A test is skipped only when PostgreSQL is not installed at all; installed but not
 * answering is a failure that says how to start it (as .ci/run does), never a silent skip.
 */
final class PostgresServer {
  static final String HOST = "127.0.0.1";
  static final int PORT = 5432;
  static final String DATABASE = "test";
  static final String USER = "postgres";

  private PostgresServer() {}

  /** Skips the test when PostgreSQL is not installed on this machine. */
  static void requireInstalled() {
    boolean installed =
        Files.isDirectory(Path.of("/usr/lib/postgresql"))
            || Files.isExecutable(Path.of("/usr/bin/pg_ctlcluster"))
            || Files.isExecutable(Path.of("/usr/local/bin/postgres"));
    Assumptions.assumeTrue(installed, "PostgreSQL is not installed (.ci/run installs it)");
  }

  /** Returns an admin connection to the shared server, or fails saying how to start it. */
  static Connection admin() {
    requireInstalled();
    try {
      return DriverManager.getConnection(jdbcUrl(HOST, PORT), USER, null);
    } catch (SQLException e) {
      throw new AssertionError(
          "PostgreSQL is installed but "
              + HOST
              + ":"
              + PORT
              + "/"
              + DATABASE
              + " does not answer as "
              + USER
              + " ("
              + e.getMessage()
              + "): start it with 'pg_ctlcluster --skip-systemctl-redirect 15 main start' (.ci/run"
              + " does)",
          e);
    }
  }

  static String jdbcUrl(String host, int port) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + DATABASE;
  }

  /** Returns a fresh schema name no other run uses. */
  static String newSchema() {
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    return "bulwark_test_" + HexFormat.of().formatHex(b);
  }

  /** Returns the store settings for {@code schema} on {@code host:port}. */
  static StoreConfig.Postgres config(String host, int port, String schema, Duration timeout) {
    return new StoreConfig.Postgres(
        "postgresql://" + host + ":" + port + "/" + DATABASE,
        jdbcUrl(host, port),
        host + ":" + port,
        USER,
        null,
        4,
        timeout,
        schema);
  }

  /** Drops a test's schema and everything in it. */
  static void drop(String schema) throws SQLException {
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
