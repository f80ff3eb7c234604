package dev.bulwark.audit.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Text that came from a request (an account name, an address, a request id) cannot forge a log line
 * or break the webhook's JSON: one line, ASCII only, every control character escaped, long values
 * cut, and the value read back is what was sent.
 */
class AlertJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String FORGED_LINE =
      "x\"}\n{\"type\":\"alert\",\"rule\":\"new-admin\",\"key\":\"account:mallory\"}\r\n";
  private static final String ANSI = "\u001b[2J\u001b[31mRED\u001b[0m\u009b31m\u0007";
  private static final String JSON_BREAKING = "\\\"},{\"x\":\"\u0000\u2028\u2029";

  private static List<Alert> alertsFor(String account, String client, String requestId) {
    List<Alert> out = new ArrayList<>();
    AlertRules r =
        new AlertRules(
            AlertSettings.DEFAULTS.with(
                AlertRule.FAILED_LOGIN_BURST,
                new RuleSettings(
                    true, 1, Duration.ofMinutes(1), Duration.ofMinutes(1), Severity.WARNING)),
            "gw\n{\"type\":\"alert\"}",
            List.of(out::add),
            new SimpleMeterRegistry(),
            new MutableClock(Instant.parse("2026-12-09T10:00:00Z")));
    r.accept(Events.loginFailed(requestId, client, account, Instant.parse("2026-12-09T10:00:00Z")));
    return out;
  }

  private static void assertSafe(String text) {
    assertThat(text).doesNotContain("\n", "\r", "\u001b", "\u009b", "\u0000", "\u0007");
    assertThat(text.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
  }

  @Test
  void newlinesAnsiAndQuotesInEveryFieldStayInsideTheirStrings() throws Exception {
    for (String hostile : List.of(FORGED_LINE, ANSI, JSON_BREAKING)) {
      List<Alert> alerts = alertsFor(hostile, hostile, hostile);
      assertThat(alerts).isNotEmpty();
      for (Alert a : alerts) {
        for (String text : List.of(AlertJson.logLine(a), AlertJson.body(a))) {
          assertSafe(text);
          JsonNode n = JSON.readTree(text);
          assertThat(n.get("key").asText()).isEqualTo(a.key());
          assertThat(n.get("sampleEvents").get(0).asText()).isEqualTo(hostile);
          assertThat(n.get("gateway").asText()).isEqualTo("gw\n{\"type\":\"alert\"}");
          assertThat(n.get("rule").asText()).isEqualTo("failed-login-burst");
        }
        // The log line has exactly one object: the forged one stayed inside a string.
        assertThat(JSON.readTree(AlertJson.logLine(a)).get("type").asText()).isEqualTo("alert");
      }
    }
  }

  @Test
  void aMegabyteRequestIdIsCutAndSaysHowMuch() throws Exception {
    String huge = "r".repeat(1 << 20);
    Alert a = alertsFor("alice", "192.0.2.1", huge).get(0);
    String body = AlertJson.body(a);
    assertThat(body.length()).isLessThan(8 * 1024);
    assertThat(JSON.readTree(body).get("sampleEvents").get(0).asText())
        .endsWith("...(cut " + ((1 << 20) - 512) + " chars)");
  }

  @Test
  void theSchemaHasItsFieldsInOrder() throws Exception {
    Alert a = alertsFor("alice", "192.0.2.1", "req-1").get(0);
    JsonNode n = JSON.readTree(AlertJson.body(a));
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .containsExactly(
            "version",
            "id",
            "time",
            "gateway",
            "rule",
            "severity",
            "event",
            "key",
            "count",
            "threshold",
            "windowSeconds",
            "firstEvent",
            "lastEvent",
            "sampleEvents",
            "suppressed",
            "summary");
    assertThat(n.get("version").asInt()).isEqualTo(1);
    assertThat(n.get("event").asText()).isEqualTo("login-failed");
    assertThat(n.get("windowSeconds").asLong()).isEqualTo(60);
    assertThat(n.get("time").asText()).isEqualTo("2026-12-09T10:00:00Z");
    assertThat(n.get("summary").asText())
        .isEqualTo("1 failed sign-ins for account:alice within 1m (threshold 1)");
    assertThat(JSON.readTree(AlertJson.logLine(a)).fieldNames().next()).isEqualTo("type");
  }
}
