package dev.bulwark.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;

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
    KilledTrail killed = KilledTrail.in(tmp);
    Path trail = killed.trail();
    HttpClient http = GatewayProcess.client();
    Set<String> acknowledged = new HashSet<>();
    int torn = 0;
    for (int round = 0; round < ROUNDS; round++) {
      GatewayProcess p = killed.start(round);
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
      assertThat(killed.recorded(killed.keyring(), "ban", "bulwark.target"))
          .as("round " + round + ": every acknowledged ban is in the trail")
          .containsAll(ackedNow);
    }
    assertThat(acknowledged).as("the bursts acknowledged bans at all").isNotEmpty();
    // One more start cuts a torn tail of the last round and continues the chain; stop it cleanly.
    GatewayProcess last = killed.start(ROUNDS);
    assertThat(last.stop())
        .as("SIGTERM: a clean shutdown ends the trail with a checkpoint")
        .isTrue();
    TrailVerifier.Report r =
        TrailVerifier.verify(trail, Files.readString(killed.data().resolve("audit-signing.pub")));
    assertThat(r.findings()).isEmpty();
    assertThat(r.notes()).hasSize(torn);
  }
}
