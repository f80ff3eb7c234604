package dev.bulwark.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.store.BucketShape;
import dev.bulwark.store.StoreConfig;
import dev.bulwark.store.Stores;
import dev.bulwark.store.StoresContract;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The store contract on the embedded backend, which answers before it returns. */
class MemoryStoresTest extends StoresContract {
  @Override
  protected Stores open(long maxBans) {
    return Stores.open(StoreConfig.EMBEDDED, maxBans, new SimpleMeterRegistry());
  }

  @Test
  void theEmbeddedConfigurationOpensTheEmbeddedBackend() {
    assertThat(stores).isInstanceOf(MemoryStores.class);
    assertThat(stores.kind()).isEqualTo("embedded");
    assertThat(stores.connections().remoteTotal()).isZero();
    assertThat(stores.connections().remote("192.0.2.1")).isZero();
  }

  @Test
  void everyAnswerIsCompleteWhenTheCallReturns() {
    assertThat(
            stores
                .rateLimits()
                .consume("k", new BucketShape(1, 1, Duration.ofMinutes(1)))
                .toCompletableFuture())
        .isDone();
    assertThat(stores.bans().strike("r", "192.0.2.1", Duration.ofMinutes(1)).toCompletableFuture())
        .isDone();
  }
}
