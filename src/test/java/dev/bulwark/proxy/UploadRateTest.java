package dev.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.config.RouteLimits;
import dev.bulwark.exchange.Exchange;
import dev.bulwark.testing.FakeExchange;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The upload-rate watch of a body a stage reads hands its stop to the exchange, which the end of
 * the exchange runs: without it, its 5 s grace timer kept every such exchange and its body alive
 * for 5 s after the answer (a few thousand requests a second filled a small heap).
 */
class UploadRateTest {
  @Test
  void theWatchOfABodyAStageReadsCanBeStoppedByTheExchange() throws Exception {
    assertThat(RouteLimits.DEFAULTS.minUploadRate()).isPositive();
    Vertx vertx = Vertx.vertx();
    try {
      Exchange ex = FakeExchange.request("POST", "/x").run().exchange();
      Context ctx = vertx.getOrCreateContext();
      CompletableFuture<Boolean> held = new CompletableFuture<>();
      ctx.runOnContext(
          v -> {
            UploadRate.watchStageRead(ctx, ex, RouteLimits.DEFAULTS);
            Runnable stop = ex.stopUploadWatch();
            if (stop != null) {
              stop.run();
            }
            held.complete(stop != null);
          });
      assertThat(held.get(5, TimeUnit.SECONDS))
          .as("the exchange holds the stop of its upload watch")
          .isTrue();
    } finally {
      vertx.close();
    }
  }
}
