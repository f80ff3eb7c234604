package dev.bulwark.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStoreContract;
import dev.bulwark.store.NewAccount;
import dev.bulwark.store.OneTimePurpose;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.Stores;
import dev.bulwark.store.sealed.MasterKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account store contract on the embedded database, and what the file holds: no login name,
 * email address or secret in clear, nothing personal left after a deletion, accounts kept across a
 * restart.
 */
class SqliteAccountStoreTest extends AccountStoreContract {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  private final MasterKey key = MasterKey.parse(MasterKey.generateText(), "${env:KEY}");

  @Override
  protected Stores open() {
    return SqliteStores.open(
        tmp.resolve("data"), key, 10_000, 10, StoreHealth.unmetered("embedded"));
  }

  private Path database() {
    return tmp.resolve("data").resolve(DataDirectory.DATABASE);
  }

  /** Returns every byte of the database and its write-ahead log as they are on disk now. */
  private byte[] rawFiles() throws Exception {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    for (String suffix : List.of("", "-wal")) {
      Path f = Path.of(database() + suffix);
      if (Files.exists(f)) {
        all.write(Files.readAllBytes(f));
      }
    }
    return all.toByteArray();
  }

  private static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  @Test
  void theFileNeverHoldsALoginNameEmailDisplayNameOrSecretInClear() throws Exception {
    NewAccount n =
        new NewAccount(
            "MalloryLogin",
            "mallorylogin",
            "mallory-mail@example.org",
            true,
            "Mallory Display",
            "$argon2id$v=19$distinctive-hash");
    Account a = await(accounts().create(n)).orElseThrow();
    await(accounts().enrolTotp(a.id(), "TOTPSECRETBYTES-123".getBytes(StandardCharsets.US_ASCII)));
    await(accounts().replaceRecoveryCodes(a.id(), List.of("recovery-code-hash-xyz")));
    assertThat(await(accounts().byLogin("mallorylogin"))).isPresent();
    byte[] raw = rawFiles();
    assertThat(raw.length).isGreaterThan(0);
    for (String secret :
        List.of(
            "MalloryLogin",
            "mallorylogin",
            "mallory-mail",
            "Mallory Display",
            "distinctive-hash",
            "TOTPSECRETBYTES",
            "recovery-code-hash")) {
      assertThat(contains(raw, secret)).as(secret + " in the file").isFalse();
    }
    assertThat(contains(raw, a.id())).as("the id is in clear").isTrue();
  }

  @Test
  void afterADeletionOnlyTheTombstoneRemainsInTheTables() throws Exception {
    Account a = create("Tombstoned");
    await(accounts().enrolTotp(a.id(), new byte[20]));
    await(accounts().replaceRecoveryCodes(a.id(), List.of("c1", "c2")));
    await(
        accounts()
            .issueToken(
                OneTimePurpose.PASSWORD_RESET,
                a.id(),
                tokenHash("t"),
                Instant.now().plus(Duration.ofMinutes(5)),
                5));
    await(accounts().delete(a.id()));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database())) {
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT login_key, login_name, email, display_name, password_hash, totp_secret,"
                  + " status FROM accounts WHERE id = ?")) {
        s.setString(1, a.id());
        try (ResultSet r = s.executeQuery()) {
          assertThat(r.next()).isTrue();
          for (int i = 1; i <= 6; i++) {
            assertThat(r.getObject(i)).as("column " + i).isNull();
          }
          assertThat(r.getString(7)).isEqualTo("deleted");
        }
      }
      for (String table : List.of("recovery_codes", "one_time_tokens", "memberships")) {
        try (PreparedStatement s =
            c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE account_id = ?")) {
          s.setString(1, a.id());
          try (ResultSet r = s.executeQuery()) {
            r.next();
            assertThat(r.getInt(1)).as(table).isZero();
          }
        }
      }
    }
  }

  @Test
  void accountsSurviveARestartAndAreFoundByLoginAgain() throws Exception {
    Account a = create("Persistent");
    await(accounts().enrolTotp(a.id(), new byte[] {1, 2, 3}));
    stores.close();
    stores = open();
    Account back = await(accounts().byLogin("persistent")).orElseThrow();
    assertThat(back.id()).isEqualTo(a.id());
    assertThat(back.loginName()).isEqualTo("Persistent");
    assertThat(back.totpEnrolled()).isTrue();
    assertThat(await(accounts().totp(a.id())).orElseThrow().secret()).containsExactly(1, 2, 3);
  }
}
