package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.alert.AlertRule;
import dev.bulwark.audit.alert.AlertSettings;
import dev.bulwark.audit.alert.RuleSettings;
import dev.bulwark.audit.alert.Severity;
import dev.bulwark.audit.alert.WebhookSettings;
import dev.bulwark.policy.PolicyCatalog;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code audit.alerts} in the file: rules on by default, each settable and turned off by name,
 * webhooks only over https (or http on loopback) with a referenced secret, and every mistake
 * reported at once with its path.
 */
class AlertsConfigTest {
  private static final String SECRET = "alert-webhook-secret-0123456789";
  private static final Map<String, String> ENV = Map.of("HOOK_SECRET", SECRET, "SHORT", "short");
  private static final String HEAD =
      """
      listen: { https: 127.0.0.1:8443 }
      tls: { cert: tls.crt, key: tls.key }
      routes:
        - { name: api, public: true, match: { path: /** }, upstream: "http://127.0.0.1:3000" }
      """;

  private static BulwarkConfig load(String yaml) throws Exception {
    Path dir = Files.createTempDirectory("alerts-config");
    dev.bulwark.server.SelfSignedCertificate.generate(dir, List.of("localhost"));
    return PolicyCatalog.standard()
        .loader(new SecretResolver(ENV::get))
        .parse(HEAD + yaml, dir.resolve("b.yaml"), dir)
        .config();
  }

  private static List<String> errors(String yaml) {
    try {
      load(yaml);
    } catch (ConfigException e) {
      return e.problems().stream().map(Problem::toString).toList();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("loaded: " + yaml);
  }

  @Test
  void withoutTheSectionEveryRuleRunsWithItsDefaultsAndNoWebhook() throws Exception {
    AlertSettings a = load("").alerts();
    assertThat(a).isEqualTo(AlertSettings.DEFAULTS);
    assertThat(a.enabled()).isTrue();
    assertThat(a.rule(AlertRule.FAILED_LOGIN_BURST))
        .isEqualTo(
            new RuleSettings(
                true, 10, Duration.ofMinutes(5), Duration.ofMinutes(5), Severity.WARNING));
    assertThat(a.rules().values()).allMatch(RuleSettings::enabled);
    assertThat(a.webhooks()).isEmpty();
  }

  @Test
  void rulesAreSetAndTurnedOffByNameAndAlertsAloneNeedNoTrail() throws Exception {
    AlertSettings a =
        load("""
                audit:
                  alerts:
                    gateway-id: edge-1
                    max-keys: 500
                    queue: 50
                    max-attempts: 3
                    backoff: 2s
                    max-backoff: 30s
                    rules:
                      failed-login-burst: { threshold: 5, window: 1m, cool-down: 10m, severity: critical }
                      ban-storm: off
                      access-denied-burst: { enabled: false }
                      new-admin: { roles: [admin, owner] }
                      role-granted-outside-hours: { hours: "09:00-17:30", days: [mon, tue], zone: Europe/Berlin }
                    webhooks:
                      - url: https://alerts.example.com/bulwark?team=sec
                        secret: ${env:HOOK_SECRET}
                        timeout: 2s
                        headers: { X-Team: sec-ops }
                      - { url: "http://127.0.0.1:9999/hook", secret: "${env:HOOK_SECRET}" }
                """)
            .alerts();
    assertThat(a.gatewayId()).isEqualTo("edge-1");
    assertThat(a.maxKeys()).isEqualTo(500);
    assertThat(a.delivery())
        .isEqualTo(
            new AlertSettings.Delivery(50, 3, Duration.ofSeconds(2), Duration.ofSeconds(30)));
    assertThat(a.rule(AlertRule.FAILED_LOGIN_BURST))
        .isEqualTo(
            new RuleSettings(
                true, 5, Duration.ofMinutes(1), Duration.ofMinutes(10), Severity.CRITICAL));
    assertThat(a.rule(AlertRule.BAN_STORM).enabled()).isFalse();
    assertThat(a.rule(AlertRule.ACCESS_DENIED_BURST).enabled()).isFalse();
    assertThat(a.rule(AlertRule.NEW_ADMIN).enabled()).isTrue();
    assertThat(a.adminRoles()).containsExactlyInAnyOrder("admin", "owner");
    assertThat(a.workingHours().start()).isEqualTo(LocalTime.of(9, 0));
    assertThat(a.workingHours().end()).isEqualTo(LocalTime.of(17, 30));
    assertThat(a.workingHours().days())
        .containsExactlyInAnyOrder(DayOfWeek.MONDAY, DayOfWeek.TUESDAY);
    assertThat(a.workingHours().zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    assertThat(a.webhooks())
        .containsExactly(
            WebhookSettings.of(
                URI.create("https://alerts.example.com/bulwark?team=sec"),
                SECRET,
                Duration.ofSeconds(2),
                Map.of("x-team", "sec-ops")),
            WebhookSettings.of(
                URI.create("http://127.0.0.1:9999/hook"), SECRET, Duration.ofSeconds(5), Map.of()));
    assertThat(a.webhooks().get(0).secret()).isEqualTo(SECRET.getBytes(StandardCharsets.UTF_8));
    assertThat(a.webhooks().get(0).toString()).doesNotContain(SECRET).doesNotContain("team=sec");
  }

  @Test
  void alertsOffTurnsEveryRuleOff() throws Exception {
    assertThat(load("audit: { alerts: off }\n").alerts().enabled()).isFalse();
  }

  @Test
  void everyMistakeIsReportedAtOnceWithItsPath() {
    List<String> errors =
        errors(
            """
            audit:
              alerts:
                colour: red
                max-backoff: 1s
                backoff: 5s
                rules:
                  failed-login-storm: { threshold: 3 }
                  failed-login-burst: { threshold: 0, window: 5 minutes, severity: panic }
                  new-admin: { hours: "09:00-17:00", roles: [] }
                  role-granted-outside-hours: { hours: "25:00-08:00", days: [mon, someday], zone: Mars/Olympus }
                webhooks:
                  - { url: "http://alerts.example.com/hook", secret: "${env:HOOK_SECRET}" }
                  - { url: "https://user:pw@alerts.example.com/hook", secret: "${env:HOOK_SECRET}" }
                  - { url: "https://alerts.example.com/hook", secret: literal-secret-value-1234 }
                  - { url: "https://alerts.example.com/hook", secret: "${env:SHORT}" }
                  - { url: "https://alerts.example.com/hook" }
                  - url: "https://alerts.example.com/hook"
                    secret: "${env:HOOK_SECRET}"
                    timeout: 10m
                    headers: { Bulwark-Signature: forged, "bad header": x }
                  - { url: "ftp://alerts.example.com/hook", secret: "${env:HOOK_SECRET}" }
            """);
    assertThat(errors)
        .contains(
            "audit.alerts.colour: unknown key (expected one of: backoff, enabled, gateway-id,"
                + " max-attempts, max-backoff, max-keys, queue, rules, webhooks)",
            "audit.alerts.max-backoff: 1s (expected: at least backoff, 5s)",
            "audit.alerts.rules.failed-login-storm: unknown rule (expected one of:"
                + " failed-login-burst, new-admin, role-granted-outside-hours, ban-storm,"
                + " refresh-token-reuse, config-loosened, access-denied-burst,"
                + " admin-auth-failed-burst, audit-dropped)",
            "audit.alerts.rules.new-admin.hours: unknown key (expected one of: cool-down, enabled,"
                + " roles, severity, threshold, window)",
            "audit.alerts.rules.new-admin.roles: empty (expected: at least one role; turn the rule"
                + " off instead)",
            "audit.alerts.webhooks[1].url: carries credentials (expected: none in the URL; send"
                + " them in headers with a ${env:..} reference)",
            "audit.alerts.webhooks[2].secret: literal secret (expected: a secret reference such as"
                + " ${env:ALERT_WEBHOOK_SECRET} or ${file:/run/secrets/alert-webhook})",
            "audit.alerts.webhooks[3].secret: the secret it names is 5 bytes (expected: at least"
                + " 16; 32 random bytes are best)",
            "audit.alerts.webhooks[4].secret: missing (expected: a reference to the shared"
                + " signing secret, such as ${env:ALERT_WEBHOOK_SECRET})",
            "audit.alerts.webhooks[5].headers.Bulwark-Signature: set by the gateway itself"
                + " (expected: another header)",
            "audit.alerts.webhooks[5].headers.bad header: not a header name (expected: letters,"
                + " digits and - only)");
    assertThat(errors)
        .anyMatch(e -> e.startsWith("audit.alerts.rules.failed-login-burst.threshold: 0"))
        .anyMatch(e -> e.startsWith("audit.alerts.rules.failed-login-burst.window: "))
        .anyMatch(e -> e.startsWith("audit.alerts.rules.failed-login-burst.severity: "))
        .anyMatch(e -> e.startsWith("audit.alerts.rules.role-granted-outside-hours.hours: "))
        .anyMatch(e -> e.startsWith("audit.alerts.rules.role-granted-outside-hours.days[1]: "))
        .anyMatch(e -> e.startsWith("audit.alerts.rules.role-granted-outside-hours.zone: "))
        .anyMatch(
            e -> e.startsWith("audit.alerts.webhooks[0].url: plain http to alerts.example.com"))
        .anyMatch(e -> e.startsWith("audit.alerts.webhooks[5].timeout: "))
        .anyMatch(e -> e.startsWith("audit.alerts.webhooks[6].url: "));
    assertThat(String.join("\n", errors)).doesNotContain("literal-secret-value-1234");
  }

  @Test
  void plainHttpIsAcceptedOnLoopbackOnly() throws Exception {
    for (String url : List.of("http://127.0.0.1:1/h", "http://localhost:1/h", "http://[::1]:1/h")) {
      assertThat(
              load("audit: { alerts: { webhooks: [ { url: \""
                      + url
                      + "\", secret: \"${env:HOOK_SECRET}\" } ] } }\n")
                  .alerts()
                  .webhooks())
          .hasSize(1);
    }
    assertThat(
            errors(
                "audit: { alerts: { webhooks: [ { url: \"http://10.0.0.8/h\", secret: \"${env:HOOK_SECRET}\" } ] } }\n"))
        .singleElement()
        .asString()
        .startsWith("audit.alerts.webhooks[0].url: plain http to 10.0.0.8 (expected: https");
  }
}
