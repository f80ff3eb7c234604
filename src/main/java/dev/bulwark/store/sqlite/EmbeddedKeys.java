package dev.bulwark.store.sqlite;

import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.KeyringTable;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sealed.SealRefused;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Master key rotation on a data directory, safe while a gateway runs on it: each step is one
 * transaction on the database, and every data key stays readable under the old master key until the
 * operator retires it.
 */
public final class EmbeddedKeys {
  private EmbeddedKeys() {}

  /** Wraps every data key under {@code next} too and adds a new data key (see KeyringTable). */
  public static KeyringTable.Rotation rotate(Path dataDir, MasterKey current, MasterKey next) {
    Path db = database(dataDir);
    try (Connection c = EmbeddedDatabase.connect(db)) {
      SchemaMigrations.apply(c, db.toString());
      return KeyringTable.rotate(c, current, next, db.toString());
    } catch (SQLException e) {
      throw EmbeddedDatabase.cannotOpen(db, e);
    } catch (SealRefused e) {
      throw new StoreUnavailable(e.getMessage());
    }
  }

  /**
   * Wraps every data key again under the latest version of {@code current}'s key service and adds a
   * new data key (see KeyringTable).
   */
  public static KeyringTable.Rotation rewrap(Path dataDir, MasterKey current) {
    Path db = database(dataDir);
    try (Connection c = EmbeddedDatabase.connect(db)) {
      SchemaMigrations.apply(c, db.toString());
      return KeyringTable.rewrap(c, current, db.toString());
    } catch (SQLException e) {
      throw EmbeddedDatabase.cannotOpen(db, e);
    } catch (SealRefused e) {
      throw new StoreUnavailable(e.getMessage());
    }
  }

  /** Deletes the data keys' copies under every master key but {@code current}; returns how many. */
  public static int retire(Path dataDir, MasterKey current) {
    Path db = database(dataDir);
    try (Connection c = EmbeddedDatabase.connect(db)) {
      return KeyringTable.retire(c, current, db.toString());
    } catch (SQLException e) {
      throw EmbeddedDatabase.cannotOpen(db, e);
    } catch (SealRefused e) {
      throw new StoreUnavailable(e.getMessage());
    }
  }

  /**
   * Returns the data directory's keyring under {@code current}, read once (for commands that open
   * sealed records, such as {@code bulwark audit search}); the database is not changed.
   */
  public static Keyring keyring(Path dataDir, MasterKey current) {
    Path db = database(dataDir);
    try (Connection c = EmbeddedDatabase.connect(db)) {
      return KeyringTable.open(c, current, db.toString());
    } catch (SQLException e) {
      throw EmbeddedDatabase.cannotOpen(db, e);
    } catch (SealRefused e) {
      throw new StoreUnavailable(e.getMessage());
    }
  }

  private static Path database(Path dataDir) {
    Path db = dataDir.toAbsolutePath().normalize().resolve(DataDirectory.DATABASE);
    if (!Files.isRegularFile(db) || db.toFile().length() == 0) {
      throw new StoreUnavailable(
          db + ": no embedded state (check store.data-dir, or start the gateway once first)");
    }
    return db;
  }
}
