package dev.bulwark.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.audit.trail.PostgresTrailReader;
import dev.bulwark.audit.trail.TrailSearch;
import dev.bulwark.audit.trail.TrailVerifier;
import dev.bulwark.store.StoreHealth;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.testing.GatewayProcess;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real gateway process during a burst of admin bans with {@code
 * audit.postgres}, 20 times on one table: after each kill, every ban acknowledged with {@code 201}
 * is in the table (committed before the answer) and the chain verifies intact (a transaction is
 * there whole or not at all: no torn record); each restart continues the one chain.
 */
class PostgresAuditCrashTest {
  private static final int ROUNDS = 20;
  private static final int BURST = 24;

  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  private final String schema = PostgresServer.newSchema();
  private @Nullable PostgresStore reader;

  @AfterEach
  void dropSchema() throws Exception {
    if (reader != null) {
      reader.close();
    }
    PostgresServer.drop(schema);
  }

  @Test
  void everyAcknowledgedBanIsInPostgresAfterKillDashNineAndTheChainStaysIntact() throws Exception {
    PostgresServer.admin().close();
    String masterText = MasterKey.generateText();
    Path masterKey = tmp.resolve("master.key");
    Files.writeString(masterKey, masterText);
    HttpClient http = GatewayProcess.client();
    Set<String> acknowledged = new HashSet<>();
    for (int round = 0; round < ROUNDS; round++) {
      GatewayProcess p = start(masterKey, round);
      Set<String> ackedNow = p.killDuringBanBurst(http, round, BURST);
      acknowledged.addAll(ackedNow);
      PostgresStore db = reader(masterText);
      try (Connection c = connection()) {
        TrailVerifier.Report r = PostgresTrailReader.verify(c, null);
        assertThat(r.findings()).as("round " + round + ": the chain after a kill").isEmpty();
        Set<String> recorded = new HashSet<>();
        for (ObjectNode n :
            PostgresTrailReader.search(
                    c,
                    db.keyring(),
                    new TrailSearch.Query(
                        null, null, null, "ban", null, null, null, null, -1, 1_000_000),
                    Long.MAX_VALUE)
                .records()) {
          recorded.add(n.get("bulwark.target").asText());
        }
        assertThat(recorded)
            .as("round " + round + ": every acknowledged ban is in the table")
            .containsAll(ackedNow);
      }
    }
    assertThat(acknowledged).as("the bursts acknowledged bans at all").isNotEmpty();
    GatewayProcess last = start(masterKey, ROUNDS);
    assertThat(last.stop()).as("SIGTERM: a clean shutdown signs a last checkpoint").isTrue();
    try (Connection c = connection();
        Statement s = c.createStatement();
        ResultSet k = s.executeQuery("SELECT public_key FROM audit_chain")) {
      k.next();
      TrailVerifier.Report r = PostgresTrailReader.verify(c, k.getString(1));
      assertThat(r.findings()).isEmpty();
      // What the killed writers left unsigned is signed by the last one (at most its own start
      // record follows the last checkpoint).
      assertThat(r.lastSeq() - r.lastCheckpointSeq()).isLessThanOrEqualTo(1);
    }
  }

  private PostgresStore reader(String masterText) {
    PostgresStore db = reader;
    if (db == null) {
      db =
          PostgresStore.open(
              PostgresServer.config(
                  PostgresServer.HOST, PostgresServer.PORT, schema, Duration.ofSeconds(5)),
              MasterKey.parse(masterText, "test"),
              StoreHealth.unmetered("postgres"));
      reader = db;
    }
    return db;
  }

  private Connection connection() throws Exception {
    Connection c = PostgresServer.admin();
    try (Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + schema);
    }
    return c;
  }

  /** Starts {@code bulwark run} writing the trail to the test's schema, in its own JVM. */
  private GatewayProcess start(Path masterKey, int round) throws Exception {
    return GatewayProcess.start(
        tmp,
        """
        store:
          master-key: ${file:%s}
          postgres: { url: "postgresql://%s:%d/%s", user: %s, schema: %s }
        audit:
          postgres: true
          checkpoint-every: 8
        routes:
          - name: api
            match: { path: /** }
            upstream: UPSTREAM
            public: true
        """
            .formatted(
                masterKey,
                PostgresServer.HOST,
                PostgresServer.PORT,
                PostgresServer.DATABASE,
                PostgresServer.USER,
                schema),
        String.valueOf(round));
  }
}
