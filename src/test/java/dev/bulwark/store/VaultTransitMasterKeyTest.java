package dev.bulwark.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.secret.TransitKey;
import dev.bulwark.secret.VaultAuth;
import dev.bulwark.secret.VaultSession;
import dev.bulwark.secret.VaultSettings;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.KeyringTable;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sealed.RecordId;
import dev.bulwark.store.sealed.SealRefused;
import dev.bulwark.testing.TestVault;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master key held by Vault's transit engine: data keys are wrapped and unwrapped by Vault and
 * stored as its {@code vault:v<n>:} ciphertexts; Vault refusing, failing, answering slowly, a key
 * deleted or renamed, and a ciphertext swapped or made by another key each stop the open with one
 * line that says what to do; a rotation in Vault is followed by a rewrap.
 */
class VaultTransitMasterKeyTest {
  private static final RecordId ID = new RecordId("bans", "10.0.0.1", "reason");
  private static final String DB = "data/bulwark.db";

  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  @SuppressWarnings("NullAway.Init")
  private TestVault vault;

  @SuppressWarnings("NullAway.Init")
  private VaultSession session;

  @SuppressWarnings("NullAway.Init")
  private Connection c;

  @BeforeEach
  void start() throws Exception {
    vault = TestVault.start(dir);
    vault.transitKey("transit", "bulwark-store");
    session = open(Duration.ofSeconds(5));
    c = DriverManager.getConnection("jdbc:sqlite::memory:");
    c.createStatement().executeUpdate(KeyringTable.CREATE_TABLE);
  }

  @AfterEach
  void stop() throws Exception {
    c.close();
    session.close();
    vault.close();
  }

  private VaultSession open(Duration timeout) throws Exception {
    return VaultSession.open(
        new VaultSettings(
            URI.create(vault.address()),
            Files.readString(vault.caFile()),
            new VaultAuth.Token(vault.token(Duration.ZERO, false)),
            timeout,
            Duration.ofMinutes(1),
            null),
        new VaultSession.Listener() {
          @Override
          public void unavailable(String address, String reason) {}

          @Override
          public void recovered(String address) {}
        });
  }

  private MasterKey transit(String name) {
    return StoreConfig.MasterKeyReference.transit(session, new TransitKey("transit", name)).key();
  }

  private List<String> wrapped() throws Exception {
    List<String> out = new ArrayList<>();
    try (ResultSet rs =
        c.createStatement()
            .executeQuery("SELECT master_id, wrapped FROM data_keys ORDER BY key_id, master_id")) {
      while (rs.next()) {
        out.add(rs.getString(1) + " " + new String(rs.getBytes(2), StandardCharsets.US_ASCII));
      }
    }
    return out;
  }

  private void setWrapped(int keyId, byte[] wrapped) throws Exception {
    try (PreparedStatement s =
        c.prepareStatement("UPDATE data_keys SET wrapped = ? WHERE key_id = ?")) {
      s.setBytes(1, wrapped);
      s.setInt(2, keyId);
      s.executeUpdate();
    }
  }

  private byte[] wrappedOf(int keyId) throws Exception {
    try (PreparedStatement s =
        c.prepareStatement("SELECT wrapped FROM data_keys WHERE key_id = ?")) {
      s.setInt(1, keyId);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getBytes(1);
      }
    }
  }

  @Test
  void vaultWrapsTheDataKeyAndAReopenAsksVaultToUnwrapIt() throws Exception {
    MasterKey master = transit("bulwark-store");
    assertThat(master.remote()).isTrue();
    Keyring first = KeyringTable.open(c, master, DB);
    byte[] sealed = first.sealString(ID, "abuse");
    assertThat(wrapped())
        .singleElement()
        .asString()
        .startsWith("vault-transit:transit/bulwark-store vault:v1:");
    int before = vault.transitDecrypts();
    assertThat(KeyringTable.open(c, master, DB).openString(ID, sealed)).isEqualTo("abuse");
    assertThat(vault.transitDecrypts()).isEqualTo(before + 1);
  }

  @Test
  void vaultAnswering403IsOneLineNamingTheKeyAndWhatToDo() throws Exception {
    KeyringTable.open(c, transit("bulwark-store"), DB);
    vault.deny("transit/decrypt/");
    assertThatThrownBy(() -> KeyringTable.open(c, transit("bulwark-store"), DB))
        .isInstanceOf(SealRefused.class)
        .hasMessage(
            DB
                + ": data key 1: store.master-key: transit key transit/bulwark-store: Vault"
                + " answered 403 (permission denied); check vault.auth, that the token's policy"
                + " allows update on transit/decrypt/bulwark-store, and that this ciphertext was"
                + " made by this key");
  }

  @Test
  void vaultAnswering500IsOneLineNamingTheAddress() throws Exception {
    KeyringTable.open(c, transit("bulwark-store"), DB);
    vault.failWith(500);
    assertThatThrownBy(() -> KeyringTable.open(c, transit("bulwark-store"), DB))
        .isInstanceOf(SealRefused.class)
        .hasMessage(
            DB
                + ": data key 1: store.master-key: transit key transit/bulwark-store: Vault at "
                + vault.address()
                + ": Vault answered 500 (Vault is sealed); check that Vault runs and is reachable"
                + " at vault.address");
  }

  @Test
  void vaultDownOnTheFirstOpenCreatesNothing() throws Exception {
    vault.failWith(503);
    assertThatThrownBy(() -> KeyringTable.open(c, transit("bulwark-store"), DB))
        .isInstanceOf(SealRefused.class)
        .hasMessageContaining("data key 1: store.master-key: transit key transit/bulwark-store:")
        .hasMessageContaining("Vault answered 503");
    assertThat(wrapped()).isEmpty();
  }

  @Test
  void aSlowVaultIsCutOffAtTheTimeout() throws Exception {
    KeyringTable.open(c, transit("bulwark-store"), DB);
    session.close();
    session = open(Duration.ofSeconds(2));
    vault.delay(Duration.ofSeconds(6));
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> KeyringTable.open(c, transit("bulwark-store"), DB))
        .isInstanceOf(SealRefused.class)
        .hasMessageContaining(
            "transit key transit/bulwark-store: Vault at " + vault.address() + ": no answer")
        .hasMessageContaining("within 2s; check that Vault runs");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(5_500));
  }

  @Test
  void aDeletedTransitKeyIsNamed() throws Exception {
    KeyringTable.open(c, transit("bulwark-store"), DB);
    vault.deleteTransitKey("transit", "bulwark-store");
    assertThatThrownBy(() -> KeyringTable.open(c, transit("bulwark-store"), DB))
        .isInstanceOf(SealRefused.class)
        .hasMessageContaining("Vault answered 400 (encryption key not found)");
  }

  @Test
  void aCiphertextThatIsNotVaultsIsRefusedBeforeAskingVault() throws Exception {
    KeyringTable.open(c, transit("bulwark-store"), DB);
    setWrapped(1, "vault:v1:not base64!".getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> KeyringTable.open(c, transit("bulwark-store"), DB))
        .isInstanceOf(SealRefused.class)
        .hasMessage(
            DB
                + ": data key 1: store.master-key: transit key transit/bulwark-store: not a"
                + " transit ciphertext (expected: vault:v<version>:<base64>); check that the"
                + " transit key bulwark-store exists in the transit mount and wrapped this data");
  }

  @Test
  void aCiphertextEditedByOneByteFailsVaultsAuthentication() throws Exception {
    KeyringTable.open(c, transit("bulwark-store"), DB);
    String w = new String(wrappedOf(1), StandardCharsets.US_ASCII);
    char flipped = w.charAt(20) == 'A' ? 'B' : 'A';
    setWrapped(
        1, (w.substring(0, 20) + flipped + w.substring(21)).getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> KeyringTable.open(c, transit("bulwark-store"), DB))
        .isInstanceOf(SealRefused.class)
        .hasMessageContaining("cipher: message authentication failed");
  }

  @Test
  void dataWrittenUnderAnotherTransitKeyIsRefusedNamingIt() throws Exception {
    vault.transitKey("transit", "other");
    KeyringTable.open(c, transit("other"), DB);
    assertThatThrownBy(() -> KeyringTable.open(c, transit("bulwark-store"), DB))
        .isInstanceOf(SealRefused.class)
        .hasMessage(
            "vault-transit transit/bulwark-store (master key vault-transit:transit/bulwark-store)"
                + " does not open the data keys of "
                + DB
                + ", which are wrapped under master key vault-transit:transit/other: set"
                + " store.master-key to the key that wrote this data");
  }

  @Test
  void aCiphertextOfAnotherTransitKeyRelabelledAsOursDoesNotOpen() throws Exception {
    vault.transitKey("transit", "other");
    KeyringTable.open(c, transit("other"), DB);
    c.createStatement()
        .executeUpdate("UPDATE data_keys SET master_id = 'vault-transit:transit/bulwark-store'");
    assertThatThrownBy(() -> KeyringTable.open(c, transit("bulwark-store"), DB))
        .isInstanceOf(SealRefused.class)
        .hasMessageContaining("Vault answered 400 (cipher: message authentication failed)");
  }

  @Test
  void aWrappedKeyMovedToAnotherKeyIdDoesNotUnwrap() throws Exception {
    MasterKey master = transit("bulwark-store");
    KeyringTable.open(c, master, DB);
    MasterKey file = MasterKey.parse(MasterKey.generateText(), "${file:/m}");
    KeyringTable.rotate(c, master, file, DB);
    KeyringTable.retire(c, master, DB);
    // Two data keys, both wrapped by Vault: key 1's ciphertext copied onto key 2's row.
    setWrapped(2, wrappedOf(1));
    assertThatThrownBy(() -> KeyringTable.open(c, master, DB))
        .isInstanceOf(SealRefused.class)
        .hasMessage(
            DB
                + ": data key 2 does not unwrap under "
                + master
                + " (its row was tampered with): restore the data directory from a backup");
  }

  @Test
  void aRotationInVaultIsFollowedByARewrapToTheLatestVersion() throws Exception {
    MasterKey master = transit("bulwark-store");
    byte[] sealed = KeyringTable.open(c, master, DB).sealString(ID, "abuse");
    vault.rotateTransitKey("transit", "bulwark-store");
    KeyringTable.Rotation r = KeyringTable.rewrap(c, master, DB);
    assertThat(r.rewrapped()).isEqualTo(1);
    assertThat(r.newKeyId()).isEqualTo(2);
    assertThat(wrapped()).hasSize(2).allSatisfy(w -> assertThat(w).contains(" vault:v2:"));
    Keyring ring = KeyringTable.open(c, master, DB);
    assertThat(ring.openString(ID, sealed)).isEqualTo("abuse");
    assertThat(ring.activeKeyId()).isEqualTo(2);
  }

  @Test
  void aLocalMasterKeyHasNothingToRewrap() throws Exception {
    MasterKey file = MasterKey.parse(MasterKey.generateText(), "${file:/m}");
    KeyringTable.open(c, file, DB);
    assertThatThrownBy(() -> KeyringTable.rewrap(c, file, DB))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a local master key has no versions to rewrap under");
  }

  @Test
  void dataMovesFromAFileKeyToTransitAndBackThroughRotateAndRetire() throws Exception {
    MasterKey file = MasterKey.parse(MasterKey.generateText(), "${file:/m1}");
    MasterKey transit = transit("bulwark-store");
    MasterKey file2 = MasterKey.parse(MasterKey.generateText(), "${file:/m2}");
    byte[] sealed = KeyringTable.open(c, file, DB).sealString(ID, "abuse");

    KeyringTable.rotate(c, file, transit, DB);
    assertThat(KeyringTable.retire(c, transit, DB)).isEqualTo(2);
    assertThat(KeyringTable.masterIds(c)).containsExactly("vault-transit:transit/bulwark-store");
    assertThat(KeyringTable.open(c, transit, DB).openString(ID, sealed)).isEqualTo("abuse");
    assertThatThrownBy(() -> KeyringTable.open(c, file, DB)).isInstanceOf(SealRefused.class);

    KeyringTable.rotate(c, transit, file2, DB);
    KeyringTable.retire(c, file2, DB);
    assertThat(KeyringTable.masterIds(c)).containsExactly(file2.id());
    vault.failWith(503); // Vault is no longer needed
    assertThat(KeyringTable.open(c, file2, DB).openString(ID, sealed)).isEqualTo("abuse");
  }

  @Test
  void backupsRefuseATransitMasterKey() {
    MasterKey master = transit("bulwark-store");
    assertThatThrownBy(
            () ->
                dev.bulwark.store.sealed.SealedArchive.write(
                    new java.io.ByteArrayInputStream(new byte[0]),
                    new java.io.ByteArrayOutputStream(),
                    master))
        .isInstanceOf(SealRefused.class)
        .hasMessageContaining("backups are sealed under a local master key only");
  }
}
