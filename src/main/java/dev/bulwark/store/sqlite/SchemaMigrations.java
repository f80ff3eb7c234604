package dev.bulwark.store.sqlite;

import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.KeyringTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The embedded database's schema, as an ordered list of migrations applied once each and recorded
 * in {@code schema_version}; a file whose version is newer than this build knows is refused (never
 * written by an older Bulwark). Why not Flyway: see docs/architecture.md.
 */
final class SchemaMigrations {
  /** One step of the schema: its version, what it does, and its statements. */
  record Migration(int version, String description, List<String> statements) {}

  static final List<Migration> ALL =
      List.of(
          new Migration(1, "data keys", List.of(KeyringTable.CREATE_TABLE)),
          new Migration(
              2,
              "bans",
              List.of(
                  "CREATE TABLE bans (row_id TEXT PRIMARY KEY, address BLOB NOT NULL,"
                      + " reason BLOB NOT NULL, until_ms BIGINT NOT NULL, repeat INTEGER NOT NULL,"
                      + " made_by TEXT NOT NULL)",
                  "CREATE INDEX bans_until ON bans (until_ms)")),
          new Migration(3, "accounts, organisations, memberships", AccountTables.SQLITE),
          new Migration(
              4,
              "refresh-token families, revoked sessions, token-signing keys",
              List.of(
                  "CREATE TABLE refresh_families (sid TEXT PRIMARY KEY, account TEXT NOT NULL,"
                      + " created_ms BIGINT NOT NULL, last_used_ms BIGINT NOT NULL,"
                      + " absolute_ms BIGINT NOT NULL, idle_ms BIGINT NOT NULL,"
                      + " generation BIGINT NOT NULL, current_hash TEXT NOT NULL,"
                      + " previous_hash TEXT, rotated_ms BIGINT NOT NULL, nonce BLOB,"
                      + " amr TEXT NOT NULL, address BLOB NOT NULL, user_agent BLOB NOT NULL)",
                  "CREATE INDEX refresh_families_account ON refresh_families (account)",
                  "CREATE TABLE revoked_sessions (sid TEXT PRIMARY KEY, until_ms BIGINT NOT NULL)",
                  "CREATE TABLE signing_keys (kid TEXT PRIMARY KEY, algorithm TEXT NOT NULL,"
                      + " public_jwk TEXT NOT NULL, private_jwk BLOB NOT NULL,"
                      + " created_ms BIGINT NOT NULL, sign_until_ms BIGINT NOT NULL,"
                      + " publish_until_ms BIGINT NOT NULL)")));

  /** The newest version this build writes. */
  static final int LATEST = ALL.get(ALL.size() - 1).version();

  private SchemaMigrations() {}

  /** Brings the schema up to {@link #LATEST}; returns the version found before. */
  static int apply(Connection c, String location) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate(
          "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
              + " description TEXT NOT NULL, applied_ms BIGINT NOT NULL)");
    }
    int found = version(c);
    if (found > LATEST) {
      throw new StoreUnavailable(
          location
              + " has schema version "
              + found
              + ", newer than this Bulwark knows ("
              + LATEST
              + "): run the Bulwark that wrote it, or restore a backup made by this one");
    }
    for (Migration m : ALL) {
      if (m.version() > found) {
        applyOne(c, m);
      }
    }
    return found;
  }

  /** Returns the schema version of a database (0 when none was applied). */
  static int version(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT MAX(version) FROM schema_version");
        ResultSet r = s.executeQuery()) {
      return r.next() ? r.getInt(1) : 0;
    }
  }

  private static void applyOne(Connection c, Migration m) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement();
        PreparedStatement record =
            c.prepareStatement(
                "INSERT INTO schema_version (version, description, applied_ms) VALUES (?, ?, ?)")) {
      for (String sql : m.statements()) {
        s.executeUpdate(sql);
      }
      record.setInt(1, m.version());
      record.setString(2, m.description());
      record.setLong(3, System.currentTimeMillis());
      record.executeUpdate();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }
}
