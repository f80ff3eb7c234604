package dev.bulwark.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event record built in place is the very line the general record path makes. */
class TrailFileTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  @Test
  void anEventBuiltInPlaceIsByteForByteTheRecordOfTheLineFormat() throws Exception {
    Path path = dir.resolve("audit.log");
    Random random = new Random(7);
    String time = Instant.parse("2026-12-07T19:00:00.123Z").toString();
    TrailFile f =
        TrailFile.open(path, CheckpointKey.generate(), Instant.now(), TrailFile.WriteGate.NONE);
    String[] expected = new String[300];
    for (int i = 0; i < expected.length; i++) {
      byte[] sealed = new byte[random.nextInt(3000)]; // every length modulo 3, up to a few KiB
      random.nextBytes(sealed);
      expected[i] =
          f.next(
                  TrailLine.EVENT,
                  time,
                  TrailLine.field("body", Base64.getEncoder().encodeToString(sealed)))
              .text();
      f.appendEvent(time, sealed);
      if (i % 100 == 0) {
        f.sync();
      }
    }
    assertThat(f.size()).isGreaterThan(Files.size(path)); // the last ones not yet written
    f.sync();
    assertThat(f.size()).isEqualTo(Files.size(path));
    f.close();
    List<String> lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
    assertThat(lines.subList(1, lines.size())).containsExactly(expected);
    for (String line : lines) {
      assertThat(Objects.requireNonNull(TrailLine.parse(line)).hashMatches()).isTrue();
    }
  }

  @Test
  void whatWasAppendedSinceTheLastSyncIsRolledBack() throws Exception {
    Path path = dir.resolve("audit.log");
    TrailFile f =
        TrailFile.open(path, CheckpointKey.generate(), Instant.now(), TrailFile.WriteGate.NONE);
    f.appendEvent("2026-12-07T19:00:00Z", new byte[40]);
    f.sync();
    long size = Files.size(path);
    String hash = f.lastHash();
    for (int i = 0; i < 200; i++) {
      f.appendEvent("2026-12-07T19:00:00Z", new byte[1000]); // past one write's worth
    }
    assertThat(Files.size(path)).isGreaterThan(size);
    f.rollback();
    assertThat(Files.size(path)).isEqualTo(size);
    assertThat(f.lastHash()).isEqualTo(hash);
    f.close();
    assertThat(Files.size(path)).isEqualTo(size);
    assertThat(TrailVerifier.verify(path, null).intact()).isTrue();
  }
}
