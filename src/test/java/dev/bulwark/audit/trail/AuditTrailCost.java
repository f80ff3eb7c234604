package dev.bulwark.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.SecurityEvent;
import dev.bulwark.audit.SecurityEventKind;
import dev.bulwark.audit.SecurityEvents;
import dev.bulwark.store.sealed.Keyring;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one record costs the trail's writer thread, and what publishing one event costs the thread
 * that publishes it: pushes {@code bulwark.cost.events} (default 200,000) token-invalid events,
 * each from another client address (so nothing is thinned), through a real {@link AuditTrail} and
 * prints records per second and the writer's CPU time per record. A measurement, not a test: it
 * prints, asserts only that every record was written, and runs only when asked:
 *
 * <pre>
 * mvn -B -q -o test -Dtest=AuditTrailCost -Dbulwark.cost=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@EnabledIfSystemProperty(named = "bulwark.cost", matches = "true")
class AuditTrailCost {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private static SecurityEvent event(int i) {
    String client = "10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255);
    return SecurityEvent.credentialRefused(
        SecurityEventKind.TOKEN_INVALID,
        "req-" + Integer.toHexString(i),
        client,
        "bench",
        "not a JWT (Invalid serialized unsecured/JWS/JWE object: Missing part delimiters)");
  }

  @Test
  void writerCostPerRecord() throws Exception {
    int n = Integer.getInteger("bulwark.cost.events", 200_000);
    Keyring keyring = TestKeyring.fresh();
    CheckpointKey key = CheckpointKey.generate();
    // Warm-up: the same code paths, compiled before the measured run.
    run(dir.resolve("warm.log"), keyring, key, Math.min(n, 50_000), false);
    run(dir.resolve("audit.log"), keyring, key, n, true);
    publishCost(n, false);
    publishCost(n, true);
  }

  /** What the publishing thread (an event loop) pays per event, with no sink behind. */
  private static void publishCost(int n, boolean oneAddress) {
    SecurityEvents events = new SecurityEvents(List.of(e -> {}));
    SecurityEvent[] built = new SecurityEvent[1];
    for (int round = 0; round < 2; round++) { // the first round warms up
      long build0 = THREADS.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        built[0] = event(oneAddress ? 0 : i);
      }
      long build = THREADS.getCurrentThreadCpuTime() - build0;
      long t0 = THREADS.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        events.publish(event(oneAddress ? 0 : i));
      }
      long total = THREADS.getCurrentThreadCpuTime() - t0;
      if (round == 1) {
        System.out.printf(
            "publish, %s: build %.2f us/event, build + publish (thinning) %.2f us/event%n",
            oneAddress ? "one address" : "a new address each", build / 1e3 / n, total / 1e3 / n);
      }
    }
  }

  private void run(Path file, Keyring keyring, CheckpointKey key, int n, boolean print)
      throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // Defaults of audit.* (checkpoint every 1000 records or 60 s), a queue that holds the whole
    // run.
    AuditTrail trail =
        AuditTrail.open(
            new AuditTrail.Settings(file, 1000, Duration.ofSeconds(60), n + 1),
            keyring,
            key,
            registry);
    Thread writer =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("bulwark-audit-writer") && t.isAlive())
            .reduce((a, b) -> a.getId() > b.getId() ? a : b)
            .orElseThrow();
    long cpu0 = THREADS.getThreadCpuTime(writer.getId());
    SecurityEvents events = new SecurityEvents(List.of(trail));
    long publishCpu0 = THREADS.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < n - 1; i++) {
      events.publish(event(i));
    }
    long publishCpu = THREADS.getCurrentThreadCpuTime() - publishCpu0;
    trail.acceptDurably(event(n - 1)).get();
    long wall = System.nanoTime() - t0;
    long cpu = THREADS.getThreadCpuTime(writer.getId()) - cpu0;
    trail.close();
    assertThat(trail.dropped()).isZero();
    assertThat(registry.counter("bulwark.audit.written").count()).isEqualTo(n);
    if (print) {
      long lines = Files.lines(file).count();
      System.out.printf(
          "audit writer: %d records in %.2f s = %.0f records/s; writer CPU %.2f us/record;"
              + " publish (build + thin + queue) %.2f us/event on the caller; %d lines, %d bytes"
              + " (%.0f bytes/record)%n",
          n,
          wall / 1e9,
          n / (wall / 1e9),
          cpu / 1e3 / n,
          publishCpu / 1e3 / (n - 1),
          lines,
          Files.size(file),
          (double) Files.size(file) / n);
    }
  }
}
