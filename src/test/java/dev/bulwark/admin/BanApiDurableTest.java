package dev.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.audit.DurableSink;
import dev.bulwark.audit.SecurityEvent;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * An admin ban is answered only once its durable record is stored: with the store's acknowledgement
 * held, no {@code 201} arrives; released, it does. A store that fails (a full disk) makes the
 * answer {@code 503}, never a {@code 201} that would lie.
 */
class BanApiDurableTest {
  /** A durable sink that acknowledges only when the test releases it, or fails when told to. */
  static final class HeldSink implements DurableSink {
    final List<SecurityEvent> seen = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> release = new CompletableFuture<>();

    @Override
    public void accept(SecurityEvent event) {
      seen.add(event);
    }

    @Override
    public CompletableFuture<Void> acceptDurably(SecurityEvent event) {
      seen.add(event);
      return release.thenApply(v -> null);
    }
  }

  private static final String BAN = "{\"address\":\"198.51.100.9\",\"reason\":\"abuse\"}";

  @Test
  void theBanIsNotAcknowledgedBeforeItsRecordIsStored() throws Exception {
    HeldSink sink = new HeldSink();
    try (AdminListener admin =
        new AdminListener(
            new AdminAuthentication.Throttle(Duration.ZERO, 10, Duration.ofMinutes(1)), sink)) {
      CompletableFuture<HttpResponse<String>> answer =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return admin.send("POST", "/bans", BAN, "content-type", "application/json");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (sink.seen.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(sink.seen).singleElement().extracting(e -> e.client()).isEqualTo("198.51.100.9");
      // Held: the ban is made, its record handed over, but no answer may come yet.
      try {
        answer.get(500, TimeUnit.MILLISECONDS);
        throw new AssertionError("answered before the record was stored");
      } catch (TimeoutException expected) {
        // right: still waiting for the store
      }
      sink.release.complete(null);
      HttpResponse<String> r = answer.get(10, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(201);
      SecurityEvent.Origin origin = java.util.Objects.requireNonNull(sink.seen.get(0).origin());
      assertThat(origin.address()).isEqualTo("127.0.0.1");
      assertThat(origin.path()).isEqualTo("/bans");
    }
  }

  @Test
  void aStoreThatCannotWriteMakesTheAnswer503NotA201() throws Exception {
    HeldSink sink = new HeldSink();
    sink.release.completeExceptionally(new java.io.IOException("No space left on device"));
    try (AdminListener admin =
        new AdminListener(
            new AdminAuthentication.Throttle(Duration.ZERO, 10, Duration.ofMinutes(1)), sink)) {
      HttpResponse<String> r = admin.send("POST", "/bans", BAN, "content-type", "application/json");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body())
          .contains("ban made, but its audit record was not written; check GET /bans");
      HttpResponse<String> lift = admin.send("DELETE", "/bans/198.51.100.9", "");
      assertThat(lift.statusCode()).isEqualTo(503);
      assertThat(lift.body()).contains("ban lifted, but its audit record was not written");
    }
  }
}
