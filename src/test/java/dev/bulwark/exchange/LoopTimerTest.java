package dev.bulwark.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopTimerTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void firesOnTheArmingContextAfterTheDelay() throws Exception {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Boolean> sameContext = new CompletableFuture<>();
    long[] armedAt = new long[1];
    context.runOnContext(
        v -> {
          armedAt[0] = System.nanoTime();
          LoopTimer.arm(context, 50, x -> sameContext.complete(Vertx.currentContext() == context));
        });
    assertThat(sameContext.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - armedAt[0])).isGreaterThan(40);
  }

  @Test
  void aCancelledTimerNeverFires() throws Exception {
    Context context = vertx.getOrCreateContext();
    AtomicBoolean fired = new AtomicBoolean();
    CompletableFuture<Void> later = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          LoopTimer.arm(context, 30, x -> fired.set(true)).cancel();
          LoopTimer.arm(context, 200, x -> later.complete(null));
        });
    later.get(5, TimeUnit.SECONDS);
    assertThat(fired).isFalse();
  }

  @Test
  void aZeroOrNegativeDelayStillFires() throws Exception {
    Context context = vertx.getOrCreateContext();
    CompletableFuture<Void> fired = new CompletableFuture<>();
    context.runOnContext(v -> LoopTimer.arm(context, 0, x -> fired.complete(null)));
    fired.get(5, TimeUnit.SECONDS);
  }
}
