package dev.bulwark.admin;

import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.Stores;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sqlite.SqliteStores;
import java.nio.file.Path;
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
}
