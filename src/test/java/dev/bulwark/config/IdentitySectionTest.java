package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.identity.login.ThrottleSettings;
import dev.bulwark.identity.password.Argon2Cost;
import dev.bulwark.identity.password.PwnedRangeSettings;
import dev.bulwark.policy.PolicyCatalog;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code identity} section, golden style: YAML in, settings or the exact errors (each with its
 * path, all at once) out; weaker-than-default settings load with a warning.
 */
class IdentitySectionTest {
  private static final String HEAD =
      "listen: { https: 0.0.0.0:8443 }\ntls: { cert: tls.crt, key: tls.key }\n";
  private static final String ROUTE =
      """
      routes:
        - { name: api, public: true, match: { path: /** }, upstream: "http://127.0.0.1:3000" }
      """;

  private static ConfigLoader.Loaded load(String yaml, Path dir) throws Exception {
    dev.bulwark.server.SelfSignedCertificate.generate(dir, List.of("localhost"));
    return PolicyCatalog.standard()
        .loader(new SecretResolver(Map.<String, String>of()::get))
        .parse(HEAD + yaml + ROUTE, dir.resolve("b.yaml"), dir);
  }

  private static List<String> errors(String yaml) throws Exception {
    Path dir = Files.createTempDirectory("identity-config");
    try {
      load(yaml, dir);
    } catch (ConfigException e) {
      return e.problems().stream()
          .map(Problem::toString)
          .map(p -> p.replace(dir.toString(), "DIR"))
          .toList();
    }
    throw new AssertionError("loaded: " + yaml);
  }

  @Test
  void everyMistakeIsReportedWithItsPathAtOnce() throws Exception {
    String yaml =
        """
        identity:
          passwords:
            argon2: { memory: 10GiB, iterations: 0, lanes: 2 }
            min-length: 6
            max-length: 10000
            min-score: 5
            breached-file: missing.txt
            pwned-range: { url: "http://pwned.example.com", timeout: 1h, on-failure: maybe }
          totp: { issuer: "Evil:Corp", skew-steps: 5 }
          login-throttle: { window: 0s, free-failures: 0, base-delay: 10s, max-delay: 1s }
          sessions: {}
        """;
    assertThat(errors(yaml))
        .containsExactlyInAnyOrder(
            "identity.sessions: unknown key (expected one of: login-throttle, mail, passwords, reset, tokens, totp)",
            "identity.passwords.argon2.lanes: unknown key (expected one of: iterations, memory,"
                + " parallelism)",
            "identity.passwords.argon2.memory: \"10GiB\" (expected: between 1MiB and 1GiB)",
            "identity.passwords.argon2.iterations: 0 (expected: between 1 and 64)",
            "identity.passwords.min-length: 6 (expected: between 8 and 256)",
            "identity.passwords.max-length: 10000 (expected: between 64 and 1024)",
            "identity.passwords.min-score: 5 (expected: between 0 and 4)",
            "identity.passwords.breached-file: DIR/missing.txt: file not found",
            "identity.passwords.pwned-range.timeout: \"1h\" (expected: between 100ms and 30s)",
            "identity.passwords.pwned-range.on-failure: \"maybe\" (expected: one of allow, refuse)",
            "identity.passwords.pwned-range.url: \"http://pwned.example.com\" (expected: https (plain"
                + " http only to a loopback address))",
            "identity.totp.issuer: \"Evil:Corp\" (expected: 1 to 64 characters without a colon)",
            "identity.totp.skew-steps: 5 (expected: between 0 and 2)",
            "identity.login-throttle.window: \"0s\" (expected: between 1m and 1d)",
            "identity.login-throttle.free-failures: 0 (expected: between 1 and 100)",
            "identity.login-throttle.max-delay: \"1s\" (expected: at least base-delay (10s))");
  }

  @Test
  void theSectionIsReadIntoSettings() throws Exception {
    Path dir = Files.createTempDirectory("identity-config");
    Files.writeString(dir.resolve("breached.txt"), "hunter2hunter2\n");
    String yaml =
        """
        identity:
          passwords:
            argon2: { memory: 46MiB, iterations: 1, parallelism: 2 }
            min-length: 14
            breached-file: breached.txt
            pwned-range: { url: "http://127.0.0.1:8099/", timeout: 3s, on-failure: refuse }
          totp: { issuer: "Example Inc", skew-steps: 0 }
          login-throttle: { window: 1h, max-delay: 15m, names-per-address: 50 }
        """;
    ConfigLoader.Loaded loaded = load(yaml, dir);
    IdentitySettings s = loaded.config().section(IdentitySettings.class);
    assertThat(s.passwords().argon2()).isEqualTo(new Argon2Cost(46 * 1024, 1, 2));
    assertThat(s.passwords().minLength()).isEqualTo(14);
    assertThat(s.passwords().maxLength()).isEqualTo(128);
    assertThat(s.passwords().breachedFile()).isEqualTo(dir.resolve("breached.txt"));
    assertThat(s.passwords().pwnedRange())
        .isEqualTo(
            new PwnedRangeSettings(
                URI.create("http://127.0.0.1:8099/"),
                Duration.ofSeconds(3),
                PwnedRangeSettings.OnFailure.REFUSE));
    assertThat(s.totp().issuer()).isEqualTo("Example Inc");
    assertThat(s.totp().skewSteps()).isZero();
    assertThat(s.loginThrottle().window()).isEqualTo(Duration.ofHours(1));
    assertThat(s.loginThrottle().maxDelay()).isEqualTo(Duration.ofMinutes(15));
    assertThat(s.loginThrottle().namesPerAddress()).isEqualTo(50);
    assertThat(s.loginThrottle().freeFailures())
        .isEqualTo(ThrottleSettings.DEFAULTS.freeFailures());
    assertThat(loaded.warnings())
        .extracting(Problem::toString)
        .noneMatch(w -> w.startsWith("identity"));
  }

  @Test
  void noSectionMeansTheDefaults() throws Exception {
    ConfigLoader.Loaded loaded = load("", Files.createTempDirectory("identity-config"));
    assertThat(loaded.config().section(IdentitySettings.class))
        .isEqualTo(IdentitySettings.DEFAULTS);
  }

  @Test
  void weakerThanDefaultSettingsLoadWithAWarning() throws Exception {
    String yaml =
        """
        identity:
          passwords:
            argon2: { memory: 8MiB, iterations: 1 }
            min-length: 8
            min-score: 1
        """;
    List<String> warnings =
        load(yaml, Files.createTempDirectory("identity-config")).warnings().stream()
            .map(Problem::toString)
            .filter(w -> w.startsWith("identity"))
            .toList();
    assertThat(warnings).hasSize(3);
    assertThat(warnings.get(0)).startsWith("identity.passwords.argon2: m=8192 KiB, t=1 is below");
  }
}
