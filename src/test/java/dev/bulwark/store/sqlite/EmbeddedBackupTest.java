package dev.bulwark.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.store.Ban;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.sealed.MasterKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup, verify and restore of the embedded store: the state comes back whole, and a tampered,
 * truncated or wrong-key archive, or a restore under a running store, changes nothing.
 */
class EmbeddedBackupTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  private final MasterKey key = SqliteStoresTest.newKey("${file:/etc/bulwark/master.key}");

  @SuppressWarnings("NullAway.Init")
  private SqliteStores stores;

  private Path dir() {
    return tmp.resolve("data");
  }

  private SqliteStores open() {
    stores = SqliteStores.open(dir(), key, 10_000, 10_000, StoreHealth.unmetered("embedded"));
    return stores;
  }

  @AfterEach
  void close() {
    if (stores != null) {
      stores.close();
    }
  }

  private void ban(String address, String reason) throws Exception {
    stores
        .bans()
        .ban(address, HOUR, HOUR.multipliedBy(4), HOUR, reason, "admin")
        .toCompletableFuture()
        .get(5, TimeUnit.SECONDS);
  }

  private Path backupOf(int bans) throws Exception {
    open();
    for (int i = 0; i < bans; i++) {
      ban("198.51.100." + i, "reason " + i);
    }
    Path archive = tmp.resolve("backup.bwk");
    EmbeddedBackup.Summary s = EmbeddedBackup.backup(dir(), key, archive);
    assertThat(s.bans()).isEqualTo(bans);
    return archive;
  }

  @Test
  void backupWipeRestoreGivesTheSameState() throws Exception {
    open();
    ban("203.0.113.9", "5 failed logins");
    ban("2001:db8::7", "manual");
    ban("203.0.113.9", "again: doubled"); // a repeat, so repeat counts and ends differ
    List<Ban> before = stores.bans().list();
    Path archive = tmp.resolve("backup.bwk");
    // Taken while the store is open and writing: a consistent snapshot of what was committed.
    EmbeddedBackup.Summary s = EmbeddedBackup.backup(dir(), key, archive);
    assertThat(s.bans()).isEqualTo(2);
    ban("192.0.2.1", "after the backup");
    stores.close();

    try (var files = Files.list(dir())) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir());

    EmbeddedBackup.Summary restored = EmbeddedBackup.restore(archive, dir(), key);
    assertThat(restored).isEqualTo(s);
    open();
    assertThat(stores.bans().list()).containsExactlyInAnyOrderElementsOf(before);
    assertThat(stores.bans().active("192.0.2.1")).isNull();
  }

  @Test
  void theArchiveIsOwnerOnlyAndHoldsNothingInClear() throws Exception {
    Path archive = backupOf(3);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(archive)))
        .isEqualTo("rw-------");
    String bytes =
        new String(Files.readAllBytes(archive), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(bytes)
        .startsWith("BWBACKUP")
        .doesNotContain("SQLite format")
        .doesNotContain("198.51.100.");
    assertThat(SqliteStoresTest.filesOf(dir()))
        .extracting(p -> p.getFileName().toString())
        .noneMatch(n -> n.startsWith(".backup-"));
  }

  @Test
  void verifyChecksAnArchiveWithoutTouchingTheDataDirectory() throws Exception {
    Path archive = backupOf(5);
    ban("192.0.2.1", "after");
    EmbeddedBackup.Summary s = EmbeddedBackup.verify(archive, key);
    assertThat(s.bans()).isEqualTo(5);
    assertThat(s.dataKeys()).isEqualTo(1);
    assertThat(s.schemaVersion()).isEqualTo(SchemaMigrations.LATEST);
    assertThat(stores.bans().list()).hasSize(6);
  }

  @Test
  void aRestoreOntoARunningStoreIsRefusedAndChangesNothing() throws Exception {
    Path archive = backupOf(2);
    ban("192.0.2.1", "after");
    assertThatThrownBy(() -> EmbeddedBackup.restore(archive, dir(), key))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageStartingWith(
            "refusing to restore: " + dir() + " is held by a running Bulwark (pid ")
        .hasMessageEndingWith("): stop it first, or use another store.data-dir");
    // The store still holds its directory and its three bans.
    ban("192.0.2.2", "still writing");
    assertThat(stores.bans().list()).hasSize(4);
    stores.close();
    open();
    assertThat(stores.bans().list()).hasSize(4);
  }

  @Test
  void aTamperedArchiveIsRefusedAndTheCurrentStateStays() throws Exception {
    Path archive = backupOf(3);
    ban("192.0.2.1", "after");
    stores.close();
    byte[] bytes = Files.readAllBytes(archive);
    bytes[bytes.length / 2] ^= 0x01;
    Path tampered = tmp.resolve("tampered.bwk");
    Files.write(tampered, bytes);
    assertThatThrownBy(() -> EmbeddedBackup.verify(tampered, key))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageMatching(
            java.util.regex.Pattern.quote(tampered.toString())
                + ": chunk \\d+ failed authentication \\(the archive was modified( or truncated)?\\)");
    assertThatThrownBy(() -> EmbeddedBackup.restore(tampered, dir(), key))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageContaining("failed authentication");
    open();
    assertThat(stores.bans().list()).hasSize(4);
    assertThat(SqliteStoresTest.filesOf(dir()))
        .extracting(p -> p.getFileName().toString())
        .noneMatch(n -> n.startsWith(".restore-"));
  }

  @Test
  void aTruncatedArchiveIsRefused() throws Exception {
    Path archive = backupOf(3);
    byte[] bytes = Files.readAllBytes(archive);
    Path cut = tmp.resolve("cut.bwk");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
    assertThatThrownBy(() -> EmbeddedBackup.verify(cut, key))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageStartingWith(cut + ": ")
        .hasMessageContaining("truncated");
  }

  @Test
  void anArchiveUnderAnotherMasterKeyIsRefusedNamingTheReference() throws Exception {
    Path archive = backupOf(1);
    MasterKey other = SqliteStoresTest.newKey("${env:OTHER_MASTER_KEY}");
    assertThatThrownBy(() -> EmbeddedBackup.verify(archive, other))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessage(
            archive
                + ": encrypted under master key "
                + key.id()
                + ", but ${env:OTHER_MASTER_KEY} is master key "
                + other.id()
                + " (use the master key that was current when the backup was made)");
  }

  @Test
  void aBackupWithTheWrongKeyIsRefusedBeforeAnythingIsWritten() throws Exception {
    backupOf(1);
    Path other = tmp.resolve("other.bwk");
    MasterKey wrong = SqliteStoresTest.newKey("${env:WRONG}");
    assertThatThrownBy(() -> EmbeddedBackup.backup(dir(), wrong, other))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageStartingWith("${env:WRONG} (master key ");
    assertThat(other).doesNotExist();
    assertThat(tmp.resolve("other.bwk.partial")).doesNotExist();
  }

  @Test
  void somethingThatIsNotAnArchiveIsRefused() throws Exception {
    Path notOne = tmp.resolve("notes.txt");
    Files.writeString(notOne, "hello");
    assertThatThrownBy(() -> EmbeddedBackup.verify(notOne, key))
        .hasMessage(notOne + ": not a Bulwark backup archive");
    assertThatThrownBy(() -> EmbeddedBackup.verify(tmp.resolve("missing.bwk"), key))
        .hasMessage(tmp.resolve("missing.bwk") + ": file not found");
  }
}
