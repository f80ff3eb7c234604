package dev.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.GatewayProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bulwark run} closes cleanly on SIGTERM however early it comes: the shutdown hook is in
 * place before the first listener starts, and closes whatever started (the audit trail is closed
 * whole and the process says it stopped).
 */
class RunShutdownTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path tmp;

  @Test
  void sigtermDuringStartUpStillClosesTheGatewayCleanly() throws Exception {
    Path masterKey = tmp.resolve("master.key");
    Files.writeString(masterKey, dev.bulwark.store.sealed.MasterKey.generateText());
    Path data = tmp.resolve("data");
    Path trail = data.resolve("audit.log");
    String log =
        GatewayProcess.terminateDuringStart(
            tmp,
            """
            store:
              data-dir: %s
              master-key: ${file:%s}
            audit:
              file: %s
            routes:
              - { name: api, match: { path: /** }, upstream: UPSTREAM, public: true }
            """
                .formatted(data, masterKey, trail),
            "sigterm",
            () -> lines(trail).size() >= 1);
    assertThat(lines(trail)).as(log).isNotEmpty();
    // The hook ran after the start it waited for: the gateway closed (the trail flushed and
    // closed whole), then said so.
    assertThat(dev.bulwark.audit.trail.TrailVerifier.verify(trail, null).findings())
        .as(log)
        .isEmpty();
    assertThat(log).contains("bulwark: stopped");
  }

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file)
          ? Files.readAllLines(file).stream().filter(l -> l.endsWith("}")).toList()
          : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
