package dev.bulwark.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.store.Account;
import dev.bulwark.store.AccountStoreContract;
import dev.bulwark.store.NewAccount;
import dev.bulwark.store.OneTimePurpose;
import dev.bulwark.store.Organisation;
import dev.bulwark.store.StoreConfig;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.StoreUnavailable;
import dev.bulwark.store.Stores;
import dev.bulwark.store.memory.MemoryStores;
import dev.bulwark.store.sealed.MasterKey;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The account store contract on the real PostgreSQL server (a schema of its own per test, dropped
 * after), and what only a shared network database adds: what the server's files hold, several
 * gateways on one schema, the server unreachable at start and gone during an operation.
 */
class PostgresAccountStoreTest extends AccountStoreContract {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private final MasterKey key = MasterKey.parse(MasterKey.generateText(), "${env:KEY}");
  private final List<String> schemas = new ArrayList<>();
  private @Nullable CuttableProxy proxy;

  private String schema() {
    if (schemas.isEmpty()) {
      schemas.add(PostgresServer.newSchema());
    }
    return schemas.get(0);
  }

  private PostgresStore openStore(String host, int port, MasterKey master) {
    return PostgresStore.open(
        PostgresServer.config(host, port, schema(), TIMEOUT),
        master,
        StoreHealth.unmetered("postgres"));
  }

  @Override
  protected Stores open() {
    PostgresServer.admin();
    return new PostgresStores(
        new MemoryStores(1000, 10), openStore(PostgresServer.HOST, PostgresServer.PORT, key));
  }

  @Override
  protected void afterClose() throws Exception {
    CuttableProxy p = proxy;
    if (p != null) {
      p.close();
    }
    for (String s : schemas) {
      PostgresServer.drop(s);
    }
  }

  private Connection admin() throws Exception {
    Connection c = PostgresServer.admin();
    try (Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + schema());
    }
    return c;
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
  void theServersFilesAndColumnsNeverHoldALoginNameEmailOrSecretInClear() throws Exception {
    NewAccount n =
        new NewAccount(
            "TrudyLogin",
            "trudylogin",
            "trudy-mail@example.org",
            true,
            "Trudy Display",
            "$argon2id$v=19$distinctive-hash");
    Account a = await(accounts().create(n)).orElseThrow();
    await(accounts().enrolTotp(a.id(), "TOTPSECRETBYTES-123".getBytes(StandardCharsets.US_ASCII)));
    await(accounts().replaceRecoveryCodes(a.id(), List.of("recovery-code-hash-xyz")));
    List<String> secrets =
        List.of(
            "TrudyLogin",
            "trudylogin",
            "trudy-mail",
            "Trudy Display",
            "distinctive-hash",
            "TOTPSECRETBYTES",
            "recovery-code-hash");
    try (Connection c = admin();
        Statement s = c.createStatement()) {
      // Every column of every row, as text: nothing personal in any of them.
      StringBuilder all = new StringBuilder();
      for (String table : List.of("accounts", "recovery_codes")) {
        try (ResultSet r = s.executeQuery("SELECT t::text FROM " + table + " t")) {
          while (r.next()) {
            all.append(r.getString(1));
          }
        }
      }
      try (ResultSet r =
          s.executeQuery(
              "SELECT encode(login_name || email || display_name, 'escape') FROM accounts")) {
        while (r.next()) {
          all.append(r.getString(1));
        }
      }
      for (String secret : secrets) {
        assertThat(all.toString()).as(secret + " in a column").doesNotContain(secret);
      }
      // And the table's file on disk, when this user may read the server's data directory.
      s.execute("CHECKPOINT");
      String dataDir;
      String file;
      try (ResultSet r = s.executeQuery("SHOW data_directory")) {
        r.next();
        dataDir = r.getString(1);
      }
      try (ResultSet r = s.executeQuery("SELECT pg_relation_filepath('accounts')")) {
        r.next();
        file = r.getString(1);
      }
      Path heap = Path.of(dataDir, file);
      if (Files.isReadable(heap)) {
        byte[] raw = Files.readAllBytes(heap);
        assertThat(contains(raw, a.id())).as("the id is on disk in clear").isTrue();
        for (String secret : secrets) {
          assertThat(contains(raw, secret)).as(secret + " in " + heap).isFalse();
        }
      }
    }
  }

  @Test
  void afterADeletionOnlyTheTombstoneRemainsInTheTables() throws Exception {
    Account a = create("Tombstoned");
    Organisation o = await(organisations().create("tomb-org", "T")).orElseThrow();
    await(organisations().setMembership(a.id(), o.id(), "owner"));
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
    try (Connection c = admin();
        PreparedStatement s =
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
      assertThat(childRows(c, a.id())).isZero();
    }
  }

  private static int childRows(Connection c, String account) throws Exception {
    int n = 0;
    for (String table : List.of("recovery_codes", "one_time_tokens", "memberships")) {
      try (PreparedStatement s =
          c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE account_id = ?")) {
        s.setString(1, account);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          n += r.getInt(1);
        }
      }
    }
    return n;
  }

  @Test
  void twoGatewaysOnOneSchemaShareAccountsDataKeysAndLoginLookups() throws Exception {
    try (PostgresStore other = openStore(PostgresServer.HOST, PostgresServer.PORT, key)) {
      Account a = create("Shared");
      Account seen = await(other.accounts().byLogin("shared")).orElseThrow();
      assertThat(seen).isEqualTo(a);
      assertThat(await(other.accounts().create(newAccount("SHARED")))).isEmpty();
      await(accounts().enrolTotp(a.id(), new byte[20]));
      assertThat(await(other.accounts().acceptTotpStep(a.id(), 7))).isTrue();
      assertThat(await(accounts().acceptTotpStep(a.id(), 7))).isFalse();
    }
  }

  @Test
  void aWrongMasterKeyIsRefusedAtStartWithOneLine() {
    MasterKey wrong = MasterKey.parse(MasterKey.generateText(), "${env:OTHER}");
    assertThatThrownBy(() -> openStore(PostgresServer.HOST, PostgresServer.PORT, wrong))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageContaining("${env:OTHER}")
        .hasMessageContaining("set store.master-key")
        .hasMessageNotContaining("\n");
  }

  @Test
  void anUnreachableServerAtStartIsOneLineNamingTheAddressAndWhatToDo() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    long start = System.nanoTime();
    assertThatThrownBy(() -> openStore("127.0.0.1", closed, key))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageStartingWith("store.postgres: PostgreSQL at 127.0.0.1:" + closed)
        .hasMessageContaining("cannot be reached")
        .hasMessageContaining("pg_ctlcluster")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("Exception");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
  }

  @Test
  void theConfiguredStoreKeepsAccountsInPostgresBesideTheShortLivedBackend() throws Exception {
    String own = PostgresServer.newSchema();
    schemas.add(own);
    StoreConfig config =
        new StoreConfig(
            null,
            Duration.ofMillis(250),
            1000,
            null,
            new StoreConfig.MasterKeyReference("${env:K}", MasterKey.generateText()),
            null,
            PostgresServer.config(
                PostgresServer.HOST, PostgresServer.PORT, own, Duration.ofSeconds(1)));
    stores.close();
    stores = Stores.open(config, 10, new SimpleMeterRegistry());
    assertThat(stores).isInstanceOf(PostgresStores.class);
    assertThat(stores.kind()).isEqualTo("embedded");
    assertThat(await(accounts().create(newAccount("Configured")))).isPresent();
  }

  private PostgresStore throughProxy() throws Exception {
    CuttableProxy p = new CuttableProxy(PostgresServer.HOST, PostgresServer.PORT);
    proxy = p;
    return openStore("127.0.0.1", p.port(), key);
  }

  @Test
  void aServerGoneDuringAnOperationFailsItWithOneLineAndTheNextOneAfterItIsBackSucceeds()
      throws Exception {
    try (PostgresStore pg = throughProxy()) {
      CuttableProxy p = java.util.Objects.requireNonNull(proxy);
      Account a = await(pg.accounts().create(newAccount("Survivor"))).orElseThrow();
      p.cut();
      Throwable f = failure(pg.accounts().byId(a.id()));
      assertThat(f)
          .isInstanceOf(StoreUnavailable.class)
          .hasMessageStartingWith("PostgreSQL at 127.0.0.1:" + p.port() + " cannot be reached")
          .hasMessageContaining("was not applied")
          .hasMessageNotContaining("\n");
      assertThat(failure(pg.accounts().create(newAccount("WhileDown"))))
          .isInstanceOf(StoreUnavailable.class);
      assertThat(pg.health().up()).isFalse();
      p.restore();
      Thread.sleep(600); // older than HikariCP's bypass window: idle connections are checked
      assertThat(await(pg.accounts().byId(a.id()))).contains(a);
      assertThat(await(pg.accounts().byLogin("whiledown"))).isEmpty();
      assertThat(pg.health().up()).isTrue();
    }
  }

  @Test
  void deletionsCutOffMidwayLeaveEachAccountWhollyDeletedOrWhollyIntact() throws Exception {
    try (PostgresStore pg = throughProxy()) {
      CuttableProxy p = java.util.Objects.requireNonNull(proxy);
      Organisation o = await(pg.organisations().create("half-org", "H")).orElseThrow();
      List<Account> made = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        Account a = await(pg.accounts().create(newAccount("half" + i))).orElseThrow();
        await(pg.organisations().setMembership(a.id(), o.id(), "member"));
        await(pg.accounts().replaceRecoveryCodes(a.id(), List.of("c1", "c2")));
        made.add(a);
      }
      List<CompletionStage<Boolean>> deletions = new ArrayList<>();
      for (Account a : made) {
        deletions.add(pg.accounts().delete(a.id()));
      }
      Thread.sleep(15);
      p.cut();
      int failed = 0;
      for (CompletionStage<Boolean> d : deletions) {
        try {
          await(d);
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(StoreUnavailable.class);
          failed++;
        }
      }
      p.restore();
      try (Connection c = admin()) {
        for (Account a : made) {
          try (PreparedStatement s =
              c.prepareStatement("SELECT status, email IS NULL FROM accounts WHERE id = ?")) {
            s.setString(1, a.id());
            try (ResultSet r = s.executeQuery()) {
              r.next();
              boolean deleted = r.getString(1).equals("deleted");
              assertThat(r.getBoolean(2)).isEqualTo(deleted);
              assertThat(childRows(c, a.id())).isEqualTo(deleted ? 0 : 3);
            }
          }
        }
      }
      // At least the operations queued behind the cut failed; the rest completed whole.
      assertThat(failed).isGreaterThanOrEqualTo(0);
    }
  }
}
