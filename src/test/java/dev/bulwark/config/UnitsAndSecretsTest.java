package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnitsAndSecretsTest {
  @Test
  void sizesAndDurationsReadHumanUnits() {
    assertThat(Units.parseSize("1MiB")).isEqualTo(1L << 20);
    assertThat(Units.parseSize("16KiB")).isEqualTo(16L << 10);
    assertThat(Units.parseSize("10KB")).isEqualTo(10_000L);
    assertThat(Units.parseSize("512")).isEqualTo(512L);
    assertThat(Units.parseSize("-1")).isNull();
    assertThat(Units.parseSize("1PiB")).isNull();
    assertThat(Units.parseSize("999999999999999GiB")).isNull();
    assertThat(Units.parseDuration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Units.parseDuration("15m")).isEqualTo(Duration.ofMinutes(15));
    assertThat(Units.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Units.parseDuration("30")).isNull();
    assertThat(Units.formatSize(1L << 20)).isEqualTo("1MiB");
    assertThat(Units.formatDuration(Duration.ofMinutes(90))).isEqualTo("90m");
  }

  @Test
  void secretReferencesResolveFromEnvironmentAndFiles() throws Exception {
    Path secret = Files.createTempFile("secret", ".txt");
    Files.writeString(secret, "s3cr3t\n");
    SecretResolver r = new SecretResolver(Map.of("HOST", "api.internal")::get);
    Problems p = new Problems();
    assertThat(r.resolve("https://${env:HOST}:8443", "x", p))
        .isEqualTo("https://api.internal:8443");
    assertThat(r.resolve("${file:" + secret + "}", "y", p)).isEqualTo("s3cr3t");
    assertThat(p.all()).isEmpty();
    assertThat(r.resolve("${env:MISSING}", "z", p)).isNull();
    assertThat(r.resolve("${env:bad-name}", "z", p)).isNull();
    assertThat(r.resolve("${file:/does/not/exist}", "w", p)).isNull();
    assertThat(r.resolve("${env:UNCLOSED", "v", p)).isNull();
    assertThat(p.errors()).extracting(Problem::path).containsExactly("z", "z", "w", "v");
  }
}
