package dev.bulwark.audit.trail;

import static java.util.Objects.requireNonNull;

import dev.bulwark.store.sealed.Keyring;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Reads the PostgreSQL sink's table on one connection (blocking): {@link #verify} proves the chain
 * with the file verifier's checks, {@link #search} finds records with the file search's matching.
 * Rows are streamed in sequence order, never all held in memory.
 */
public final class PostgresTrailReader {
  private static final int FETCH = 1000;

  /** Records written more than this before {@code since} may still hold an event after it. */
  private static final Duration CLOCK_SLACK = Duration.ofMinutes(5);

  private PostgresTrailReader() {}

  /**
   * Verifies the table's chain and checkpoints, checking them against {@code publicKey} (base64)
   * when given; the chain's head row says where the trail ends.
   *
   * @throws SQLException when the tables cannot be read
   * @throws IllegalArgumentException when {@code publicKey} is not a key
   */
  public static TrailVerifier.Report verify(Connection c, @Nullable String publicKey)
      throws SQLException {
    requireNonNull(c, "c");
    return inReadTransaction(
        c,
        () -> {
          TrailVerifier.Head head = null;
          try (PreparedStatement q =
                  c.prepareStatement("SELECT next_seq, last_hash FROM audit_chain WHERE id = 1");
              ResultSet r = q.executeQuery()) {
            if (r.next()) {
              head = new TrailVerifier.Head(r.getLong(1), r.getString(2));
            }
          }
          try (PreparedStatement q =
              c.prepareStatement(
                  "SELECT seq, written, type, fields, prev, hash FROM audit_records ORDER BY"
                      + " seq")) {
            q.setFetchSize(FETCH);
            try (ResultSet r = q.executeQuery()) {
              return TrailVerifier.verifyRows(
                  () -> {
                    try {
                      return r.next() ? new TrailVerifier.Row(r.getLong(1), text(r).text()) : null;
                    } catch (SQLException e) {
                      throw new IOException(e.getMessage(), e);
                    }
                  },
                  head,
                  publicKey);
            } catch (IOException e) {
              throw e.getCause() instanceof SQLException s ? s : new SQLException(e);
            }
          }
        });
  }

  /**
   * Searches the table's event records in sequence order, opening their bodies with {@code
   * keyring}; stops after {@code q.limit()} matches or {@code maxScanned} events.
   *
   * @throws SQLException when the tables cannot be read
   */
  public static TrailSearch.Result search(
      Connection c, Keyring keyring, TrailSearch.Query q, long maxScanned) throws SQLException {
    requireNonNull(keyring, "keyring");
    return inReadTransaction(
        c,
        () -> {
          String trail;
          try (PreparedStatement p = c.prepareStatement("SELECT trail FROM audit_chain");
              ResultSet r = p.executeQuery()) {
            if (!r.next()) {
              return new TrailSearch.Result(java.util.List.of(), 0, 0, -1);
            }
            trail = r.getString(1);
          }
          java.time.Instant since = q.since();
          long from = since == null ? Long.MIN_VALUE : since.minus(CLOCK_SLACK).toEpochMilli();
          TrailSearch.Scan scan = new TrailSearch.Scan(keyring, q, maxScanned);
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT seq, written, type, fields, prev, hash FROM audit_records WHERE seq > ?"
                      + " AND type = 'event' AND written_ms >= ? ORDER BY seq")) {
            p.setFetchSize(FETCH);
            p.setLong(1, q.after());
            p.setLong(2, from);
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                if (!scan.offer(trail, text(r))) {
                  break;
                }
              }
            }
          }
          return scan.result();
        });
  }

  private static TrailLine text(ResultSet r) throws SQLException {
    return new TrailLine(
        r.getLong(1),
        r.getString(2),
        r.getString(3),
        r.getString(4),
        r.getString(5),
        r.getString(6));
  }

  @FunctionalInterface
  private interface Read<T> {
    T run() throws SQLException;
  }

  /** Runs {@code read} in a read-only transaction (PostgreSQL streams rows only inside one). */
  private static <T> T inReadTransaction(Connection c, Read<T> read) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      c.setReadOnly(true);
      return read.run();
    } finally {
      try {
        c.rollback();
        c.setReadOnly(false);
        c.setAutoCommit(auto);
      } catch (SQLException ignored) {
        // The connection is broken; the caller closes it.
      }
    }
  }
}
