package dev.bulwark.audit.trail;

import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.KeyringTable;
import dev.bulwark.store.sealed.MasterKey;
import java.sql.Connection;
import java.sql.DriverManager;

/** A keyring under a fresh master key, its data key kept in an in-memory SQLite table. */
final class TestKeyring {
  private TestKeyring() {}

  static Keyring fresh() throws Exception {
    MasterKey master = MasterKey.parse(MasterKey.generateText(), "${file:/test-master}");
    Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
    try (var s = c.createStatement()) {
      s.executeUpdate(KeyringTable.CREATE_TABLE);
    }
    Keyring k = KeyringTable.open(c, master, "test.db");
    c.close();
    return k;
  }
}
