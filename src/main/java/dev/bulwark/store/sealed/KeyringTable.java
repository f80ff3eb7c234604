package dev.bulwark.store.sealed;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.crypto.SecretKey;
import org.jspecify.annotations.Nullable;

/**
 * The wrapped data keys of a store, kept in its own database table beside the data: one row per
 * data key and master key that wraps it. A key is wrapped under two master keys only during a
 * rotation, until the old master key is retired.
 */
public final class KeyringTable {
  /** The table's definition (standard SQL), created by the store's first migration. */
  public static final String CREATE_TABLE =
      "CREATE TABLE data_keys (key_id INTEGER NOT NULL, master_id TEXT NOT NULL,"
          + " wrapped BLOB NOT NULL, created_ms BIGINT NOT NULL, PRIMARY KEY (key_id, master_id))";

  static final String PURPOSE = "bulwark data key v1";

  /** What a rotation did: the data keys re-wrapped under the new master key, and the new key. */
  public record Rotation(int rewrapped, int newKeyId) {}

  private KeyringTable() {}

  /**
   * Unwraps every data key under {@code master}, creating the first one in an empty table; {@code
   * location} (the database file) is named in errors.
   *
   * @throws SealRefused when a data key has no copy wrapped under {@code master} (the wrong master
   *     key) or its copy does not unwrap (tampered with)
   */
  public static Keyring open(Connection c, MasterKey master, String location) throws SQLException {
    Map<Integer, Map<String, byte[]>> rows = rows(c);
    if (rows.isEmpty()) {
      SecretKey first = AesGcm.newKey();
      insert(c, 1, master, first);
      return new Keyring(master, Map.of(1, first));
    }
    return unwrapAll(rows, master, location);
  }

  private static Keyring unwrapAll(
      Map<Integer, Map<String, byte[]>> rows, MasterKey master, String location) {
    Set<String> others = new TreeSet<>();
    for (Map<String, byte[]> wraps : rows.values()) {
      if (!wraps.containsKey(master.id())) {
        others.addAll(wraps.keySet());
      }
    }
    if (!others.isEmpty()) {
      throw new SealRefused(
          master.reference()
              + " (master key "
              + master.id()
              + ") does not open the data keys of "
              + location
              + ", which are wrapped under master key "
              + String.join(", ", others)
              + ": set store.master-key to the key that wrote this data");
    }
    Map<Integer, SecretKey> keys = new HashMap<>();
    rows.forEach(
        (id, wraps) -> {
          byte[] wrapped = wraps.get(master.id());
          SecretKey k = wrapped == null ? null : unwrap(master, id, wrapped, location);
          if (k == null) {
            throw new SealRefused(
                location
                    + ": data key "
                    + id
                    + " does not unwrap under "
                    + master
                    + " (its row was tampered with): restore the data directory from a backup");
          }
          keys.put(id, k);
        });
    return new Keyring(master, keys);
  }

  /**
   * Wraps every data key under {@code next} as well (both master keys open them until {@link
   * #retire}), and adds a new data key, wrapped under both, that new values are sealed under from
   * the next start; all in one transaction, so a gateway running on the same file never sees half.
   */
  public static Rotation rotate(Connection c, MasterKey current, MasterKey next, String location)
      throws SQLException {
    if (current.id().equals(next.id())) {
      throw new IllegalArgumentException(
          next.reference() + ": the new master key is the current one (expected: a new key)");
    }
    return inTransaction(
        c,
        () -> {
          Keyring ring = open(c, current, location);
          try (PreparedStatement del =
              c.prepareStatement("DELETE FROM data_keys WHERE key_id = ? AND master_id = ?")) {
            for (int id : ring.keyIds()) {
              del.setInt(1, id);
              del.setString(2, next.id());
              del.executeUpdate();
              insert(c, id, next, ring.key(id));
            }
          }
          int newId = ring.activeKeyId() + 1;
          SecretKey fresh = AesGcm.newKey();
          insert(c, newId, current, fresh);
          insert(c, newId, next, fresh);
          return new Rotation(ring.keyIds().size(), newId);
        });
  }

  /**
   * Deletes the copies of data keys wrapped under any master key but {@code current}, after
   * checking that {@code current} opens every data key; returns the rows deleted.
   */
  public static int retire(Connection c, MasterKey current, String location) throws SQLException {
    return inTransaction(
        c,
        () -> {
          open(c, current, location);
          try (PreparedStatement del =
              c.prepareStatement("DELETE FROM data_keys WHERE master_id <> ?")) {
            del.setString(1, current.id());
            return del.executeUpdate();
          }
        });
  }

  /**
   * Wraps every data key again under the latest version of {@code current}'s key service (after the
   * key was rotated there), and adds a new data key; one transaction.
   *
   * @throws IllegalArgumentException when {@code current} is not held by a key service
   */
  public static Rotation rewrap(Connection c, MasterKey current, String location)
      throws SQLException {
    KeyService service = current.service();
    if (service == null) {
      throw new IllegalArgumentException(
          current.reference()
              + ": a local master key has no versions to rewrap under (expected:"
              + " --new-master-key, or a vault-transit master key)");
    }
    return inTransaction(
        c,
        () -> {
          Keyring ring = open(c, current, location);
          try (PreparedStatement up =
              c.prepareStatement(
                  "UPDATE data_keys SET wrapped = ? WHERE key_id = ? AND master_id = ?")) {
            for (Map.Entry<Integer, byte[]> e : wrappedUnder(c, current).entrySet()) {
              byte[] again;
              try {
                again = service.rewrap(e.getValue());
              } catch (SealRefused refused) {
                throw new SealRefused(
                    location + ": data key " + e.getKey() + ": " + refused.getMessage());
              }
              up.setBytes(1, again);
              up.setInt(2, e.getKey());
              up.setString(3, current.id());
              up.executeUpdate();
            }
          }
          int newId = ring.activeKeyId() + 1;
          insert(c, newId, current, AesGcm.newKey());
          return new Rotation(ring.keyIds().size(), newId);
        });
  }

  private static @Nullable SecretKey unwrap(
      MasterKey master, int id, byte[] wrapped, String location) {
    try {
      return KeyWrap.unwrap(master, PURPOSE, id, wrapped);
    } catch (SealRefused e) {
      throw new SealRefused(location + ": data key " + id + ": " + e.getMessage());
    }
  }

  private static Map<Integer, byte[]> wrappedUnder(Connection c, MasterKey master)
      throws SQLException {
    Map<Integer, byte[]> out = new TreeMap<>();
    rows(c)
        .forEach(
            (id, wraps) -> {
              byte[] w = wraps.get(master.id());
              if (w != null) {
                out.put(id, w);
              }
            });
    return out;
  }

  /** Returns the ids of the master keys that wrap data keys in this table, sorted. */
  public static List<String> masterIds(Connection c) throws SQLException {
    Set<String> ids = new TreeSet<>();
    rows(c).values().forEach(w -> ids.addAll(w.keySet()));
    return List.copyOf(ids);
  }

  private interface Work<T> {
    T run() throws SQLException;
  }

  private static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      T result = work.run();
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  private static Map<Integer, Map<String, byte[]>> rows(Connection c) throws SQLException {
    Map<Integer, Map<String, byte[]>> rows = new TreeMap<>();
    try (PreparedStatement s =
            c.prepareStatement("SELECT key_id, master_id, wrapped FROM data_keys");
        ResultSet r = s.executeQuery()) {
      while (r.next()) {
        rows.computeIfAbsent(r.getInt(1), k -> new HashMap<>()).put(r.getString(2), r.getBytes(3));
      }
    }
    return rows;
  }

  private static void insert(Connection c, int id, MasterKey master, SecretKey key)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO data_keys (key_id, master_id, wrapped, created_ms) VALUES (?, ?, ?, ?)")) {
      s.setInt(1, id);
      s.setString(2, master.id());
      byte[] wrapped;
      try {
        wrapped = KeyWrap.wrap(master, PURPOSE, id, key);
      } catch (SealRefused e) {
        throw new SealRefused("data key " + id + ": " + e.getMessage());
      }
      s.setBytes(3, wrapped);
      s.setLong(4, System.currentTimeMillis());
      s.executeUpdate();
    }
  }
}
