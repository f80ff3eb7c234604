package dev.bulwark.identity.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The breached-password Bloom filter, built the way an operator builds it: from a file of 100,000
 * passwords (plain and SHA-1 lines), then measured: no false negatives, a false-positive rate near
 * the one it was sized for, and its size.
 */
class BreachedPasswordsTest {
  @TempDir
  @SuppressWarnings("NullAway.Init")
  Path dir;

  @Test
  void aFileThatIsNotUtf8IsRefusedNamingTheFile() throws Exception {
    Path bad = dir.resolve("bad.txt");
    Files.write(bad, new byte[] {'a', (byte) 0xff, (byte) 0xfe, '\n'});
    assertThatThrownBy(() -> BreachedPasswords.load(bad, 0.001))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining(bad.toString());
    assertThatThrownBy(() -> BreachedPasswords.load(dir.resolve("missing.txt"), 0.001))
        .hasMessageContaining("missing.txt");
  }

  @Test
  void aFilterOf100000PasswordsHasNoFalseNegativesAndAboutTheRateItWasSizedFor() throws Exception {
    Random random = new Random(42);
    Path file = dir.resolve("breached.txt");
    int n = 100_000;
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("# one password a line, or its SHA-1 in hex with an optional :count\n");
      for (int i = 0; i < n - 2; i++) {
        w.write("pw-" + Long.toHexString(random.nextLong()) + "\n");
      }
      w.write("Tr0ub4dor&3\n");
      String sha1 =
          HexFormat.of().withUpperCase().formatHex(BreachedPasswords.sha1("hunter2-but-longer"));
      w.write(sha1 + ":1234\n");
    }
    BreachedPasswords filter = BreachedPasswords.load(file, BreachedPasswords.DEFAULT_FPP);
    assertThat(filter.entries()).isEqualTo(n);
    assertThat(filter.probes()).isEqualTo(10);
    // About 14.4 bits a password: 100,000 take about 176 KiB.
    assertThat(filter.sizeBytes()).isBetween(170_000L, 185_000L);
    assertThat(filter.contains("Tr0ub4dor&3")).isTrue();
    assertThat(filter.contains("hunter2-but-longer")).isTrue();
    random = new Random(42);
    for (int i = 0; i < n - 2; i++) {
      assertThat(filter.contains("pw-" + Long.toHexString(random.nextLong()))).isTrue();
    }
    Random other = new Random(7);
    int falsePositives = 0;
    int probes = 100_000;
    for (int i = 0; i < probes; i++) {
      if (filter.contains("other-" + Long.toHexString(other.nextLong()))) {
        falsePositives++;
      }
    }
    assertThat((double) falsePositives / probes).isLessThan(0.002);
  }

  @Test
  void anEmptyListHoldsNothing() {
    assertThat(BreachedPasswords.NONE.contains("anything")).isFalse();
    assertThat(BreachedPasswords.of(java.util.List.of(), 0.001).contains("anything")).isFalse();
  }
}
