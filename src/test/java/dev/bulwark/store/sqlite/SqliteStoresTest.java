package dev.bulwark.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.store.Ban;
import dev.bulwark.store.StoreConfig;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.Stores;
import dev.bulwark.store.StoresContract;
import dev.bulwark.store.sealed.MasterKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract on the embedded backend with a data directory, and what it adds: bans that
 * survive a restart, sealed on disk, in an owner-only directory, opened only with the right key.
 */
class SqliteStoresTest extends StoresContract {
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  private final MasterKey key = newKey("${file:/etc/bulwark/master.key}");

  static MasterKey newKey(String reference) {
    return MasterKey.parse(MasterKey.generateText(), reference);
  }

  private Path dir() {
    return tmp.resolve("data");
  }

  @Override
  protected Stores open(long maxBans) {
    return open(key, maxBans);
  }

  private SqliteStores open(MasterKey master, long maxBans) {
    return SqliteStores.open(dir(), master, 10_000, maxBans, StoreHealth.unmetered("embedded"));
  }

  private SqliteStores reopen(MasterKey master) {
    stores.close();
    stores = open(master, MAX_BANS);
    return (SqliteStores) stores;
  }

  private Ban ban(String address, String reason) throws Exception {
    return await(stores.bans().ban(address, HOUR, HOUR, HOUR, reason, "login-failures"));
  }

  @Test
  void theEmbeddedConfigurationWithADataDirectoryOpensThisBackend() {
    stores.close();
    StoreConfig config =
        new StoreConfig(
            null,
            Duration.ofMillis(250),
            10_000,
            dir(),
            new StoreConfig.MasterKeyReference("${env:K}", MasterKey.generateText()),
            null);
    assertThatThrownBy(() -> Stores.open(config, 3, new SimpleMeterRegistry()))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageContaining("${env:K} (master key ")
        .hasMessageContaining("does not open the data keys of " + dir().resolve("bulwark.db"));
    stores = open(MAX_BANS);
    assertThat(stores).isInstanceOf(SqliteStores.class);
    assertThat(stores.kind()).isEqualTo("embedded");
  }

  @Test
  void bansSurviveARestartWithEverythingTheyHad() throws Exception {
    Ban made = ban("203.0.113.9", "5 failed logins in 1m");
    await(stores.bans().ban("2001:db8::1", HOUR, HOUR, HOUR, "manual", "admin"));
    reopen(key);
    assertThat(stores.bans().active("203.0.113.9")).isEqualTo(made);
    assertThat(stores.bans().active("2001:db8::1")).isNotNull();
    assertThat(stores.bans().list()).hasSize(2);
  }

  @Test
  void aLiftedBanStaysLiftedAfterARestart() throws Exception {
    ban("203.0.113.9", "r");
    assertThat(await(stores.bans().unban("203.0.113.9"))).isTrue();
    reopen(key);
    assertThat(stores.bans().active("203.0.113.9")).isNull();
    assertThat(rows()).isZero();
  }

  @Test
  void aBanMadeAgainReplacesItsRowInsteadOfAddingOne() throws Exception {
    ban("203.0.113.9", "first");
    Ban second = ban("203.0.113.9", "second");
    assertThat(rows()).isEqualTo(1);
    reopen(key);
    assertThat(stores.bans().active("203.0.113.9")).isEqualTo(second);
  }

  @Test
  void theAddressAndReasonAreNeverWrittenInClear() throws Exception {
    ban("203.0.113.9", "secret-reason-text");
    for (Path f : filesOf(dir())) {
      String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      assertThat(bytes).as(f.toString()).doesNotContain("203.0.113.9");
      assertThat(bytes).as(f.toString()).doesNotContain("secret-reason-text");
    }
    stores.close();
    for (Path f : filesOf(dir())) {
      String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      assertThat(bytes).as(f.toString()).doesNotContain("203.0.113.9");
    }
    stores = open(MAX_BANS);
  }

  @Test
  void theDirectoryIsOwnerOnlyAndSoIsEveryFileInIt() throws Exception {
    ban("203.0.113.9", "r");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir())))
        .isEqualTo("rwx------");
    List<Path> files = filesOf(dir());
    assertThat(files).extracting(p -> p.getFileName().toString()).contains("bulwark.db");
    for (Path f : files) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .as(f.toString())
          .isEqualTo("rw-------");
    }
  }

  @Test
  void aLooseDirectoryAndFileAreTightenedAtStart() throws Exception {
    stores.close();
    Files.setPosixFilePermissions(dir(), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        dir().resolve("bulwark.db"), PosixFilePermissions.fromString("rw-r--r--"));
    stores = open(MAX_BANS);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir())))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir().resolve("bulwark.db"))))
        .isEqualTo("rw-------");
  }

  @Test
  void aValueCopiedFromAnotherBanRowIsRefusedAtStartNamingTheFileAndRow() throws Exception {
    ban("203.0.113.9", "a");
    ban("198.51.100.7", "b");
    stores.close();
    String victim;
    try (Connection c = jdbc()) {
      List<String> ids = new ArrayList<>();
      try (ResultSet r = c.createStatement().executeQuery("SELECT row_id FROM bans")) {
        while (r.next()) {
          ids.add(r.getString(1));
        }
      }
      victim = ids.get(1);
      try (PreparedStatement s =
          c.prepareStatement(
              "UPDATE bans SET address = (SELECT address FROM bans WHERE row_id = ?) WHERE row_id"
                  + " = ?")) {
        s.setString(1, ids.get(0));
        s.setString(2, victim);
        assertThat(s.executeUpdate()).isEqualTo(1);
      }
    }
    assertThatThrownBy(() -> open(MAX_BANS))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessage(
            dir().resolve("bulwark.db")
                + ": bans/"
                + victim
                + "/address: sealed value failed authentication (tampered with, or copied from"
                + " another record): restore the data directory from a backup");
    stores = open(newKey("${env:UNUSED}"), MAX_BANS, tmp.resolve("other"));
  }

  private SqliteStores open(MasterKey master, long maxBans, Path dir) {
    return SqliteStores.open(dir, master, 10_000, maxBans, StoreHealth.unmetered("embedded"));
  }

  @Test
  void theWrongMasterKeyIsOneLineNamingItsReference() throws Exception {
    ban("203.0.113.9", "a");
    stores.close();
    MasterKey wrong = newKey("${file:/etc/bulwark/other.key}");
    assertThatThrownBy(() -> open(wrong, MAX_BANS))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessage(
            "${file:/etc/bulwark/other.key} (master key "
                + wrong.id()
                + ") does not open the data keys of "
                + dir().resolve("bulwark.db")
                + ", which are wrapped under master key "
                + key.id()
                + ": set store.master-key to the key that wrote this data");
    stores = open(MAX_BANS);
    assertThat(stores.bans().active("203.0.113.9")).isNotNull();
  }

  @Test
  void aFileThatIsNotADatabaseIsOneLineNamingThePathAndWhatToDo() throws Exception {
    stores.close();
    Files.writeString(
        dir().resolve("bulwark.db"), "this is not a database, it is text\n".repeat(200));
    assertThatThrownBy(() -> open(MAX_BANS))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageStartingWith(dir().resolve("bulwark.db") + " cannot be opened (")
        .hasMessageEndingWith(
            "): move it aside and restore the latest backup with 'bulwark restore --from FILE',"
                + " or point store.data-dir at an empty directory")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("Exception");
    // Refused without holding the directory: a fixed file opens at once.
    Files.delete(dir().resolve("bulwark.db"));
    stores = open(MAX_BANS);
  }

  @Test
  void aDataDirectoryThatIsAFileIsOneLine() throws Exception {
    Path file = tmp.resolve("afile");
    Files.writeString(file, "x");
    assertThatThrownBy(() -> open(key, MAX_BANS, file))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessage(
            file + ": not a directory (store.data-dir must name a directory for Bulwark's data)");
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefusedWhileTheFirstHoldsIt() {
    assertThatThrownBy(() -> open(MAX_BANS))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageStartingWith(dir() + " is in use by a running Bulwark (pid ")
        .hasMessageEndingWith("): stop it first, or use another store.data-dir");
  }

  @Test
  void aFileWrittenByANewerSchemaIsRefused() throws Exception {
    stores.close();
    try (Connection c = jdbc()) {
      c.createStatement()
          .executeUpdate("INSERT INTO schema_version VALUES (99, 'from the future', 0)");
    }
    assertThatThrownBy(() -> open(MAX_BANS))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessage(
            dir().resolve("bulwark.db")
                + " has schema version 99, newer than this Bulwark knows ("
                + SchemaMigrations.LATEST
                + "): run the Bulwark"
                + " that wrote it, or restore a backup made by this one");
    try (Connection c = jdbc()) {
      c.createStatement().executeUpdate("DELETE FROM schema_version WHERE version = 99");
    }
    stores = open(MAX_BANS);
  }

  @Test
  void rotationKeepsEveryValueReadableUnderTheOldAndTheNewKeyUntilRetired() throws Exception {
    Ban before = ban("203.0.113.9", "before rotation");
    MasterKey next = newKey("${file:/etc/bulwark/master-2.key}");
    // While the store is open (a running gateway): rotation is one transaction beside it.
    var rotation = EmbeddedKeys.rotate(dir(), key, next);
    assertThat(rotation.rewrapped()).isEqualTo(1);
    assertThat(rotation.newKeyId()).isEqualTo(2);
    Ban during = ban("198.51.100.7", "sealed by the running store under data key 1");
    reopen(key);
    assertThat(stores.bans().active("203.0.113.9")).isEqualTo(before);
    assertThat(((SqliteStores) stores).database().keyring().activeKeyId()).isEqualTo(2);
    Ban after = ban("192.0.2.44", "sealed under data key 2");
    reopen(next);
    assertThat(stores.bans().list()).containsExactlyInAnyOrder(before, during, after);
    stores.close();
    assertThat(EmbeddedKeys.retire(dir(), next)).isEqualTo(2);
    assertThatThrownBy(() -> open(key, MAX_BANS))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageStartingWith("${file:/etc/bulwark/master.key} (master key ");
    stores = open(next, MAX_BANS);
    assertThat(stores.bans().list()).containsExactlyInAnyOrder(before, during, after);
  }

  @Test
  void retiringWithAKeyThatDoesNotOpenEverythingIsRefusedAndDeletesNothing() throws Exception {
    ban("203.0.113.9", "r");
    stores.close();
    MasterKey stranger = newKey("${env:STRANGER}");
    assertThatThrownBy(() -> EmbeddedKeys.retire(dir(), stranger))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageStartingWith("${env:STRANGER} (master key ");
    assertThatThrownBy(() -> EmbeddedKeys.rotate(dir(), key, key))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the new master key is the current one");
    stores = open(MAX_BANS);
    assertThat(stores.bans().active("203.0.113.9")).isNotNull();
  }

  private long rows() throws Exception {
    return ((SqliteStores) stores)
        .database()
        .await(
            c -> {
              try (ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM bans")) {
                r.next();
                return r.getLong(1);
              }
            });
  }

  private Connection jdbc() throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + dir().resolve("bulwark.db"));
  }

  static List<Path> filesOf(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }
}
