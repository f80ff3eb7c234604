package dev.bulwark.audit.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.testing.StubUpstream;
import dev.bulwark.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A real gateway: refused admin calls made through it fire an alert that reaches a local webhook
 * receiver, signed, and the log; a reload that removes a route's rate limit fires {@code
 * config-loosened}; a webhook that hangs never slows requests.
 */
class AlertsGatewayTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN_TOKEN = "gateway-admin-token-0123456789abcdefghij";

  private static HttpResponse<String> admin(TestGateway gw, String path, String token)
      throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gw.gateway().adminPort() + path))
                .header("authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static String config(WebhookReceiver hook, String rules, String extra) {
    return config(hook, rules, extra, "1s");
  }

  private static String config(WebhookReceiver hook, String rules, String extra, String timeout) {
    return """
        admin: { token: "${env:BULWARK_ADMIN_TOKEN}" }
        audit:
          alerts:
            gateway-id: gw-under-test
        %s
            webhooks:
              - { url: "%s", secret: "${env:ALERT_WEBHOOK_SECRET}", timeout: %s }
        routes:
          - name: api
            match: { path: /** }
            upstream: UPSTREAM
            public: true
        %s
        """
        .formatted(rules, hook.url(), timeout, extra);
  }

  @Test
  void refusedAdminCallsThroughTheGatewayReachTheWebhookSignedAndTheLog() throws Exception {
    String secret = "webhook-" + UUID.randomUUID();
    try (StubUpstream upstream = new StubUpstream();
        WebhookReceiver hook = new WebhookReceiver(200);
        TestGateway gw =
            TestGateway.start(
                config(
                    hook,
                    "    max-attempts: 2\n    backoff: 100ms\n    rules:\n"
                        + "      admin-auth-failed-burst: { threshold: 2, window: 1m }",
                    "    rate-limit: { key: ip, limit: 1000, window: 1s }"),
                upstream.port(),
                Map.of("BULWARK_ADMIN_TOKEN", ADMIN_TOKEN, "ALERT_WEBHOOK_SECRET", secret))) {
      assertThat(admin(gw, "/bans", "wrong-1").statusCode()).isEqualTo(401);
      // The fan-out thins identical refusals to one a second; the second one passes after it.
      Thread.sleep(1_100);
      assertThat(admin(gw, "/bans", "wrong-2").statusCode()).isEqualTo(401);
      Until.until(Duration.ofSeconds(10), () -> !hook.received().isEmpty());
      WebhookReceiver.Received got = hook.received().get(0);
      JsonNode body = JSON.readTree(got.body());
      assertThat(body.get("rule").asText()).isEqualTo("admin-auth-failed-burst");
      assertThat(body.get("key").asText()).isEqualTo("address:127.0.0.1");
      assertThat(body.get("count").asLong()).isEqualTo(2);
      assertThat(body.get("gateway").asText()).isEqualTo("gw-under-test");
      assertThat(body.get("sampleEvents")).hasSize(2);
      long now = System.currentTimeMillis() / 1000;
      assertThat(
              WebhookSignature.verify(
                  secret.getBytes(StandardCharsets.UTF_8), got.signature(), got.body(), now, 300))
          .isTrue();
      String line = gw.awaitLine("\"type\":\"alert\"", "\"rule\":\"admin-auth-failed-burst\"");
      assertThat(JSON.readTree(line).get("id").asText()).isEqualTo(body.get("id").asText());
      assertThat(String.join("\n", gw.lines())).doesNotContain(secret);
      assertThat(admin(gw, "/metrics", ADMIN_TOKEN).body())
          .contains(
              "bulwark_alerts_total{rule=\"admin-auth-failed-burst\",severity=\"critical\"} 1.0")
          .contains("bulwark_alert_webhook_delivered_total{webhook=\"0\"} 1.0");

      // A reload that takes the route's rate limit away loosens the configuration.
      Files.writeString(
          gw.configFile(),
          Files.readString(gw.configFile())
              .replace("    rate-limit: { key: ip, limit: 1000, window: 1s }\n", ""));
      assertThat(gw.gateway().reload())
          .noneMatch(p -> p.severity() == dev.bulwark.config.Problem.Severity.ERROR);
      gw.awaitLine("\"event\":\"config-reloaded\"", "routes.api: rate-limit removed");
      Until.until(Duration.ofSeconds(10), () -> hook.received().size() >= 2);
      JsonNode loosened = JSON.readTree(hook.received().get(1).body());
      assertThat(loosened.get("rule").asText()).isEqualTo("config-loosened");
      assertThat(loosened.get("severity").asText()).isEqualTo("warning");
    }
  }

  @Test
  void aHangingWebhookNeverSlowsRequests() throws Exception {
    try (StubUpstream upstream = new StubUpstream();
        WebhookReceiver hook = new WebhookReceiver(WebhookReceiver.HANG);
        TestGateway gw =
            TestGateway.start(
                config(
                    hook,
                    "    queue: 2\n    max-attempts: 3\n    rules:\n"
                        + "      admin-auth-failed-burst: { threshold: 1, window: 1m, cool-down: 0s }",
                    "",
                    "10s"),
                upstream.port(),
                Map.of(
                    "BULWARK_ADMIN_TOKEN",
                    ADMIN_TOKEN,
                    "ALERT_WEBHOOK_SECRET",
                    "webhook-" + UUID.randomUUID()))) {
      assertThat(gw.get("/warm-up").statusCode()).isEqualTo(200);
      // 8 wrong tokens: the admin listener locks an address out after 10.
      for (int i = 0; i < 8; i++) {
        long start = System.nanoTime();
        assertThat(admin(gw, "/bans", "wrong-" + i).statusCode()).isIn(401, 429);
        assertThat(gw.get("/ok").statusCode()).isEqualTo(200);
        assertThat((System.nanoTime() - start) / 1_000_000)
            .as("a refused admin call and a proxied request, while the webhook hangs for 10 s")
            .isLessThan(5_000);
        Thread.sleep(60);
      }
      Until.until(Duration.ofSeconds(5), () -> hook.attempts() >= 1);
      String metrics = admin(gw, "/metrics", ADMIN_TOKEN).body();
      assertThat(metrics).contains("bulwark_alert_webhook_queue_depth{webhook=\"0\"}");
      assertThat(metrics)
          .doesNotContain("bulwark_alert_webhook_delivered_total{webhook=\"0\"} 1.0");
    }
  }
}
