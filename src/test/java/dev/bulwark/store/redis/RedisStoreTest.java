package dev.bulwark.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.store.BucketShape;
import dev.bulwark.store.StoreConfig;
import dev.bulwark.store.Stores;
import dev.bulwark.store.StoresContract;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The store contract on the cluster backend against a real redis-server, and what it does when
 * Redis cannot be reached: every operation fails through its stage, counted, never thrown.
 */
class RedisStoreTest extends StoresContract {
  private @Nullable RedisServer redis;

  @Override
  protected Stores open(long maxBans) throws Exception {
    RedisServer server = RedisServer.start();
    redis = server;
    Stores s = connected(server.url(), maxBans);
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (((RedisStore) s).connection() == null) {
      assertThat(System.nanoTime()).as("connected within 10 s").isLessThan(deadline);
      Thread.sleep(20);
    }
    return s;
  }

  private static Stores connected(String url, long maxBans) {
    return Stores.open(
        new StoreConfig(url, Duration.ofSeconds(1), 1000), maxBans, new SimpleMeterRegistry());
  }

  @Override
  protected void afterClose() throws Exception {
    RedisServer server = redis;
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theRedisConfigurationOpensTheClusterBackend() {
    assertThat(stores).isInstanceOf(RedisStore.class);
    assertThat(stores.kind()).isEqualTo("redis");
  }

  @Test
  void anUnreachableRedisFailsEveryOperationThroughItsStageAndIsCounted() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (Stores down = connected("redis://127.0.0.1:" + closedPort, MAX_BANS)) {
      assertThatThrownBy(
              () ->
                  await(
                      down.rateLimits().consume("k", new BucketShape(1, 1, Duration.ofMinutes(1)))))
          .isInstanceOf(ExecutionException.class);
      assertThatThrownBy(() -> await(down.bans().strike("r", "192.0.2.1", Duration.ofMinutes(1))))
          .isInstanceOf(ExecutionException.class);
      assertThatThrownBy(
              () ->
                  await(
                      down.bans()
                          .ban(
                              "192.0.2.1",
                              Duration.ofMinutes(1),
                              Duration.ofMinutes(1),
                              Duration.ofDays(1),
                              "r",
                              "admin")))
          .isInstanceOf(ExecutionException.class);
      assertThat(down.bans().active("192.0.2.1")).isNull();
      assertThat(down.health().up()).isFalse();
      assertThat(down.health().failures()).isGreaterThanOrEqualTo(3);
    }
  }
}
