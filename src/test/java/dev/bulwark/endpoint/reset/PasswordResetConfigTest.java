package dev.bulwark.endpoint.reset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.Problem;
import dev.bulwark.config.SecretResolver;
import dev.bulwark.endpoint.EndpointCatalog;
import dev.bulwark.identity.IdentitySettings;
import dev.bulwark.identity.mail.MailSettings;
import dev.bulwark.policy.PolicyCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code identity.mail}, {@code identity.reset} and {@code serve: password-reset}, golden style:
 * YAML in, settings or the exact errors (with their paths, all at once) out.
 */
class PasswordResetConfigTest {
  private static final String HEAD =
      "listen: { https: 0.0.0.0:8443 }\ntls: { cert: tls.crt, key: tls.key }\n";
  private static final String ROUTE =
      """
      routes:
        - name: reset
          match: { path: "/auth/reset/**" }
          serve: password-reset
      """;

  private static ConfigLoader.Loaded load(String yaml, Path dir) throws Exception {
    dev.bulwark.server.SelfSignedCertificate.generate(dir, List.of("localhost"));
    return EndpointCatalog.standard()
        .loader(
            PolicyCatalog.standard(), new SecretResolver(Map.of("SMTP_PASSWORD", "s3cret")::get))
        .parse(HEAD + yaml, dir.resolve("b.yaml"), dir);
  }

  private static List<String> errors(String yaml) throws Exception {
    Path dir = Files.createTempDirectory("reset-config");
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
  void aCompleteSectionLoadsWithItsDefaults() throws Exception {
    Path dir = Files.createTempDirectory("reset-config");
    ConfigLoader.Loaded loaded =
        load(
            """
            identity:
              mail:
                host: smtp.example.com
                username: bulwark
                password: ${env:SMTP_PASSWORD}
                from: "Example <no-reply@example.com>"
                link-base: https://app.example.com/account/
            """
                + ROUTE,
            dir);
    IdentitySettings s = loaded.config().section(IdentitySettings.class);
    MailSettings m = s.mail();
    assertThat(m.port()).isEqualTo(587);
    assertThat(m.tls()).isEqualTo(MailSettings.Tls.STARTTLS);
    assertThat(m.password()).isEqualTo("s3cret");
    assertThat(m.linkBase()).hasToString("https://app.example.com/account");
    assertThat(s.reset().ttl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(s.reset().perLogin()).isEqualTo(3);
  }

  @Test
  void everyMistakeIsReportedWithItsPathAtOnce() throws Exception {
    assertThat(
            errors(
                """
                identity:
                  mail:
                    host: "smtp.example.com\\r\\nX"
                    tls: none
                    username: bulwark
                    password: hunter2
                    from: "no-reply@example.com\\r\\nBcc: all@example.com"
                    link-base: http://app.example.com/account?x=1
                    queue: 0
                  reset: { ttl: 0s, per-login: 0 }
                """
                    + ROUTE))
        .extracting(e -> e.substring(0, e.indexOf(':')))
        .containsExactlyInAnyOrder(
            "identity.mail.host",
            "identity.mail.from",
            "identity.mail.link-base",
            "identity.mail.queue",
            "identity.reset.ttl",
            "identity.reset.per-login",
            "identity.mail.password");
  }

  @Test
  void plainSmtpIsRefusedToAnotherHostAndWarnedAboutOnLoopback() throws Exception {
    assertThat(
            errors(
                """
                identity:
                  mail: { host: smtp.example.com, tls: none, from: a@example.com, link-base: "https://a.example.com" }
                """
                    + ROUTE))
        .containsExactly(
            "identity.mail.tls: none to smtp.example.com (expected: starttls or implicit; none only"
                + " to a loopback host such as 127.0.0.1)");
    Path dir = Files.createTempDirectory("reset-config");
    ConfigLoader.Loaded loaded =
        load(
            """
            identity:
              mail: { host: 127.0.0.1, tls: none, from: a@example.com, link-base: "https://a.example.com" }
            """
                + ROUTE,
            dir);
    assertThat(loaded.warnings())
        .extracting(Problem::toString)
        .anyMatch(w -> w.startsWith("identity.mail.tls"));
  }

  @Test
  void theEndpointNeedsMailAndBringsItsOwnContract() throws Exception {
    assertThat(errors(ROUTE))
        .containsExactly(
            "routes[0].serve: password-reset without identity.mail (expected: identity.mail with"
                + " the SMTP server and link-base the reset links are mailed with)");
    assertThat(
            errors(
                """
                identity:
                  mail: { host: smtp.example.com, from: a@example.com, link-base: "https://a.example.com" }
                routes:
                  - name: reset
                    match: { path: "/auth/reset/**" }
                    serve: password-reset
                    contract: openapi.yaml
                """))
        .containsExactly(
            "routes[0].contract: on a route that serves password-reset (expected: no contract; a"
                + " served endpoint enforces its own)");
  }
}
