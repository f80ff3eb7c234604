package dev.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.Stores;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sqlite.DataDirectory;
import dev.bulwark.store.sqlite.SqliteStores;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The account and organisation admin API over the embedded, encrypted SQLite store. */
class IdentityAdminSqliteTest extends IdentityAdminContract {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  @Override
  protected Stores open() {
    return SqliteStores.open(
        tmp.resolve("data"),
        MasterKey.parse(MasterKey.generateText(), "${env:KEY}"),
        10_000,
        10,
        StoreHealth.unmetered("embedded"));
  }

  @Test
  void aDeletedAccountsRowKeepsNoPersonalDataOnDisk() throws Exception {
    String id = created("curie", PASSWORD).path("account").path("id").asText();
    HttpResponse<String> r = send("DELETE", "/accounts/" + id, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:sqlite:" + tmp.resolve("data").resolve(DataDirectory.DATABASE));
        PreparedStatement s =
            c.prepareStatement(
                "SELECT login_key, login_name, email, display_name, password_hash, totp_secret,"
                    + " status FROM accounts WHERE id = ?")) {
      s.setString(1, id);
      try (ResultSet row = s.executeQuery()) {
        assertThat(row.next()).as("a tombstone remains").isTrue();
        for (int i = 1; i <= 6; i++) {
          assertThat(row.getObject(i)).as("column " + i).isNull();
        }
        assertThat(row.getString(7)).isEqualTo("deleted");
      }
    }
  }
}
