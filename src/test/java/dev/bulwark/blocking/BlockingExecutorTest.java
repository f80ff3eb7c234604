package dev.bulwark.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.exchange.Exchange;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Stage;
import dev.bulwark.testing.FakeExchange;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The bounded executor against the fake exchange: work runs on a blocking thread, its completion on
 * the exchange's loop (the fake's queue, stepped by the test thread), never after the exchange was
 * answered; a full queue refuses at once with a 503 and counts it.
 */
class BlockingExecutorTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** A policy that runs {@code work} blocking, then records where it continued and proceeds. */
  private static Policy blockingStep(
      BlockingExecutor executor, CountDownLatch release, AtomicReference<String> continuedOn) {
    return new Policy() {
      @Override
      public Stage stage() {
        return Stage.AUTHN;
      }

      @Override
      public String name() {
        return "hash";
      }

      @Override
      public void onRequest(Exchange exchange) {
        executor.runOrRefuse(
            exchange,
            () -> {
              release.await(10, TimeUnit.SECONDS);
              return Thread.currentThread().getName();
            },
            (ex, workedOn, failure) -> {
              continuedOn.set(Thread.currentThread().getName() + " after " + workedOn);
              ex.proceed();
            });
      }
    };
  }

  private static void awaitResumes(FakeExchange fx, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (fx.pendingResumes() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(fx.pendingResumes()).isEqualTo(n);
  }

  @Test
  void theCompletionRunsOnTheExchangesLoopNotOnTheBlockingThread() throws Exception {
    try (BlockingExecutor executor = new BlockingExecutor(2, 4, registry)) {
      CountDownLatch release = new CountDownLatch(1);
      AtomicReference<String> continuedOn = new AtomicReference<>();
      FakeExchange fx =
          FakeExchange.get("/login")
              .holdResumes()
              .run(blockingStep(executor, release, continuedOn));
      assertThat(fx.outcome()).isEqualTo(FakeExchange.Outcome.PENDING);
      release.countDown();
      awaitResumes(fx, 1);
      // The work is done, but nothing touched the exchange from the blocking thread.
      assertThat(continuedOn.get()).isNull();
      assertThat(fx.outcome()).isEqualTo(FakeExchange.Outcome.PENDING);
      assertThat(fx.step()).isTrue(); // the loop runs it
      assertThat(continuedOn.get())
          .isEqualTo(Thread.currentThread().getName() + " after bulwark-blocking-1");
      assertThat(fx.outcome()).isEqualTo(FakeExchange.Outcome.PROCEEDED);
      assertThat(registry.get("bulwark_blocking_completed").counter().count()).isEqualTo(1);
    }
  }

  @Test
  void aFullQueueRefusesAtOnceWith503AndCountsIt() throws Exception {
    try (BlockingExecutor executor = new BlockingExecutor(1, 1, registry)) {
      CountDownLatch release = new CountDownLatch(1);
      AtomicReference<String> continuedOn = new AtomicReference<>();
      Policy step = blockingStep(executor, release, continuedOn);
      FakeExchange running = FakeExchange.get("/a").holdResumes().run(step);
      FakeExchange queued = FakeExchange.get("/b").holdResumes().run(step);
      long start = System.nanoTime();
      FakeExchange refused = FakeExchange.get("/c").requestId("req-full").holdResumes().run(step);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
      assertThat(refused.outcome()).isEqualTo(FakeExchange.Outcome.DENIED);
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.responseBody())
          .isEqualTo(
              "{\"error\":\"service unavailable\",\"status\":503,\"requestId\":\"req-full\"}");
      assertThat(refused.denial()).isSameAs(BlockingExecutor.FULL);
      assertThat(registry.get("bulwark_blocking_rejected").counter().count()).isEqualTo(1);
      assertThat(registry.get("bulwark_blocking_queue_depth").gauge().value()).isEqualTo(1);
      assertThat(executor.run(refused.exchange(), () -> "x", (ex, r, f) -> {}))
          .isEqualTo(BlockingExecutor.Submission.REFUSED);
      assertThatThrownBy(() -> executor.submit(() -> "x").toCompletableFuture().join())
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(BlockingExecutor.Refused.class)
          .hasMessageContaining("server.blocking");
      release.countDown();
      awaitResumes(running, 1);
      awaitResumes(queued, 1);
      running.settle();
      queued.settle();
      assertThat(running.outcome()).isEqualTo(FakeExchange.Outcome.PROCEEDED);
      assertThat(queued.outcome()).isEqualTo(FakeExchange.Outcome.PROCEEDED);
      // Room again once the work drained.
      assertThat(executor.submit(() -> "again").toCompletableFuture().get(10, TimeUnit.SECONDS))
          .isEqualTo("again");
    }
  }

  @Test
  void aFailureReachesTheCompletionOnTheLoop() throws Exception {
    try (BlockingExecutor executor = new BlockingExecutor(1, 1, registry)) {
      AtomicReference<Throwable> seen = new AtomicReference<>();
      Policy failing =
          new Policy() {
            @Override
            public Stage stage() {
              return Stage.AUTHN;
            }

            @Override
            public String name() {
              return "jdbc";
            }

            @Override
            public void onRequest(Exchange exchange) {
              executor.runOrRefuse(
                  exchange,
                  () -> {
                    throw new java.io.IOException("disk gone");
                  },
                  (ex, r, failure) -> {
                    seen.set(failure);
                    ex.deny(dev.bulwark.exchange.Denial.of(500, "internal error", "jdbc failed"));
                  });
            }
          };
      FakeExchange fx = FakeExchange.get("/x").holdResumes().run(failing);
      awaitResumes(fx, 1);
      fx.settle();
      assertThat(seen.get()).isInstanceOf(java.io.IOException.class).hasMessage("disk gone");
      assertThat(fx.status()).isEqualTo(500);
    }
  }

  @Test
  void noCompletionRunsOnceTheExchangeWasAnswered() throws Exception {
    try (BlockingExecutor executor = new BlockingExecutor(1, 1, registry)) {
      CountDownLatch release = new CountDownLatch(1);
      AtomicReference<String> continuedOn = new AtomicReference<>();
      FakeExchange fx =
          FakeExchange.get("/slow").holdResumes().run(blockingStep(executor, release, continuedOn));
      // Meanwhile the body timeout (or the client leaving) answered it.
      fx.exchange().deny(dev.bulwark.exchange.Denial.BODY_TIMEOUT);
      release.countDown();
      awaitResumes(fx, 1);
      fx.settle();
      assertThat(continuedOn.get()).isNull();
      assertThat(fx.status()).isEqualTo(408);
    }
  }

  @Test
  void sizesAreChecked() {
    assertThatThrownBy(() -> new BlockingExecutor(0, 1, registry))
        .hasMessage("threads: 0 (expected: > 0)");
    assertThatThrownBy(() -> new BlockingExecutor(1, 0, registry))
        .hasMessage("queue: 0 (expected: > 0)");
  }
}
