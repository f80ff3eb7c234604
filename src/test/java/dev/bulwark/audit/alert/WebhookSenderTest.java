package dev.bulwark.audit.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Deliveries to a real local receiver: one that hangs (each attempt times out, the queue stays
 * bounded, sending never blocks), one that answers 500 (retried, then dropped and counted), one
 * that answers 400 (not retried), one that answers 200 (delivered once, the signature verifies with
 * the documented algorithm).
 */
class WebhookSenderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "test-secret-" + java.util.UUID.randomUUID();
  private static final Pattern SIGNATURE = Pattern.compile("t=(\\d+),v1=([0-9a-f]{64})");

  /** Up to four attempts, 20 to 50 ms apart. */
  private static final AlertSettings.Delivery FOUR_QUICK_TRIES =
      new AlertSettings.Delivery(8, 4, Duration.ofMillis(20), Duration.ofMillis(50));

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static Alert alert(String id) {
    return new Alert(
        id,
        Instant.parse("2026-12-09T10:00:00Z").toEpochMilli(),
        "gw-1",
        AlertRule.ADMIN_AUTH_FAILED_BURST,
        Severity.CRITICAL,
        "address:198.51.100.7",
        5,
        5,
        Duration.ofMinutes(5),
        Instant.parse("2026-12-09T09:58:00Z").toEpochMilli(),
        Instant.parse("2026-12-09T10:00:00Z").toEpochMilli(),
        List.of("r1", "r2"),
        0);
  }

  private WebhookSender sender(WebhookReceiver r, Duration timeout, AlertSettings.Delivery d) {
    return new WebhookSender(
        WebhookSettings.of(r.url(), SECRET, timeout, Map.of("x-team", "sec-ops")), 0, d, registry);
  }

  private double counter(String name, @org.jspecify.annotations.Nullable String reason) {
    return reason == null
        ? registry.get(name).tag("webhook", "0").counter().count()
        : registry.get(name).tag("webhook", "0").tag("reason", reason).counter().count();
  }

  /** Waits up to 10 seconds for the counter to reach one. */
  private void awaitOne(String name, @org.jspecify.annotations.Nullable String reason)
      throws InterruptedException {
    Until.until(Duration.ofSeconds(10), () -> counter(name, reason) == 1);
  }

  @Test
  void aHangingReceiverTimesOutEachAttemptAndTheQueueStaysBounded() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver(WebhookReceiver.HANG);
        WebhookSender s =
            sender(
                hook,
                Duration.ofMillis(200),
                new AlertSettings.Delivery(8, 2, Duration.ofMillis(10), Duration.ofMillis(20)))) {
      long start = System.nanoTime();
      int maxQueued = 0;
      for (int i = 0; i < 10_000; i++) {
        s.send(alert("a" + i));
        maxQueued = Math.max(maxQueued, s.queued());
      }
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      // Waiting for the receiver even once per alert would take 10,000 x 2 x 200 ms.
      assertThat(tookMillis).as("sending never waits for the receiver").isLessThan(5_000);
      assertThat(maxQueued).isLessThanOrEqualTo(8);
      assertThat(counter("bulwark_alert_webhook_dropped", "queue-full"))
          .isGreaterThanOrEqualTo(9_900);
      // The one being delivered: 2 attempts, each cut at the timeout, then dropped as failed.
      Until.until(Duration.ofSeconds(10), () -> hook.attempts() >= 2);
      Until.until(
          Duration.ofSeconds(10), () -> counter("bulwark_alert_webhook_dropped", "failed") >= 1);
      assertThat(counter("bulwark_alert_webhook_delivered", null)).isZero();
    }
  }

  @Test
  void aReceiverAnswering500IsRetriedThenTheAlertIsDroppedAndCounted() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver(500);
        WebhookSender s = sender(hook, Duration.ofSeconds(2), FOUR_QUICK_TRIES)) {
      s.send(alert("a500"));
      awaitOne("bulwark_alert_webhook_dropped", "failed");
      assertThat(hook.attempts()).isEqualTo(4);
      assertThat(counter("bulwark_alert_webhook_retries", null)).isEqualTo(3);
      assertThat(hook.received())
          .extracting(WebhookReceiver.Received::alertId)
          .containsOnly("a500");
      assertThat(counter("bulwark_alert_webhook_delivered", null)).isZero();
    }
  }

  @Test
  void aReceiverAnswering400IsNotRetried() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver(400);
        WebhookSender s = sender(hook, Duration.ofSeconds(2), FOUR_QUICK_TRIES)) {
      s.send(alert("a400"));
      awaitOne("bulwark_alert_webhook_dropped", "failed");
      assertThat(hook.attempts()).isEqualTo(1);
    }
  }

  @Test
  void aReceiverAnswering200GetsTheAlertOnceSignedAsDocumented() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver(200);
        WebhookSender s = sender(hook, Duration.ofSeconds(2), AlertSettings.Delivery.DEFAULT)) {
      s.send(alert("a200"));
      awaitOne("bulwark_alert_webhook_delivered", null);
      Thread.sleep(200);
      assertThat(hook.attempts()).isEqualTo(1);
      WebhookReceiver.Received got = hook.received().get(0);
      assertThat(got.contentType()).isEqualTo("application/json");
      assertThat(got.alertId()).isEqualTo("a200");
      assertThat(got.extra()).isEqualTo("sec-ops");
      JsonNode body = JSON.readTree(got.body());
      assertThat(body.get("id").asText()).isEqualTo("a200");
      assertThat(body.get("rule").asText()).isEqualTo("admin-auth-failed-burst");
      assertThat(body.get("gateway").asText()).isEqualTo("gw-1");
      // The documented algorithm, computed here without the gateway's code.
      Matcher m = SIGNATURE.matcher(got.signature());
      assertThat(m.matches()).as(got.signature()).isTrue();
      long t = Long.parseLong(m.group(1));
      assertThat(Math.abs(System.currentTimeMillis() / 1000 - t)).isLessThan(60);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
      assertThat(HexFormat.of().formatHex(mac.doFinal(got.body()))).isEqualTo(m.group(2));
      // And the helper a Java receiver can use agrees; a changed body or secret does not verify.
      byte[] key = SECRET.getBytes(StandardCharsets.UTF_8);
      long now = System.currentTimeMillis() / 1000;
      assertThat(WebhookSignature.verify(key, got.signature(), got.body(), now, 300)).isTrue();
      byte[] altered =
          got.text().replace("\"count\":5", "\"count\":1").getBytes(StandardCharsets.UTF_8);
      assertThat(WebhookSignature.verify(key, got.signature(), altered, now, 300)).isFalse();
      assertThat(
              WebhookSignature.verify(
                  "another-secret-0123".getBytes(StandardCharsets.UTF_8),
                  got.signature(),
                  got.body(),
                  now,
                  300))
          .isFalse();
      assertThat(WebhookSignature.verify(key, got.signature(), got.body(), now + 3600, 300))
          .as("a replay an hour later")
          .isFalse();
      assertThat(WebhookSignature.verify(key, "t=1,v1=zz", got.body(), now, 300)).isFalse();
      assertThat(WebhookSignature.verify(key, null, got.body(), now, 300)).isFalse();
    }
  }

  @Test
  void aFlakyReceiverGetsTheAlertOnTheRetry() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver(503);
        WebhookSender s =
            sender(
                hook,
                Duration.ofSeconds(2),
                new AlertSettings.Delivery(8, 5, Duration.ofMillis(300), Duration.ofMillis(300)))) {
      s.send(alert("flaky"));
      Until.until(Duration.ofSeconds(5), () -> hook.attempts() >= 1);
      hook.answer(200);
      awaitOne("bulwark_alert_webhook_delivered", null);
      assertThat(hook.received())
          .extracting(WebhookReceiver.Received::alertId)
          .containsOnly("flaky");
      assertThat(counter("bulwark_alert_webhook_dropped", "failed")).isZero();
    }
  }

  @Test
  void theBackOffDoublesUpToItsBoundWithJitter() throws Exception {
    try (WebhookReceiver hook = new WebhookReceiver(200);
        WebhookSender s =
            sender(
                hook,
                Duration.ofSeconds(1),
                new AlertSettings.Delivery(8, 20, Duration.ofSeconds(1), Duration.ofSeconds(60)))) {
      for (int i = 0; i < 50; i++) {
        assertThat(s.backoff(1).toMillis()).isBetween(500L, 1000L);
        assertThat(s.backoff(3).toMillis()).isBetween(2000L, 4000L);
        assertThat(s.backoff(10).toMillis()).isBetween(30_000L, 60_000L);
        assertThat(s.backoff(40).toMillis()).isBetween(30_000L, 60_000L);
      }
    }
  }
}
