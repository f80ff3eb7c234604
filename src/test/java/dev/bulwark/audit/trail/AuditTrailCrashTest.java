package dev.bulwark.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.store.sealed.Keyring;
import dev.bulwark.store.sealed.MasterKey;
import dev.bulwark.store.sqlite.EmbeddedKeys;
import dev.bulwark.testing.TestGateway;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    Set<String> acknowledged = new HashSet<>();
    int torn = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Process p = start(masterKey, data, trail, round);
      int admin = adminPort;
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      Set<String> acked = ConcurrentHashMap.newKeySet();
      CompletableFuture<Void> first = new CompletableFuture<>();
      for (int i = 0; i < BURST; i++) {
        String address = "10." + round + "." + (i / 200) + "." + (i % 200 + 1);
        calls.add(
            http.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/bans"))
                        .timeout(Duration.ofSeconds(5))
                        .header("content-type", "application/json")
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                "{\"address\":\"" + address + "\",\"reason\":\"crash test\"}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .whenComplete(
                    (r, e) -> {
                      if (r != null && r.statusCode() == 201) {
                        acked.add(address);
                        first.complete(null);
                      }
                    }));
      }
      if (round % 2 == 0) {
        try {
          first.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // none acknowledged yet: kill now anyway
        }
        Thread.sleep(ThreadLocalRandom.current().nextInt(0, 15));
      } else {
        Thread.sleep(ThreadLocalRandom.current().nextInt(0, 120));
      }
      p.destroyForcibly(); // SIGKILL
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      for (CompletableFuture<HttpResponse<String>> c : calls) {
        try {
          c.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException refusedOrCut) {
          // the kill cut it: not acknowledged
        }
      }
      Set<String> ackedNow = Set.copyOf(acked);
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
    Process last = start(masterKey, data, trail, ROUNDS);
    last.destroy(); // SIGTERM: a clean shutdown ends the trail with a checkpoint
    assertThat(last.waitFor(20, TimeUnit.SECONDS)).isTrue();
    TrailVerifier.Report r =
        TrailVerifier.verify(trail, Files.readString(data.resolve("audit-signing.pub")));
    assertThat(r.findings()).isEmpty();
    assertThat(r.notes()).hasSize(torn);
  }

  private int adminPort;

  /** Starts {@code bulwark run} in its own JVM and waits until its admin listener answers. */
  private Process start(Path masterKey, Path data, Path trail, int round) throws Exception {
    int https = freePort();
    adminPort = freePort();
    Path config = tmp.resolve("bulwark.yaml");
    String yaml =
        TestGateway.yaml(
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
                9)
            .replace("https: 127.0.0.1:0", "https: 127.0.0.1:" + https)
            .replace("admin: 127.0.0.1:0", "admin: 127.0.0.1:" + adminPort)
            .replace("  http: 127.0.0.1:0\n", "");
    Files.writeString(config, yaml);
    Path log = tmp.resolve("gateway-" + round + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx192m",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-Xshare:auto",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.bulwark.cli.Main",
                    "run",
                    "--no-watch",
                    "-c",
                    config.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("gateway process exited: " + Files.readString(log));
      }
      try (Socket s = new Socket("127.0.0.1", adminPort)) {
        return p;
      } catch (IOException notYet) {
        Thread.sleep(25);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException("gateway process did not start: " + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
