package dev.bulwark.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class SecurityEventsDurableTest {
  private static final SecurityEvent BAN =
      SecurityEvent.ban("r1", "192.0.2.1", "admin", Instant.EPOCH, 0, "by hand");

  /** A durable sink that stores nothing until the test says so. */
  static final class HeldSink implements DurableSink {
    final List<SecurityEvent> seen = new ArrayList<>();
    final CompletableFuture<Void> stored = new CompletableFuture<>();

    @Override
    public void accept(SecurityEvent event) {
      seen.add(event);
    }

    @Override
    public CompletableFuture<Void> acceptDurably(SecurityEvent event) {
      seen.add(event);
      return stored;
    }
  }

  @Test
  void aDurablePublishCompletesOnlyOnceTheDurableSinkHasStoredIt() {
    List<SecurityEvent> log = new ArrayList<>();
    HeldSink trail = new HeldSink();
    CompletableFuture<Void> done = SecurityEvents.of(log::add, trail).publishDurably(BAN);
    assertThat(log).containsExactly(BAN);
    assertThat(trail.seen).containsExactly(BAN);
    assertThat(done).isNotDone();
    trail.stored.complete(null);
    assertThat(done).isCompleted();
  }

  @Test
  void aDurablePublishFailsWhenTheDurableSinkCouldNotStoreIt() {
    HeldSink trail = new HeldSink();
    CompletableFuture<Void> done = SecurityEvents.of(trail).publishDurably(BAN);
    trail.stored.completeExceptionally(new IllegalStateException("queue full"));
    assertThat(done).isCompletedExceptionally();
  }

  @Test
  void aDurableSinkThatNeverAnswersFailsThePublishAfterTheWait() throws Exception {
    HeldSink trail = new HeldSink();
    CompletableFuture<Void> done =
        SecurityEvents.of(trail).publishDurably(BAN, Duration.ofMillis(50));
    assertThat(done).failsWithin(Duration.ofSeconds(5));
    assertThatThrownBy(done::join).hasCauseInstanceOf(TimeoutException.class);
  }

  @Test
  void withoutADurableSinkADurablePublishCompletesAtOnce() {
    List<SecurityEvent> log = new ArrayList<>();
    assertThat(SecurityEvents.of(log::add).publishDurably(BAN)).isCompleted();
    assertThat(log).containsExactly(BAN);
  }
}
