package dev.bulwark.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sqlite.EmbeddedKeys;
import dev.bulwark.testing.GatewayProcess;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real gateway process during a burst of admin bans, 20 times on one trail:
 * after each kill, every ban acknowledged with {@code 201} has its record in the trail, the trail
 * verifies (a torn last line counts only as a truncated tail), and the restart that starts the next
 * round continues the chain after it. Each round is one JVM start, a burst of 24 concurrent bans
 * and a kill at a random moment (in half the rounds, just after the first acknowledgement).
 */
class AuditTrailCrashTest {
  private static final int ROUNDS = 20;
  private static final int BURST = 24;

  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  @Test
  void everyAcknowledgedBanIsInTheTrailAfterKillDashNineAndTheChainContinues() throws Exception {
    String masterText = MasterKey.generateText();
    Path masterKey = tmp.resolve("master.key");
    Files.writeString(masterKey, masterText);
    Path data = tmp.resolve("data");
    Path trail = data.resolve("audit.log");
    HttpClient http = GatewayProcess.client();
    Set<String> acknowledged = new HashSet<>();
    int torn = 0;
    for (int round = 0; round < ROUNDS; round++) {
      GatewayProcess p = start(masterKey, data, trail, round);
      Set<String> ackedNow = p.killDuringBanBurst(http, round, BURST);
      acknowledged.addAll(ackedNow);

      TrailVerifier.Report r = TrailVerifier.verify(trail, null);
      List<String> findings = r.findings();
      if (!findings.isEmpty()) {
        assertThat(findings)
            .as("round " + round + ": only a torn last line may break the trail")
            .singleElement()
            .asString()
            .endsWith("truncated tail (the last record is incomplete)");
        torn++;
      }
      Keyring keyring = EmbeddedKeys.keyring(data, MasterKey.parse(masterText, "test"));
      Set<String> recorded = new HashSet<>();
      for (ObjectNode n :
          TrailSearch.search(
                  List.of(trail),
                  keyring,
                  new TrailSearch.Query(
                      null, null, null, "ban", null, null, null, null, -1, 1_000_000),
                  Long.MAX_VALUE)
              .records()) {
        recorded.add(n.get("bulwark.target").asText());
      }
      assertThat(recorded)
          .as("round " + round + ": every acknowledged ban is in the trail")
          .containsAll(ackedNow);
    }
    assertThat(acknowledged).as("the bursts acknowledged bans at all").isNotEmpty();
    // One more start cuts a torn tail of the last round and continues the chain; stop it cleanly.
    GatewayProcess last = start(masterKey, data, trail, ROUNDS);
    assertThat(last.stop())
        .as("SIGTERM: a clean shutdown ends the trail with a checkpoint")
        .isTrue();
    TrailVerifier.Report r =
        TrailVerifier.verify(trail, Files.readString(data.resolve("audit-signing.pub")));
    assertThat(r.findings()).isEmpty();
    assertThat(r.notes()).hasSize(torn);
  }

  /** Starts {@code bulwark run} on the trail in its own JVM. */
  private GatewayProcess start(Path masterKey, Path data, Path trail, int round) throws Exception {
    return GatewayProcess.start(
        tmp,
        """
        store:
          data-dir: %s
          master-key: ${file:%s}
        audit:
          file: %s
          checkpoint-every: 8
        routes:
          - name: api
            match: { path: /** }
            upstream: UPSTREAM
            public: true
        """
            .formatted(data, masterKey, trail),
        String.valueOf(round));
  }
}
