package dev.bulwark.store.postgres;

import dev.bulwark.admin.IdentityAdminContract;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.Stores;
import dev.bulwark.store.memory.MemoryStores;
import dev.bulwark.store.sealed.MasterKey;
import java.time.Duration;

/** The account and organisation admin API over the real PostgreSQL server (a schema per test). */
class IdentityAdminPostgresTest extends IdentityAdminContract {
  private final String schema = PostgresServer.newSchema();

  @Override
  protected Stores open() {
    PostgresServer.admin();
    return new PostgresStores(
        new MemoryStores(1000, 10),
        PostgresStore.open(
            PostgresServer.config(
                PostgresServer.HOST, PostgresServer.PORT, schema, Duration.ofSeconds(5)),
            MasterKey.parse(MasterKey.generateText(), "${env:KEY}"),
            StoreHealth.unmetered("postgres")));
  }

  @Override
  protected void afterClose() throws Exception {
    PostgresServer.drop(schema);
  }
}
