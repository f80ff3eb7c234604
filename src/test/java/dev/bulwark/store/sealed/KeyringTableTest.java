package dev.bulwark.store.sealed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Wrapped data keys open only under the master key that wrapped them, and only as written. */
class KeyringTableTest {
  private static final RecordId ID = new RecordId("accounts", "42", "email");
  private final MasterKey master = MasterKey.parse(MasterKey.generateText(), "${file:/m1}");
  private final MasterKey next = MasterKey.parse(MasterKey.generateText(), "${file:/m2}");
  private Connection c;

  @BeforeEach
  void open() throws Exception {
    c = DriverManager.getConnection("jdbc:sqlite::memory:");
    c.createStatement().executeUpdate(KeyringTable.CREATE_TABLE);
  }

  @AfterEach
  void close() throws Exception {
    c.close();
  }

  @Test
  void theFirstOpenCreatesOneDataKeyAndLaterOpensFindTheSame() throws Exception {
    Keyring first = KeyringTable.open(c, master, "test.db");
    assertThat(first.keyIds()).containsExactly(1);
    byte[] sealed = first.sealString(ID, "alice@example.com");
    assertThat(KeyringTable.open(c, master, "test.db").openString(ID, sealed))
        .isEqualTo("alice@example.com");
    assertThat(KeyringTable.masterIds(c)).containsExactly(master.id());
  }

  @Test
  void aTamperedWrappedKeyIsRefusedNamingTheFileAndKey() throws Exception {
    KeyringTable.open(c, master, "test.db");
    byte[] wrapped;
    try (ResultSet rs = c.createStatement().executeQuery("SELECT wrapped FROM data_keys")) {
      rs.next();
      wrapped = rs.getBytes(1);
    }
    wrapped[20] ^= 1;
    try (PreparedStatement s = c.prepareStatement("UPDATE data_keys SET wrapped = ?")) {
      s.setBytes(1, wrapped);
      s.executeUpdate();
    }
    assertThatThrownBy(() -> KeyringTable.open(c, master, "test.db"))
        .isInstanceOf(SealRefused.class)
        .hasMessage(
            "test.db: data key 1 does not unwrap under "
                + master
                + " (its row was tampered with): restore the data directory from a backup");
  }

  @Test
  void aWrappedKeyMovedToAnotherIdDoesNotUnwrap() throws Exception {
    KeyringTable.rotate(c, master, next, "test.db");
    // Put key 1's wrapped bytes in key 2's row: its id is in the associated data.
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE data_keys SET wrapped = (SELECT wrapped FROM data_keys WHERE key_id = 1 AND"
                + " master_id = ?) WHERE key_id = 2 AND master_id = ?")) {
      s.setString(1, master.id());
      s.setString(2, master.id());
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
    assertThatThrownBy(() -> KeyringTable.open(c, master, "test.db"))
        .isInstanceOf(SealRefused.class)
        .hasMessageContaining("data key 2 does not unwrap");
  }

  @Test
  void theWrongMasterKeyIsOneLineNamingItsReferenceAndTheKeysItWouldNeed() throws Exception {
    KeyringTable.open(c, master, "test.db");
    assertThatThrownBy(() -> KeyringTable.open(c, next, "test.db"))
        .isInstanceOf(SealRefused.class)
        .hasMessage(
            "${file:/m2} (master key "
                + next.id()
                + ") does not open the data keys of test.db, which are wrapped under master key "
                + master.id()
                + ": set store.master-key to the key that wrote this data");
  }

  @Test
  void rotationKeepsOldValuesReadableUnderBothKeysAndSealsNewOnesUnderANewDataKey()
      throws Exception {
    Keyring before = KeyringTable.open(c, master, "test.db");
    byte[] old = before.sealString(ID, "old value");
    KeyringTable.Rotation r = KeyringTable.rotate(c, master, next, "test.db");
    assertThat(r).isEqualTo(new KeyringTable.Rotation(1, 2));
    for (MasterKey k : new MasterKey[] {master, next}) {
      Keyring ring = KeyringTable.open(c, k, "test.db");
      assertThat(ring.openString(ID, old)).isEqualTo("old value");
      assertThat(ring.activeKeyId()).isEqualTo(2);
    }
    byte[] fresh = KeyringTable.open(c, next, "test.db").sealString(ID, "new value");
    assertThat(fresh[4]).isEqualTo((byte) 2);
    assertThat(KeyringTable.retire(c, next, "test.db")).isEqualTo(2);
    assertThat(KeyringTable.masterIds(c)).containsExactly(next.id());
    Keyring after = KeyringTable.open(c, next, "test.db");
    assertThat(after.openString(ID, old)).isEqualTo("old value");
    assertThat(after.openString(ID, fresh)).isEqualTo("new value");
    assertThatThrownBy(() -> KeyringTable.open(c, master, "test.db"))
        .isInstanceOf(SealRefused.class);
  }

  @Test
  void aRotationThatFailsHalfwayLeavesTheTableAsItWas() throws Exception {
    KeyringTable.open(c, master, "test.db");
    MasterKey stranger = MasterKey.parse(MasterKey.generateText(), "${file:/m3}");
    assertThatThrownBy(() -> KeyringTable.rotate(c, stranger, next, "test.db"))
        .isInstanceOf(SealRefused.class);
    try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM data_keys")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
    assertThat(c.getAutoCommit()).isTrue();
  }
}
